package io.github.localport.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.github.localport.ReservedPort;

/**
 * What reservations cost on a machine that never ran localport, as a new CI runner: a fresh JVM
 * reserves and releases ports with {@code ReservedPort.reserve()} in a lock directory that does
 * not exist yet, one every 100 ms as the tests of a suite would, and each reservation with its
 * release is timed. On Linux a reservation whose lock file it had to create looks at
 * {@code /proc/locks} before it hands the port out, and after a quiet spell that look waits for
 * the kernel. Two lock directories, each in a child JVM of its own:
 * <ul>
 * <li>machine-wide: {@code localport} in a directory shared and sticky as {@code /tmp} (where
 * the default {@code /tmp/localport} is), in which localport creates the range's missing lock
 * files in the background after the first reservation that had to create one;</li>
 * <li>private: {@code localport} in a directory of this user's (as a test's temporary one),
 * which localport leaves as it is, so that each port's first reservation creates its file and
 * looks, as every lock directory did before.</li>
 * </ul>
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.localport.benchmarks.NewMachineBenchmark [reservations] [gap-ms]
 *   reservations  per lock directory, 10-1000   (default 300)
 *   gap-ms        between reservations, 0-1000  (default 100)
 * </pre>
 *
 * The default run takes about 65 seconds.
 */
public final class NewMachineBenchmark {

    private static final Duration CHILD_TIMEOUT = Duration.ofMinutes(5);

    private NewMachineBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].equals("--child")) {
            child(Integer.parseInt(args[1]), Long.parseLong(args[2]));
            return;
        }
        int reservations = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        long gapMillis = args.length > 1 ? Long.parseLong(args[1]) : 100;
        if (reservations < 10 || reservations > 1000 || gapMillis < 0 || gapMillis > 1000 || args.length > 2) {
            System.err.println("NewMachineBenchmark: arguments [reservations 10-1000] [gap-ms 0-1000]");
            System.exit(2);
        }
        System.out.printf(Locale.ROOT, "New machine: %d reservations per lock directory, %d ms apart, each in a fresh"
                + " JVM with a lock directory that does not exist yet%n", reservations, gapMillis);
        System.out.println("Machine: " + Machine.describe());
        Path scratch = Files.createTempDirectory("localport-new-machine-");
        try {
            Path shared = Files.createDirectory(scratch.resolve("tmp"));
            Files.setAttribute(shared, "unix:mode", 01777);
            String format = "%-52s %9s %9s %9s %18s %9s%n";
            System.out.printf(format, "ms per reserve() + close()", "median", "90th", "max", "last third median",
                    "files");
            for (Path parent : List.of(shared, scratch)) {
                Path locks = parent.resolve("localport");
                long[] nanos = run(locks, reservations, gapMillis);
                long[] sorted = nanos.clone();
                Arrays.sort(sorted);
                long[] lastThird = Arrays.copyOfRange(nanos, nanos.length * 2 / 3, nanos.length);
                Arrays.sort(lastThird);
                try (var files = Files.list(locks)) {
                    System.out.printf(format, (parent == shared ? "machine-wide (in a directory as /tmp): "
                            : "private (in a directory of this user's): ") + locks.getFileName(),
                            millis(sorted[sorted.length / 2]), millis(sorted[sorted.length * 9 / 10]),
                            millis(sorted[sorted.length - 1]), millis(lastThird[lastThird.length / 2]),
                            files.count());
                }
            }
        }
        finally {
            SoakPhase.deleteTree(scratch);
        }
        System.out.println("last third: the reservations of the last third of the run. files: lock files in the"
                + " directory at the end (the range has " + (Machine.localportDefaultRange()[1]
                        - Machine.localportDefaultRange()[0] + 1) + " ports).");
    }

    /** Runs a child JVM on the lock directory; returns the nanoseconds of each of its reservations. */
    private static long[] run(Path locks, int reservations, long gapMillis) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dlocalport.lock.dir=" + locks, "-cp", System.getProperty("java.class.path"),
                NewMachineBenchmark.class.getName(), "--child", String.valueOf(reservations), String.valueOf(gapMillis)));
        Path outputFile = locks.resolveSibling("output-" + locks.getFileName() + ".txt");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(outputFile.toFile())
                .start();
        try {
            boolean finished = process.waitFor(CHILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            String output = Files.readString(outputFile);
            if (!finished || process.exitValue() != 0) {
                throw new IllegalStateException("The child JVM on " + locks + (finished ? " failed" : " did not finish"
                        + " within " + CHILD_TIMEOUT.toMinutes() + " minutes") + ". Its output:\n" + output);
            }
            long[] nanos = output.lines().filter(line -> line.startsWith("TOOK ")).mapToLong(line -> Long.parseLong(
                    line.substring("TOOK ".length()))).toArray();
            if (nanos.length != reservations) {
                throw new IllegalStateException("The child JVM on " + locks + " printed " + nanos.length + " of "
                        + reservations + " figures. Its output:\n" + output);
            }
            return nanos;
        }
        finally {
            process.destroyForcibly();
        }
    }

    private static void child(int reservations, long gapMillis) {
        for (int i = 0; i < reservations; i++) {
            long next = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(gapMillis);
            for (long left; (left = next - System.nanoTime()) > 0;) {
                LockSupport.parkNanos(left);
            }
            long start = System.nanoTime();
            try (ReservedPort port = ReservedPort.reserve()) {
                if (port.number() < 1024) {
                    throw new IllegalStateException("Got port " + port.number());
                }
            }
            System.out.println("TOOK " + (System.nanoTime() - start));
        }
    }

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
    }
}
