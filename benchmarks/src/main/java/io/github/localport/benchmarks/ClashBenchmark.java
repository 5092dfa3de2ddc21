package io.github.localport.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.BindException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * Clash rate under a parallel build's load: K JVMs at once, T threads each, every thread in a
 * loop gets a port, waits 0-20 ms (a service starting), binds a server on 127.0.0.1 at the port,
 * holds it 0-20 ms, closes it and gives the port back. Meanwhile each JVM makes outgoing
 * connections to a server of its own ({@link Churn}), which take ports from the kernel's
 * ephemeral range as a test suite's clients do. A {@link BindException} on the server's bind is a
 * clash: something else had the port the strategy handed out.
 *
 * <p>Each strategy runs alone, in phases of the same K, T, duration and churn, one after the
 * other (with {@code --rounds N}, N times, interleaved). Prints one table.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.localport.benchmarks.ClashBenchmark [options]
 *   --jvms 2,4            JVM counts, one phase per strategy each          (default 2,4)
 *   --threads 4           threads per JVM                                  (default 4)
 *   --duration 10s        length of one phase                              (default 10s)
 *   --churn 500           outgoing connections per second per JVM; 0: none (default 500)
 *   --strategies a,b      localport, serversocket0, spring, random, floor  (default all but floor)
 *   --rounds 1            repeat all phases, strategies interleaved        (default 1)
 *   --max-allocations N   per thread and phase                             (default 100000)
 * </pre>
 *
 * The default run takes about 2 minutes. {@code -Dlocalport.range} and {@code -Dlocalport.lock.dir}
 * given to this JVM are passed to the workers.
 */
public final class ClashBenchmark {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private ClashBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--worker")) {
            Worker.run(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        Settings settings = Settings.parse(args);
        System.out.println("Clash benchmark: " + settings);
        System.out.println("Machine: " + Machine.describe());
        int[] localport = Machine.localportDefaultRange();
        System.out.println("localport range " + System.getProperty("localport.range", localport[0] + "-" + localport[1])
                + ", lock directory " + System.getProperty("localport.lock.dir", "/tmp/localport (default)"));

        Map<String, Totals> totals = new LinkedHashMap<>();
        for (int jvms : settings.jvms) {
            for (Strategy strategy : settings.strategies) {
                totals.put(jvms + " " + strategy.id(), new Totals(jvms, strategy));
            }
        }
        long started = System.nanoTime();
        for (int round = 1; round <= settings.rounds; round++) {
            for (int jvms : settings.jvms) {
                for (Strategy strategy : settings.strategies) {
                    System.out.printf("round %d: %d JVMs x %d threads, %s ...%n", round, jvms, settings.threads,
                            strategy.label());
                    runPhase(jvms, strategy, settings, totals.get(jvms + " " + strategy.id()));
                }
            }
        }
        System.out.printf("%nDone in %ds; load average now %s.%n%n", TimeUnit.NANOSECONDS.toSeconds(
                System.nanoTime() - started), Machine.loadAverage());
        printTable(totals.values(), settings);
    }

    private static void runPhase(int jvms, Strategy strategy, Settings settings, Totals totals) throws Exception {
        List<Worker.Handle> workers = new ArrayList<>();
        try {
            for (int i = 0; i < jvms; i++) {
                workers.add(Worker.Handle.start(strategy, settings));
            }
            for (Worker.Handle worker : workers) {
                worker.expect("READY", START_TIMEOUT);
            }
            workers.forEach(worker -> worker.send("GO"));
            for (Worker.Handle worker : workers) {
                String[] fields = worker.expect("RESULT", settings.duration.plusSeconds(60)).split(" ");
                for (int f = 0; f < Worker.RESULT_FIELDS; f++) {
                    totals.sum[f] += Long.parseLong(fields[f + 1]);
                }
                totals.handOut.add(HandOutTimes.fromLine(worker.expect("TIMES", Duration.ofSeconds(10))));
            }
            for (Worker.Handle worker : workers) {
                worker.finish();
            }
        }
        finally {
            workers.forEach(Worker.Handle::kill);
        }
    }

