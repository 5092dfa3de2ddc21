package io.github.localport.benchmarks;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.github.localport.LocalPort;
import io.github.localport.ReservedPort;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * What the first port of a fresh JVM costs: loading localport's classes, reading the OS's port
 * ranges, preparing the lock directory, the first lock and the first probes. Target (issue 14):
 * the first {@code @LocalPort} in a fresh JVM under 20 ms.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.localport.benchmarks.FirstReservationBenchmark [options]
 *   --forks 20      fresh JVMs per measurement, 1-100                                   (default 20)
 *   --timeout 60s   per child JVM; one that overruns is killed and the run fails, 1s-10m (default 60s)
 * </pre>
 *
 * Each measurement runs in a child JVM of its own, started one after the other (same java, same
 * class path, no JVM options but {@code -Dlocalport.*}), so that none warms another, and is
 * timed with {@code System.nanoTime()} inside the child, around the first call of its kind in
 * that JVM ({@link Kind}); the kinds take turns, fork by fork. The children use this benchmark's
 * lock directory ({@link BenchmarkLockDirectory}: it exists and has a lock file for every port,
 * as on a machine that has run localport before); the "new lock directory" kind gets one that
 * does not exist yet (a new temporary one per child, deleted afterwards), as on a machine that
 * never ran localport.
 *
 * <p>The first {@code @LocalPort} is the difference of the medians of two JUnit Platform
 * launches of one test each, with and without a {@code @LocalPort int} parameter; every launch
 * must report its test passed. A fresh JVM's first launch costs most of a second and varies by
 * hundreds of milliseconds with the machine's load, so the difference comes with a 95% bootstrap
 * interval, and once more for launches after one launch of another class (JUnit's own first-time
 * work done), which vary less. The default run (20 forks of 9 kinds) takes about 1 minute on 2
 * cores.
 *
 * <p>One child alone, for a profile: {@code java [-verbose:class | -XX:StartFlightRecording=...]
 * -Dlocalport.lock.dir=DIR -cp benchmarks/target/benchmarks.jar
 * io.github.localport.benchmarks.FirstReservationBenchmark --child LOCAL_PORT_TEST} prints
 * {@code FIRST <nanoseconds>}.
 */
public final class FirstReservationBenchmark {

    private static final long TARGET_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /** The child JVM being waited for, killed if this JVM is stopped meanwhile. */
    private static volatile Process running;

    private FirstReservationBenchmark() {
    }

    /** What a child JVM times: the first call of its kind in that JVM. */
    enum Kind {
        RESERVE("first ReservedPort.reserve() + close()", false, false),
        RESERVE_NEW_DIRECTORY("the same, new lock directory", true, false),
        SERVER_SOCKET("first new ServerSocket(0) open + close", false, false),
        /** The floor of the first reservation: the JDK calls it needs ({@link JdkCalls}), alone. */
        JDK_CALLS("the JDK calls of a reservation, alone", false, false),
        /** Part of the first reservation on Linux: the look for holders of deleted lock files. */
        PROC_LOCKS("first read of /proc/locks", false, false),
        NO_PARAMETER_TEST("launcher.execute: one test, no parameter", false, false),
        LOCAL_PORT_TEST("launcher.execute: one test, @LocalPort int", false, false),
        NO_PARAMETER_TEST_AFTER_WARM_UP("the same after one launch, no parameter", false, true),
        LOCAL_PORT_TEST_AFTER_WARM_UP("the same after one launch, @LocalPort int", false, true);

        final String label;
        final boolean newLockDirectory;
        /** One launch of another class with an empty test first, untimed: JUnit's own first-time work is done. */
        final boolean launchedBefore;

        Kind(String label, boolean newLockDirectory, boolean launchedBefore) {
            this.label = label;
            this.newLockDirectory = newLockDirectory;
            this.launchedBefore = launchedBefore;
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--child")) {
            Child.run(Kind.valueOf(args[1]));
            return;
        }
        Settings settings;
        try {
            settings = Settings.parse(args);
        }
        catch (IllegalArgumentException | DateTimeException e) {
            System.err.println("FirstReservationBenchmark: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.out.println("First reservation in a fresh JVM: " + settings);
        System.out.println("Machine: " + Machine.describe());
        Path lockDirectory = BenchmarkLockDirectory.useForThisJvm();
        System.out.println("Lock directory " + lockDirectory + "; for the new-lock-directory kinds a new one per child");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Process child = running;
            if (child != null) {
                child.destroyForcibly();
            }
        }, "first-reservation-cleanup"));

