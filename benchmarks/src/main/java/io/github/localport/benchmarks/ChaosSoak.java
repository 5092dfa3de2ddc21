package io.github.localport.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A chaos soak: worker JVMs ({@link SoakWorker}) reserve, bind, hold and release ports of a
 * small range on a private lock directory, while a chaos driver SIGKILLs workers, deletes lock
 * files and the lock directory, plants FIFOs, other users' files and symbolic links where lock
 * files would be, starts IPv4-stack workers and starts programs outside localport that listen
 * on ports of the range ({@link SoakForeignListener}). At the end it reads every record and
 * prints one summary line; the exit code is 1 on any overlap, clash with another localport
 * holder, port handed out over a live foreign listener, hung thread or failed reservation.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.localport.benchmarks.ChaosSoak [options]
 *   --duration 2m          length of the chaos phase                          (default 2m)
 *   --baseline 20s         a no-chaos phase first, for the rate comparison; 0: none (default 20s)
 *   --no-chaos             one phase of --duration without chaos
 *   --workers 4            worker JVMs at once                                (default 4)
 *   --threads 4            threads per worker JVM                             (default 4)
 *   --range A-B            ports to use; default: 40 ports outside the ephemeral range and
 *                          localport's default range, with nothing listening on them
 *   --actions a,b          chaos actions (default all): kill, delete-lock-file, delete-lock-dir,
 *                          plant-fifo, plant-foreign-file, plant-symlink, ipv4-worker,
 *                          foreign-listener
 *   --chaos-interval 500ms mean pause between chaos actions (uniform 0 to twice it)
 *   --hang-limit 15s       a worker thread without progress this long is hung
 *   --seed N               the driver's random choices                        (default: random)
 *   --out DIR              where records go (default: a new temporary directory, deleted after
 *                          a passing run unless --keep)
 *   --keep                 keep the records after a passing run
 * </pre>
 *
 * Workers run on this JVM's class path: put another build of the library first on it to soak
 * that build.
 */
public final class ChaosSoak {

