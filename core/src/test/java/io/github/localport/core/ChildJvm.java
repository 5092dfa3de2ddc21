package io.github.localport.core;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/** A JVM started from this test class path, talked to over its standard streams. */
final class ChildJvm implements AutoCloseable {

    private static final Duration LINE_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final BufferedReader out;
    private final PrintStream in;

    private ChildJvm(Process process) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
    }

    static ChildJvm start(List<String> systemProperties, Class<?> mainClass, String... args) throws IOException {
        return start(List.of(), System.getProperty("java.class.path"), systemProperties, mainClass, args);
    }

    /**
     * Whether {@link #startAsNobody} can run here: this JVM runs as root and util-linux's
     * setpriv is installed, so a child can run as another user.
     */
    static boolean otherUserAvailable() {
        return "root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/setpriv"));
    }

    /**
     * Starts the child as user nobody. Its class path is copied into {@code workDirectory},
     * readable by everyone, since nobody cannot read root's Maven repository.
     */
    static ChildJvm startAsNobody(Path workDirectory, List<String> systemProperties, Class<?> mainClass,
            String... args) throws IOException {
        List<String> classPath = new ArrayList<>();
        int index = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path source = Path.of(entry);
            Path copy = workDirectory.resolve("cp" + index++ + (Files.isDirectory(source) ? "" : ".jar"));
            copyReadableByAll(source, copy);
            classPath.add(copy.toString());
        }
        makeReadableByAll(workDirectory);
        return start(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"),
                String.join(File.pathSeparator, classPath), systemProperties, mainClass, args);
    }

    private static ChildJvm start(List<String> prefix, String classPath, List<String> systemProperties,
            Class<?> mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(classPath);
        command.addAll(systemProperties);
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        return new ChildJvm(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    private static void copyReadableByAll(Path source, Path target) throws IOException {
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path copy = target.resolve(source.relativize(file).toString());
                Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
                makeReadableByAll(copy);
            }
        }
    }

    private static void makeReadableByAll(Path path) throws IOException {
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(Files.isDirectory(path) ? "rwxr-xr-x"
                : "rw-r--r--"));
    }

    /** The next line the child prints, within 60 s (the children that work for a while print at the end). */
    String readLine() throws IOException {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            }
            catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            String read = line.get(LINE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (read == null) {
                throw new IOException("The child JVM ended without printing a line; exit code " + process.waitFor());
            }
            return read;
        }
        catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new IOException("No line from the child JVM within " + LINE_TIMEOUT, e);
        }
    }

    /** Reads lines until one equals {@code marker}, returning those before it. */
    List<String> readUntil(String marker) throws IOException {
        List<String> lines = new ArrayList<>();
        try {
            for (String line = readLine(); !line.equals(marker); line = readLine()) {
                lines.add(line);
            }
        }
        catch (IOException e) {
            throw new IOException(e.getMessage() + "; before that it printed: " + lines, e);
        }
        return lines;
    }

    void send(String line) {
        in.println(line);
    }

    Process process() {
        return process;
    }

    /** Closes the child's input, which tells it to finish, and waits for its exit code. */
    int finish() throws InterruptedException {
        in.close();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("The child JVM did not finish within 30 s");
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
