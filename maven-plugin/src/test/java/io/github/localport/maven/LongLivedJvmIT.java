package io.github.localport.maven;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.localport.core.HeldPorts;
import io.github.localport.core.Poll;

/**
 * Builds that end while their JVM lives on, as under the Maven daemon (mvnd): the ports of a
 * build are released when the build ends, whether it passed or failed, not when the JVM exits.
 * A one-port range makes it visible: a port still held after a build would fail the next one.
 */
class LongLivedJvmIT {

    private static final Pattern EXIT = Pattern.compile("(?m)^EXIT (\\d+)$");

    @TempDir
    Path work;
    private Path lockDirectory;
    private Path output;
    private Process jvm;
    private PrintStream input;
    private int port;

    @BeforeEach
    void startJvm() throws IOException {
        lockDirectory = work.resolve("locks");
        output = work.resolve("builds.log");
        port = MavenBuilds.quietPorts(1);
        String classPath = String.join(java.io.File.pathSeparator, MavenBuilds.MAVEN_HOME.resolve("boot") + "/*",
                MavenBuilds.MAVEN_HOME.resolve("lib") + "/*", Path.of("target/test-classes").toAbsolutePath()
                        .toString());
        jvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classPath,
                "-Dmaven.home=" + MavenBuilds.MAVEN_HOME, EmbeddedMaven.class.getName(),
                MavenBuilds.PROJECTS.resolve("one-build").toString()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        input = new PrintStream(jvm.getOutputStream(), true, StandardCharsets.UTF_8);
    }

    @AfterEach
    void stopJvm() {
        jvm.destroyForcibly();
    }

    @Test
    void eachBuildReleasesItsPortsWhenItEndsThoughTheJvmLivesOn() throws Exception {
        assertThat(build("two")).as("two ports wanted from a one-port range").isEqualTo(1);
        assertThat(MavenBuilds.read(output)).contains("Port " + port + " (TCP) is not free for 'b.port'");
        assertThat(HeldPorts.of(port, lockDirectory)).as("the failed build left %d held", port).isEmpty();

        assertThat(build("one")).isZero();
        assertThat(HeldPorts.of(port, lockDirectory)).as("released at the end of the build").isEmpty();
        assertThat(MavenBuilds.read(output)).contains("localport: reserved port " + port + " for 'a.port'")
                .contains("localport: released port " + port + " ('a.port') at the end of the build");

        assertThat(build("one")).as("the same port again, in the same JVM").isZero();
        assertThat(jvm.isAlive()).isTrue();
    }

    /** Runs one build in the JVM and returns its exit code. */
    private int build(String profile) throws IOException {
        int before = exits().size();
        List<String> arguments = MavenBuilds.commonArguments("one-build");
        arguments.addAll(List.of("-P" + profile, "-Dlocalport.range=" + port + "-" + port,
                "-Dlocalport.lock.dir=" + lockDirectory, "verify"));
        input.println(String.join("\t", arguments));
        if (!Poll.until(() -> exits().size() > before, java.time.Duration.ofSeconds(120))) {
            throw new AssertionError("The build did not finish within 120 s:\n" + MavenBuilds.read(output));
        }
        return exits().get(before);
    }

    private List<Integer> exits() {
        List<Integer> codes = new ArrayList<>();
        try {
            Matcher matcher = EXIT.matcher(MavenBuilds.read(output));
            while (matcher.find()) {
                codes.add(Integer.valueOf(matcher.group(1)));
            }
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return codes;
    }
}