    private ChaosSoak() {
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        }
        catch (IllegalArgumentException e) {
            System.err.println("ChaosSoak: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(run(options));
    }

    static int run(Options options) throws Exception {
        Queue<Process> children = new ConcurrentLinkedQueue<>();
        Thread cleanup = new Thread(() -> children.forEach(Process::destroyForcibly), "soak-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        boolean createdOut = options.out == null;
        Path out = createdOut ? Files.createTempDirectory("localport-soak-") : Files.createDirectories(options.out);
        Random random = new Random(options.seed);

        System.out.println("Chaos soak: " + options);
        System.out.println("Machine: " + Machine.describe());
        System.out.println("Records in " + out + "; workers' class path " + System.getProperty("java.class.path"));
        if (!isRoot() && options.actions.contains("plant-foreign-file")) {
            System.out.println("plant-foreign-file: not root, so every such action is skipped (no file of another"
                    + " user can be made)");
        }
        if (!Files.isReadable(Path.of("/proc/self"))) {
            System.out.println("Not Linux: the soak assumes System.nanoTime() is one clock for all processes"
                    + " (Linux CLOCK_MONOTONIC); each worker's clock is checked at its start");
        }

        SoakAnalysis baseline = null;
        SoakAnalysis main;
        try {
            if (options.chaos && !options.baseline.isZero()) {
                System.out.printf(Locale.ROOT, "%nbaseline: %d workers x %d threads, no chaos, %d s ...%n",
                        options.workers, options.threads, options.baseline.toSeconds());
                baseline = runPhase(new SoakPhase("baseline (no chaos)", out.resolve("baseline"), false, options,
                        children, random), options.baseline);
            }
            System.out.printf(Locale.ROOT, "%n%s: %d workers x %d threads, %s, %d s ...%n", options.chaos ? "chaos"
                    : "no chaos", options.workers, options.threads, options.chaos ? "actions " + String.join(",",
                            options.actions) + " every ~" + options.chaosInterval.toMillis() + " ms" : "no chaos",
                    options.duration.toSeconds());
            main = runPhase(new SoakPhase(options.chaos ? "chaos" : "no chaos", out.resolve(options.chaos ? "chaos"
                    : "no-chaos"), options.chaos, options, children, random), options.duration);
        }
        finally {
            children.forEach(Process::destroyForcibly);
        }

        boolean failed = main.failed() || baseline != null && baseline.failed();
        String rate;
        if (baseline == null) {
            rate = String.format(Locale.ROOT, "%.0f reservations/s", main.rate());
        }
        else {
            double ratio = baseline.ratePerRunningWorker() == 0 ? 0
                    : main.ratePerRunningWorker() / baseline.ratePerRunningWorker();
            rate = String.format(Locale.ROOT, "%.0f reservations/s, %.1f/s per running worker JVM (no-chaos"
                    + " baseline %.0f/s, %.1f/s per worker: %.2fx, %s 2x)", main.rate(), main.ratePerRunningWorker(),
                    baseline.rate(), baseline.ratePerRunningWorker(), ratio, ratio >= 0.5 ? "within" : "NOT within");
        }
        System.out.println();
        if (baseline != null && baseline.failed()) {
            System.out.println("baseline failed: " + baseline.counts());
        }
        System.out.printf(Locale.ROOT, "soak: %s; %s; %d chaos actions; %s%n", main.counts(), rate, main.chaosActions(),
                failed ? "FAIL" : "PASS");
        if (failed || options.keep || !createdOut) {
            System.out.println("Records kept in " + out);
        }
        else {
            SoakPhase.deleteTree(out);
        }
        return failed ? 1 : 0;
    }

    private static SoakAnalysis runPhase(SoakPhase phase, Duration duration) throws Exception {
        phase.run(duration);
        SoakAnalysis analysis = SoakAnalysis.of(phase);
        analysis.print(System.out);
        return analysis;
    }

    static boolean isRoot() {
        try {
            return Files.getOwner(Path.of("/proc/self")).getName().equals("root");
        }
        catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * 40 ports (or {@code size}) outside the kernel's ephemeral range (clients' ports), outside
     * localport's default range and its fallback 20000-29999 (other builds' tests on this
     * machine), with nothing listening on them now.
     */
    static int[] defaultRange(int size) {
        int[] ephemeral = Machine.ephemeralRange();
        int[] localport = Machine.localportDefaultRange();
        Set<Integer> listening = listeningPorts();
        int from = ephemeral == null ? 32000 : ephemeral[0] - 1000;
        for (int first = from; first >= 1024; first -= size) {
            int last = first + size - 1;
            boolean clear = (ephemeral == null || last < ephemeral[0] || first > ephemeral[1])
                    && (last < localport[0] || first > localport[1]) && (last < 20000 || first > 29999);
            for (int port = first; clear && port <= last; port++) {
                clear = !listening.contains(port);
            }
            if (clear) {
                return new int[] { first, last };
            }
        }
        return new int[] { 62000, 62000 + size - 1 };
    }

    /** Ports with a TCP listener now, from Linux's socket tables; empty elsewhere. */
    static Set<Integer> listeningPorts() {
        Set<Integer> ports = new HashSet<>();
        for (Path table : List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"))) {
            try (BufferedReader in = Files.newBufferedReader(table, StandardCharsets.US_ASCII)) {
                in.readLine();
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    String[] fields = line.trim().split("\\s+");
                    if (fields.length > 3 && fields[3].equals("0A")) {
                        String local = fields[1];
                        ports.add(Integer.parseInt(local.substring(local.lastIndexOf(':') + 1), 16));
                    }
                }
            }
            catch (IOException | RuntimeException e) {
                // not Linux
            }
        }
        return ports;
    }

    static final class Options {
        Duration duration = Duration.ofMinutes(2);
        Duration baseline = Duration.ofSeconds(20);
        boolean chaos = true;
        int workers = 4;
        int threads = 4;
        int[] range;
        List<String> actions = SoakPhase.ACTIONS;
        Duration chaosInterval = Duration.ofMillis(500);
        Duration hangLimit = Duration.ofSeconds(15);
        long seed = new Random().nextLong();
        Path out;
        boolean keep;