    private static void printTable(Iterable<Totals> totals, Settings settings) {
        System.out.printf("Each phase: K JVMs x %d threads for %ds%s; churn %d outgoing connections/s per JVM.%n",
                settings.threads, settings.duration.toSeconds(), settings.rounds > 1 ? ", " + settings.rounds + " rounds" : "",
                settings.churn);
        String format = "%-4s %-46s %11s %8s %10s %10s %8s %12s %9s %12s %14s %11s%n";
        System.out.printf(format, "JVMs", "strategy", "allocations", "clashes", "clash rate", "95% upper", "L/C/?",
                "in ephemeral", "failures", "connections", "hand-out p50", "p99");
        for (Totals total : totals) {
            long allocations = total.sum[0];
            long clashes = total.sum[1];
            System.out.printf(format, total.jvms, total.strategy.label(), allocations, clashes,
                    percent(allocations == 0 ? 0 : (double) clashes / allocations),
                    percent(wilsonUpper(clashes, allocations)),
                    total.sum[7] + "/" + total.sum[8] + "/" + (clashes - total.sum[7] - total.sum[8]),
                    percent(allocations == 0 ? 0 : (double) total.sum[2] / allocations), total.sum[3] + total.sum[6],
                    total.sum[4] + (total.sum[5] > 0 ? " (" + total.sum[5] + " failed)" : ""),
                    micros(total.handOut.percentileMicros(0.5)), micros(total.handOut.percentileMicros(0.99)));
        }
        System.out.println("clash: BindException binding a server on 127.0.0.1 at the port handed out. 95% upper: Wilson"
                + " bound of the clash rate. L/C/?: what had the port right after the clash, by /proc/net/tcp*: a"
                + " listener (another holder's server), a connection (a client's port: connecting, established or"
                + " TIME_WAIT), or gone/unknown. in ephemeral: share of ports handed out that lie in the kernel's"
                + " ephemeral range. failures: allocations that threw, other errors. connections: outgoing"
                + " connections made. hand-out p50, p99: median and 99th percentile of the time the strategy took to"
                + " hand out a port (localport: ReservedPort.reserve(); floor: its hand-out half; the others: their whole"
                + " allocation).");
        printHandOutTargets(totals);
    }

    /** localport's hand-out times against new ServerSocket(0)'s in the same run, for each JVM count both ran with. */
    private static void printHandOutTargets(Iterable<Totals> totals) {
        Map<Integer, Totals> baselines = new LinkedHashMap<>();
        totals.forEach(total -> {
            if (total.strategy == Strategy.SERVER_SOCKET_0) {
                baselines.put(total.jvms, total);
            }
        });
        for (Totals total : totals) {
            Totals baseline = baselines.get(total.jvms);
            if (baseline == null || total.strategy != Strategy.LOCALPORT && total.strategy != Strategy.FLOOR) {
                continue;
            }
            double median = total.handOut.percentileMicros(0.5) / baseline.handOut.percentileMicros(0.5);
            double p99 = total.handOut.percentileMicros(0.99) / baseline.handOut.percentileMicros(0.99);
            if (total.strategy == Strategy.FLOOR) {
                System.out.printf(Locale.ROOT, "%d JVMs: the JDK calls localport needs, alone, vs new ServerSocket(0):"
                        + " median %.2fx, p99 %.2fx%n", total.jvms, median, p99);
                continue;
            }
            System.out.printf(Locale.ROOT, "%d JVMs: localport hand-out vs new ServerSocket(0): median %.2fx (target: at"
                    + " most 2x) %s, p99 %.2fx (target: at most 5x) %s%n", total.jvms, median, median <= 2 ? "MET"
                            : "MISSED", p99, p99 <= 5 ? "MET" : "MISSED");
        }
    }

    private static String micros(double micros) {
        return Double.isNaN(micros) ? "-" : String.format(Locale.ROOT, "%.1f us", micros);
    }

    private static String percent(double rate) {
        return String.format(Locale.ROOT, "%.3f%%", rate * 100);
    }

