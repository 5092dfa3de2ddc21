package io.github.localport.maven;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;

/**
 * Real Maven builds of the projects in src/test/projects with the plugin as this build made it:
 * the Maven that runs this build, the local repository maven-invoker-plugin prepared (localport's
 * artifacts, installed there in pre-integration-test) and the invoker builds' settings
 * (src/it/settings.xml: the rest from this build's own local repository).
 */
final class MavenBuilds {

    static final Path MAVEN_HOME = Path.of(System.getProperty("maven.home"));
    static final Path REPOSITORY = Path.of(System.getProperty("it.repo"));
    static final Path PROJECTS = Path.of("src/test/projects").toAbsolutePath();

    /** Ports outside localport's default range and the ephemeral range: only these tests use them. */
    private static final int QUIET_FIRST = 20000;
    private static final int QUIET_LAST = 29999;

    private MavenBuilds() {
    }

    /** Arguments every build gets: batch mode, offline, the prepared repository and the versions to use. */
    static List<String> commonArguments(String project) throws IOException {
        return new ArrayList<>(List.of("-B", "-s", settings().toString(), "-f", PROJECTS.resolve(project)
                .resolve("pom.xml").toString(), "-Dmaven.repo.local=" + REPOSITORY, "-Dlocalport.version="
                + System.getProperty("localport.version"), "-Dexec.plugin.version="
                + System.getProperty("exec.plugin.version")));
    }

    /** The invoker builds' settings, filtered as maven-invoker-plugin filters them. */
    private static synchronized Path settings() throws IOException {
        Path settings = Path.of("target/it-settings.xml").toAbsolutePath();
        Files.writeString(settings, Files.readString(Path.of("src/it/settings.xml")).replace("@localRepositoryUrl@",
                Path.of(System.getProperty("outer.repo")).toUri().toString()));
        return settings;
    }

    /** A process running {@code mvn} with these arguments, its output in the file. */
    static Process start(List<String> arguments, Path output) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(MAVEN_HOME.resolve("bin").resolve("mvn").toString());
        command.addAll(arguments);
        return new ProcessBuilder(command).directory(PROJECTS.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
    }

    /**
     * The first of {@code count} consecutive ports that nothing has bound now, from a range no
     * other test on this machine takes ports from.
     */
    static int quietPorts(int count) {
        int size = QUIET_LAST - QUIET_FIRST + 1;
        int start = ThreadLocalRandom.current().nextInt(size / count);
        for (int i = 0; i < size / count; i++) {
            int first = QUIET_FIRST + ((start + i) % (size / count)) * count;
            if (IntStream.range(first, first + count).allMatch(MavenBuilds::canBind)) {
                return first;
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free ports in " + QUIET_FIRST + "-" + QUIET_LAST);
    }

    private static boolean canBind(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
            return true;
        }
        catch (IOException e) {
            return false;
        }
    }

    static String read(Path output) throws IOException {
        return Files.exists(output) ? Files.readString(output) : "";
    }
}