        static Options parse(String[] args) {
            Options options = new Options();
            for (int i = 0; i < args.length; i++) {
                String option = args[i];
                if (option.equals("--no-chaos")) {
                    options.chaos = false;
                    continue;
                }
                if (option.equals("--keep")) {
                    options.keep = true;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("Option " + option + " needs a value");
                }
                String value = args[++i];
                switch (option) {
                    case "--duration" -> options.duration = parseDuration(value);
                    case "--baseline" -> options.baseline = parseDuration(value);
                    case "--workers" -> options.workers = Integer.parseInt(value);
                    case "--threads" -> options.threads = Integer.parseInt(value);
                    case "--range" -> {
                        String[] bounds = value.split("-");
                        options.range = new int[] { Integer.parseInt(bounds[0].strip()), Integer.parseInt(bounds[1].strip()) };
                    }
                    case "--actions" -> options.actions = Arrays.stream(value.split(",")).map(String::strip).toList();
                    case "--chaos-interval" -> options.chaosInterval = parseDuration(value);
                    case "--hang-limit" -> options.hangLimit = parseDuration(value);
                    case "--seed" -> options.seed = Long.parseLong(value);
                    case "--out" -> options.out = Path.of(value);
                    default -> throw new IllegalArgumentException("Unknown option " + option + "; options: --duration 2m"
                            + " --baseline 20s --no-chaos --workers 4 --threads 4 --range A-B --actions "
                            + String.join(",", SoakPhase.ACTIONS) + " --chaos-interval 500ms --hang-limit 15s --seed N"
                            + " --out DIR --keep");
                }
            }
            if (options.range == null) {
                options.range = defaultRange(40);
            }
            for (String action : options.actions) {
                if (!SoakPhase.ACTIONS.contains(action)) {
                    throw new IllegalArgumentException("Unknown action " + action + "; actions: "
                            + String.join(",", SoakPhase.ACTIONS));
                }
            }
            if (options.duration.compareTo(Duration.ofSeconds(1)) < 0 || options.duration.compareTo(Duration.ofHours(2)) > 0
                    || options.baseline.isNegative() || options.baseline.compareTo(Duration.ofMinutes(30)) > 0
                    || options.workers < 1 || options.workers > 16 || options.threads < 1 || options.threads > 32
                    || options.range[0] < 1024 || options.range[1] > 65535 || options.range[1] - options.range[0] < 1
                    || options.range[1] - options.range[0] > 999 || options.actions.isEmpty()
                    || options.chaosInterval.toMillis() < 10 || options.hangLimit.toMillis() < 1000) {
                throw new IllegalArgumentException("Out of bounds: duration 1 s to 2 h, baseline up to 30 min, 1-16"
                        + " workers, 1-32 threads, a range of 2-1000 ports within 1024-65535, at least one action,"
                        + " chaos interval at least 10 ms, hang limit at least 1 s");
            }
            return options;
        }

        /** The longest a phase runs: workers stop on their own a while after it. */
        Duration phaseLength() {
            return duration.compareTo(baseline) > 0 ? duration : baseline;
        }

        static Duration parseDuration(String value) {
            String v = value.strip().toLowerCase(Locale.ROOT);
            if (v.equals("0")) {
                return Duration.ZERO;
            }
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            if (v.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
            }
            if (v.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
            }
            if (v.endsWith("h")) {
                return Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
            }
            return Duration.parse(value);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "duration %ds, %s, %d workers x %d threads, range %d-%d, seed %d,"
                    + " hang limit %ds", duration.toSeconds(), chaos ? "chaos every ~" + chaosInterval.toMillis()
                            + " ms, baseline " + baseline.toSeconds() + "s" : "no chaos", workers, threads, range[0],
                    range[1], seed, hangLimit.toSeconds());
        }
    }
}