        Map<Kind, long[]> first = new EnumMap<>(Kind.class);
        Map<Kind, long[]> wholeJvm = new EnumMap<>(Kind.class);
        for (Kind kind : Kind.values()) {
            first.put(kind, new long[settings.forks]);
            wholeJvm.put(kind, new long[settings.forks]);
        }
        long started = System.nanoTime();
        for (int fork = 0; fork < settings.forks; fork++) {
            for (Kind kind : Kind.values()) { // interleaved, so that a change in the machine's load hits every kind alike
                long[] nanos = runChild(kind, lockDirectory, settings.timeout);
                first.get(kind)[fork] = nanos[0];
                wholeJvm.get(kind)[fork] = nanos[1];
            }
        }
        System.out.printf(Locale.ROOT, "%n%d x %d child JVMs in %ds; load average now %s.%n%n", settings.forks,
                Kind.values().length, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started), Machine.loadAverage());
        printResults(first, wholeJvm, settings.forks);
    }

    private static void printResults(Map<Kind, long[]> first, Map<Kind, long[]> wholeJvm, int forks) {
        String format = "%-44s %9s %9s %9s   %s%n";
        System.out.printf(format, "ms, over " + forks + " fresh JVMs each", "median", "min", "max",
                "child JVM start to exit (median)");
        for (Kind kind : Kind.values()) {
            long[] nanos = first.get(kind);
            System.out.printf(format, kind.label, millis(median(nanos)), millis(Arrays.stream(nanos).min().orElseThrow()),
                    millis(Arrays.stream(nanos).max().orElseThrow()), millis(median(wholeJvm.get(kind))));
        }
        System.out.printf(Locale.ROOT, "%nfirst new ServerSocket(0) open + close: %s ms; the JDK calls of a reservation,"
                + " alone: %s ms; first ReservedPort.reserve() + close() with a new lock directory: %s ms.%n",
                millis(median(first.get(Kind.SERVER_SOCKET))), millis(median(first.get(Kind.JDK_CALLS))),
                millis(median(first.get(Kind.RESERVE_NEW_DIRECTORY))));
        double[] afterWarmUp = differenceOfMedians(first.get(Kind.LOCAL_PORT_TEST_AFTER_WARM_UP),
                first.get(Kind.NO_PARAMETER_TEST_AFTER_WARM_UP));
        System.out.printf(Locale.ROOT, "first @LocalPort after one launch of JUnit: %s ms (95%% interval %s to %s)%n",
                millis(afterWarmUp[0]), millis(afterWarmUp[1]), millis(afterWarmUp[2]));
        System.out.println(verdict("first ReservedPort.reserve() + close()", median(first.get(Kind.RESERVE)), forks));
        double[] localPort = differenceOfMedians(first.get(Kind.LOCAL_PORT_TEST), first.get(Kind.NO_PARAMETER_TEST));
        System.out.println(verdict("first @LocalPort", localPort[0], forks) + String.format(Locale.ROOT,
                " (launcher.execute with it minus without it; 95%% interval %s to %s)", millis(localPort[1]),
                millis(localPort[2])));
    }

    private static String verdict(String what, double nanos, int forks) {
        return String.format(Locale.ROOT, "%s in a fresh JVM: %s ms (median of %d forks; target: under 20 ms) %s", what,
                millis(nanos), forks, nanos < TARGET_NANOS ? "MET" : "MISSED");
    }

    /**
     * The median of {@code with} minus the median of {@code without}, and a 95% bootstrap interval
     * of it (2,000 resamples, a fixed seed): a fresh JVM's launch varies by hundreds of
     * milliseconds with the machine's load, which the interval shows.
     */
    private static double[] differenceOfMedians(long[] with, long[] without) {
        Random random = new Random(14);
        double[] resampled = new double[2000];
        for (int i = 0; i < resampled.length; i++) {
            resampled[i] = median(resample(with, random)) - median(resample(without, random));
        }
        Arrays.sort(resampled);
        return new double[] { median(with) - median(without), resampled[49], resampled[1949] };
    }

    private static long[] resample(long[] values, Random random) {
        long[] drawn = new long[values.length];
        Arrays.setAll(drawn, i -> values[random.nextInt(values.length)]);
        return drawn;
    }

    /** Runs one child JVM to its end; returns the nanoseconds it measured and those from its start to its exit. */
    private static long[] runChild(Kind kind, Path sharedLockDirectory, Duration timeout)
            throws IOException, InterruptedException {
        Path scratch = Files.createTempDirectory("localport-first-reservation-");
        try {
            Path lockDirectory = kind.newLockDirectory ? scratch.resolve("locks") : sharedLockDirectory;
            Path output = scratch.resolve("output.txt");
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-Dlocalport.lock.dir=" + lockDirectory);
            if (System.getProperty("localport.range") != null) {
                command.add("-Dlocalport.range=" + System.getProperty("localport.range"));
            }
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), FirstReservationBenchmark.class.getName(),
                    "--child", kind.name()));
            long started = System.nanoTime();
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            running = process;
            try {
                if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                    throw new IllegalStateException("A child JVM (" + kind + ") did not finish within "
                            + timeout.toMillis() + " ms; killed it. Its output:\n" + Files.readString(output));
                }
            }
            finally {
                process.destroyForcibly();
                running = null;
            }
            long wholeJvm = System.nanoTime() - started;
            return new long[] { measured(kind, process.exitValue(), Files.readString(output), lockDirectory), wholeJvm };
        }
        finally {
            SoakPhase.deleteTree(scratch);
        }
    }

    /** The child's {@code FIRST} figure, once it is sure the child did what it should. */
    private static long measured(Kind kind, int exitCode, String output, Path lockDirectory) throws IOException {
        String line = output.lines().filter(l -> l.startsWith("FIRST ")).findFirst().orElse(null);
        if (exitCode != 0 || line == null) {
            throw new IllegalStateException("A child JVM (" + kind + ") exited with " + exitCode
                    + (line == null ? " without a figure" : "") + ". Its output:\n" + output);
        }
        if (kind.newLockDirectory && !holdsLockFile(lockDirectory)) {
            throw new IllegalStateException("A child JVM (" + kind + ") left no lock file in " + lockDirectory);
        }
        return Long.parseLong(line.substring("FIRST ".length()).strip());
    }

    private static boolean holdsLockFile(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return false;
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.anyMatch(file -> file.getFileName().toString().endsWith(".lock"));
        }
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2.0;
    }

    private static String millis(double nanos) {
        return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
    }

    /**
     * A child JVM: times the first call of its kind and prints {@code FIRST <nanoseconds>}. It
     * touches nothing of localport, JUnit or the network before the clock starts (the launcher
     * is created first, as in any test run, and both launches pay for that alike).
     */
    static final class Child {

        private Child() {
        }

        static void run(Kind kind) throws Exception {
            long nanos = switch (kind) {
                case RESERVE, RESERVE_NEW_DIRECTORY -> firstReservation();
                case SERVER_SOCKET -> firstServerSocket();
                case JDK_CALLS -> firstJdkCalls();
                case PROC_LOCKS -> firstProcLocksRead();
                case NO_PARAMETER_TEST, NO_PARAMETER_TEST_AFTER_WARM_UP -> firstLaunch("NoParameterTestCase", kind);
                case LOCAL_PORT_TEST, LOCAL_PORT_TEST_AFTER_WARM_UP -> firstLaunch("LocalPortTestCase", kind);
            };
            System.out.println("FIRST " + nanos);
        }

        private static long firstReservation() {
            long start = System.nanoTime();
            try (ReservedPort port = ReservedPort.reserve()) {
                if (port.number() < 1024) {
                    throw new IllegalStateException("Got port " + port.number());
                }
            }
            return System.nanoTime() - start;
        }

        /** Hand-out and give-back of one port of localport's default range in the lock directory, by the JDK alone. */
        private static long firstJdkCalls() throws IOException {
            Path lockDirectory = Path.of(System.getProperty("localport.lock.dir"));
            int[] range = Machine.localportDefaultRange();
            long start = System.nanoTime();
            JdkCalls.handOut(lockDirectory, range[0], range[1]).close();
            return System.nanoTime() - start;
        }

        /** As localport reads it; 0 where there is no /proc/locks. */
        private static long firstProcLocksRead() throws IOException {
            Path locks = Path.of("/proc/locks");
            if (!Files.isReadable(locks)) {
                return 0;
            }
            long start = System.nanoTime();
            try (InputStream in = Files.newInputStream(locks)) {
                in.readAllBytes();
            }
            return System.nanoTime() - start;
        }

        private static long firstServerSocket() throws IOException {
            long start = System.nanoTime();
            try (ServerSocket socket = new ServerSocket(0)) {
                if (socket.getLocalPort() < 1024) {
                    throw new IllegalStateException("Got port " + socket.getLocalPort());
                }
            }
            return System.nanoTime() - start;
        }

        /**
         * Launches a nested class of this benchmark, named, not loaded before the launch (as a
         * class literal would), so that loading it and its annotations is part of it.
         */
        private static long firstLaunch(String simpleName, Kind kind) {
            Launcher launcher = LauncherFactory.create();
            if (kind.launchedBefore) {
                launch(launcher, "WarmUpTestCase");
            }
            return launch(launcher, simpleName);
        }

        /** Returns the nanoseconds of {@code execute}, once sure the class's one test passed. */
        private static long launch(Launcher launcher, String simpleName) {
            String testClass = FirstReservationBenchmark.class.getName() + "$" + simpleName;
            LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                    .selectors(selectClass(testClass)).build();
            SummaryGeneratingListener listener = new SummaryGeneratingListener();
            long start = System.nanoTime();
            launcher.execute(request, listener);
            long nanos = System.nanoTime() - start;
            TestExecutionSummary summary = listener.getSummary();
            if (summary.getTestsSucceededCount() != 1 || summary.getTotalFailureCount() != 0) {
                summary.printFailuresTo(new PrintWriter(System.err, true, StandardCharsets.UTF_8), 20);
                throw new IllegalStateException(summary.getTestsSucceededCount() + " of 1 test succeeded in "
                        + testClass + " (" + summary.getTestsFoundCount() + " found)");
            }
            return nanos;
        }
    }

    /** An empty test, launched first where JUnit's own first-time work should be done before the clock starts. */
    public static class WarmUpTestCase {
        @Test
        void test() {
        }
    }

    /** One test without a parameter: the launch that {@link LocalPortTestCase}'s is compared with. */
    public static class NoParameterTestCase {
        @Test
        void test() {
        }
    }

    /** The same test with one {@code @LocalPort int} parameter: reserved before it, checked and released after. */
    public static class LocalPortTestCase {
        @Test
        void test(@LocalPort int port) {
            if (port < 1024) {
                throw new AssertionError("Got port " + port);
            }
        }
    }

    static final class Settings {
        int forks = 20;
        Duration timeout = Duration.ofSeconds(60);

        static Settings parse(String[] args) {
            Settings settings = new Settings();
            for (int i = 0; i < args.length; i += 2) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("Option " + args[i] + " needs a value");
                }
                switch (args[i]) {
                    case "--forks" -> settings.forks = wholeNumber(args[i + 1]);
                    case "--timeout" -> settings.timeout = ChaosSoak.Options.parseDuration(args[i + 1]);
                    default -> throw new IllegalArgumentException("Unknown option " + args[i]
                            + "; options: --forks 20 --timeout 60s");
                }
            }
            if (settings.forks < 1 || settings.forks > 100 || settings.timeout.compareTo(Duration.ofSeconds(1)) < 0
                    || settings.timeout.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new IllegalArgumentException("Out of bounds: --forks 1-100, --timeout 1s-10m");
            }
            return settings;
        }

        private static int wholeNumber(String value) {
            try {
                return Integer.parseInt(value);
            }
            catch (NumberFormatException e) {
                throw new IllegalArgumentException("--forks takes a whole number of 1-100, not '" + value + "'");
            }
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d forks per kind, %ds timeout per child JVM", forks, timeout.toSeconds());
        }
    }
}
