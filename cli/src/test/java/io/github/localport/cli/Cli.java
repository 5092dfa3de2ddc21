package io.github.localport.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.github.localport.core.Poll;

/** The command line run for a test: in a child JVM (real signals, real exit codes) or in this one. */
final class Cli {

    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    static final String CLASS_PATH = System.getProperty("java.class.path");

    private Cli() {
    }

    /** {@code localport ARGS} in a child JVM with this lock directory; its output goes to out.txt and err.txt in work. */
    static Process start(Path lockDirectory, Path work, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(JAVA, "-cp", CLASS_PATH, "-Dlocalport.lock.dir=" + lockDirectory,
                LocalPortCommand.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectOutput(work.resolve("out.txt").toFile())
                .redirectError(work.resolve("err.txt").toFile()).start();
    }

    static int finish(Process process) throws InterruptedException {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("The command line did not finish within 60 s");
        }
        return process.exitValue();
    }

    static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }

    /** Waits up to 30 s for the file to have a first line, and returns it. */
    static String firstLine(Path file) throws IOException {
        if (!Poll.until(() -> lines(file).size() > 0, Duration.ofSeconds(30))) {
            throw new AssertionError(file + " stayed empty for 30 s");
        }
        return lines(file).get(0);
    }

    static List<String> lines(Path file) {
        try {
            String text = read(file);
            return text.endsWith("\n") ? text.lines().toList() : List.of();
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs {@code localport ARGS} in this JVM, as a script would call it, with this environment. */
    static Result inThisJvm(Map<String, String> environment, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = LocalPortCommand.execute(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), environment);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    record Result(int code, String out, String err) {
    }

    static boolean gone(long pid) {
        return Poll.until(() -> ProcessHandle.of(pid).map(handle -> !handle.isAlive()).orElse(true),
                Duration.ofSeconds(30));
    }
}
