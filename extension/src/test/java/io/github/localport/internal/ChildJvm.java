package io.github.localport.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A JVM started from this test class path, talked to over its standard streams. */
final class ChildJvm implements AutoCloseable {

    private static final Duration LINE_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final BufferedReader out;
    private final PrintStream in;

    private ChildJvm(Process process) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
    }

    static ChildJvm start(List<String> systemProperties, Class<?> mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.addAll(systemProperties);
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        return new ChildJvm(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    /** The next line the child prints, within 30 s. */
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