    /** Upper end of the 95% Wilson score interval of a rate of {@code k} in {@code n}. */
    static double wilsonUpper(long k, long n) {
        if (n == 0) {
            return 1;
        }
        double z = 1.96;
        double p = (double) k / n;
        double denominator = 1 + z * z / n;
        double centre = p + z * z / (2 * n);
        double spread = z * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n));
        return Math.min(1, (centre + spread) / denominator);
    }

    private static final class Totals {
        final int jvms;
        final Strategy strategy;
        final long[] sum = new long[Worker.RESULT_FIELDS];
        final HandOutTimes handOut = new HandOutTimes();

        Totals(int jvms, Strategy strategy) {
            this.jvms = jvms;
            this.strategy = strategy;
        }
    }

    static final class Settings {
        List<Integer> jvms = List.of(2, 4);
        int threads = 4;
        Duration duration = Duration.ofSeconds(10);
        int churn = 500;
        List<Strategy> strategies = Strategy.alternatives();
        int rounds = 1;
        int maxAllocations = 100_000;

        static Settings parse(String[] args) {
            Settings settings = new Settings();
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--jvms" -> settings.jvms = Arrays.stream(value.split(",")).map(Integer::parseInt).toList();
                    case "--threads" -> settings.threads = Integer.parseInt(value);
                    case "--duration" -> settings.duration = parseDuration(value);
                    case "--churn" -> settings.churn = Integer.parseInt(value);
                    case "--strategies" -> settings.strategies = Arrays.stream(value.split(",")).map(Strategy::byId).toList();
                    case "--rounds" -> settings.rounds = Integer.parseInt(value);
                    case "--max-allocations" -> settings.maxAllocations = Integer.parseInt(value);
                    default -> throw new IllegalArgumentException("Unknown option " + args[i]
                            + "; options: --jvms 2,4 --threads 4 --duration 10s --churn 500"
                            + " --strategies localport,serversocket0,spring,random[,floor] --rounds 1"
                            + " --max-allocations 100000");
                }
                i++;
            }
            if (settings.jvms.stream().anyMatch(k -> k < 1 || k > 16) || settings.threads < 1 || settings.threads > 64
                    || settings.duration.isNegative() || settings.duration.compareTo(Duration.ofMinutes(30)) > 0
                    || settings.churn < 0 || settings.churn > 5000 || settings.rounds < 1 || settings.rounds > 100) {
                throw new IllegalArgumentException("Out of bounds: 1-16 JVMs, 1-64 threads, up to 30 minutes a phase,"
                        + " 0-5000 connections/s, 1-100 rounds");
            }
            return settings;
        }

        private static Duration parseDuration(String value) {
            if (value.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
            }
            if (value.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1)));
            }
            if (value.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(value.substring(0, value.length() - 1)));
            }
            return Duration.parse(value);
        }

        @Override
        public String toString() {
            return String.format("JVMs %s, %d threads each, %ds per phase, churn %d connections/s per JVM, %d round(s),"
                    + " strategies %s", jvms, threads, duration.toSeconds(), churn, rounds,
                    strategies.stream().map(Strategy::id).collect(Collectors.joining(",")));
        }
    }

    /** One JVM of a phase. */
    static final class Worker {

        /**
         * allocations, clashes, in ephemeral range, allocation failures, connections, connection
         * errors, other errors, clashes with a listener, clashes with a connection.
         */
        static final int RESULT_FIELDS = 9;

        private Worker() {
        }

        /** {@code STRATEGY THREADS DURATION_MILLIS CHURN MAX_ALLOCATIONS} */
        static void run(String[] args) throws Exception {
            Strategy strategy = Strategy.byId(args[0]);
            int threads = Integer.parseInt(args[1]);
            long duration = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[2]));
            int churnRate = Integer.parseInt(args[3]);
            int maxAllocations = Integer.parseInt(args[4]);
            int[] ephemeral = Machine.ephemeralRange();
            startWatchdog(duration + TimeUnit.SECONDS.toNanos(120));
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));

            LongAdder[] counts = new LongAdder[RESULT_FIELDS];
            Arrays.setAll(counts, i -> new LongAdder());
            HandOutTimes handOut = new HandOutTimes();
            long churnDeadline = System.nanoTime() + START_TIMEOUT.toNanos() + duration + TimeUnit.SECONDS.toNanos(5);
            try (Churn churn = new Churn(churnRate, churnDeadline)) {
                oneRound(strategy, ephemeral, new LongAdder[RESULT_FIELDS], null); // loads the classes
                Thread.sleep(1000); // the connections are under way before the phase starts
                System.out.println("READY");
                if (!"GO".equals(in.readLine())) {
                    return;
                }
                long deadline = System.nanoTime() + duration;
                long churnBefore = churn.connections.sum();
                long churnErrorsBefore = churn.errors.sum();
                List<Thread> workers = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    Thread thread = new Thread(() -> {
                        for (int n = 0; n < maxAllocations && System.nanoTime() < deadline; n++) {
                            oneRound(strategy, ephemeral, counts, handOut);
                        }
                    }, "allocator-" + t);
                    thread.start();
                    workers.add(thread);
                }
                for (Thread worker : workers) {
                    worker.join();
                }
                counts[4].add(churn.connections.sum() - churnBefore);
                counts[5].add(churn.errors.sum() - churnErrorsBefore);
            }
            System.out.println("RESULT " + Arrays.stream(counts).map(c -> String.valueOf(c.sum()))
                    .collect(Collectors.joining(" ")));
            System.out.println(handOut.toLine());
            System.out.flush();
        }

        /** One allocation, use and release; {@code handOut} {@code null} for the warm-up, which sleeps not and times nothing. */
        private static void oneRound(Strategy strategy, int[] ephemeral, LongAdder[] counts, HandOutTimes handOut) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            boolean warmUp = handOut == null;
            Strategy.Allocation allocation;
            try {
                long started = System.nanoTime();
                allocation = strategy.allocate();
                if (!warmUp) {
                    handOut.record(System.nanoTime() - started);
                }
            }
            catch (RuntimeException e) {
                count(counts, 3);
                System.err.println("allocation failed: " + e);
                sleepMillis(1);
                return;
            }
            count(counts, 0);
            if (ephemeral != null && ephemeral[0] <= allocation.port() && allocation.port() <= ephemeral[1]) {
                count(counts, 2);
            }
            try {
                sleepMillis(warmUp ? 0 : random.nextInt(21)); // the service starting
                try (ServerSocket server = Strategy.bindServer(allocation.port())) {
                    sleepMillis(warmUp ? 0 : random.nextInt(21)); // the test using it
                }
                catch (BindException e) {
                    count(counts, 1);
                    String holder = SocketTable.holderOf(allocation.port());
                    if (holder.equals("listener")) {
                        count(counts, 7);
                    }
                    else if (holder.equals("connection")) {
                        count(counts, 8);
                    }
                }
            }
            catch (IOException | RuntimeException e) {
                count(counts, 6);
                System.err.println("error: " + e);
            }
            finally {
                try {
                    allocation.release();
                }
                catch (RuntimeException | AssertionError e) {
                    count(counts, 6);
                    System.err.println("release failed: " + e);
                }
            }
        }

        private static void count(LongAdder[] counts, int field) {
            if (counts[field] != null) {
                counts[field].increment();
            }
        }

        private static void sleepMillis(int millis) {
            if (millis > 0) {
                try {
                    Thread.sleep(millis);
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        /** Whatever happens, a worker ends: the parent's timeouts are shorter. */
        private static void startWatchdog(long nanos) {
            Thread watchdog = new Thread(() -> {
                try {
                    Thread.sleep(TimeUnit.NANOSECONDS.toMillis(nanos));
                }
                catch (InterruptedException e) {
                    return;
                }
                System.err.println("worker: time is up, exiting");
                Runtime.getRuntime().halt(3);
            }, "watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
        }

        /** The parent's view of a worker JVM. */
        static final class Handle {
            private final Process process;
            private final PrintStream in;
            private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

            private Handle(Process process) {
                this.process = process;
                this.in = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
                Thread reader = new Thread(() -> {
                    try (BufferedReader out = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String line = out.readLine(); line != null; line = out.readLine()) {
                            lines.add(line);
                        }
                    }
                    catch (IOException e) {
                        // the worker is gone
                    }
                }, "worker-reader");
                reader.setDaemon(true);
                reader.start();
            }

            static Handle start(Strategy strategy, Settings settings) throws IOException {
                List<String> command = new ArrayList<>();
                command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                command.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC"));
                for (String key : List.of("localport.range", "localport.lock.dir")) {
                    if (System.getProperty(key) != null) {
                        command.add("-D" + key + "=" + System.getProperty(key));
                    }
                }
                command.addAll(List.of("-cp", System.getProperty("java.class.path"), ClashBenchmark.class.getName(),
                        "--worker", strategy.id(), String.valueOf(settings.threads),
                        String.valueOf(settings.duration.toMillis()), String.valueOf(settings.churn),
                        String.valueOf(settings.maxAllocations)));
                return new Handle(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start());
            }

            /** The first line starting with {@code prefix}, within the timeout. */
            String expect(String prefix, Duration timeout) throws IOException, InterruptedException {
                long deadline = System.nanoTime() + timeout.toNanos();
                while (true) {
                    String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    if (line == null) {
                        throw new IOException("No " + prefix + " from a worker JVM within " + timeout.toSeconds()
                                + "s" + (process.isAlive() ? "" : "; it exited with " + process.exitValue()));
                    }
                    if (line.startsWith(prefix)) {
                        return line;
                    }
                    System.out.println("worker: " + line);
                }
            }

            void send(String line) {
                in.println(line);
            }

            void finish() throws InterruptedException {
                in.close();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("A worker JVM did not exit within 30 s");
                }
            }

            void kill() {
                process.destroyForcibly();
            }
        }
    }
}
