package io.github.localport.benchmarks;

import static io.github.localport.benchmarks.SoakPhase.NONE;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.github.localport.benchmarks.SoakPhase.Action;
import io.github.localport.benchmarks.SoakPhase.ForeignProcess;
import io.github.localport.benchmarks.SoakPhase.WorkerProcess;

/**
 * Reads a phase's record files and what the driver saw, and counts what went wrong. All times
 * are {@code System.nanoTime()} of the JVMs involved (one clock on Linux; checked per worker).
 *
 * <p>Only what the records prove is counted:
 * <ul>
 * <li>overlap: a port handed out (reserve() returned) before another holder of it had called
 * close(), or before that holder's JVM was sent SIGKILL;</li>
 * <li>clash: a BindException binding the server; its cause is a foreign listener on 127.0.0.1 or
 * 0.0.0.0 that may have been listening during the bind, else another localport holder whose
 * server may have been bound then, else unexplained;</li>
 * <li>handed out over a foreign listener: reserve() ran from start to end while a foreign
 * listener surely listened on the port (after it reported being bound, before it began to close);</li>
 * <li>hung thread: a worker thread that its watchdog saw without progress for the hang limit.</li>
 * </ul>
 */
final class SoakAnalysis {

    private static final int DETAILS = 5;

    final SoakPhase phase;
    long reservations;
    long reservationsInPhase;
    long overlaps;
    long localportClashes;
    long foreignClashes;
    long unexplainedClashes;
    long overForeign;
    long hungThreads;
    long failedReservations;
    long exhausted;
    long leakReports;
    long otherErrors;
    long unparsable;
    double seconds;
    /** Seconds that worker JVMs were up (ready and not yet killed or exited) during the phase, added up. */
    double workerSeconds;
    final Map<String, Integer> overlapCauses = new TreeMap<>();
    final Map<String, Integer> localportClashCauses = new TreeMap<>();
    final Map<String, Integer> overForeignCauses = new TreeMap<>();
    final Map<String, Integer> hangSignatures = new TreeMap<>();
    final Map<String, String> hangStacks = new LinkedHashMap<>();
    final Map<String, Integer> failures = new TreeMap<>();
    final Map<String, Integer> leaks = new TreeMap<>();
    final Map<String, Integer> actionCounts = new TreeMap<>();
    final List<String> overlapDetails = new ArrayList<>();
    final List<String> clashDetails = new ArrayList<>();
    final List<String> overForeignDetails = new ArrayList<>();

    private final List<Hold> holds = new ArrayList<>();
    private final List<Clash> clashes = new ArrayList<>();

    private SoakAnalysis(SoakPhase phase) {
        this.phase = phase;
    }

    static SoakAnalysis of(SoakPhase phase) throws IOException {
        SoakAnalysis analysis = new SoakAnalysis(phase);
        for (WorkerProcess worker : phase.workers) {
            analysis.read(worker);
        }
        analysis.analyse();
        return analysis;
    }

    /**
     * Any overlap, localport clash, hand-out over a foreign listener, hung thread, or failed
     * reservation other than an exhausted range (every holder of the soak together takes fewer
     * ports than the range has, so under a sound library only misconfiguration exhausts it); or
     * a worker whose clock is not the driver's.
     */
    boolean failed() {
        return overlaps + localportClashes + overForeign + hungThreads + failedReservations - exhausted > 0
                || phase.problems.stream().anyMatch(problem -> problem.startsWith("clock"));
    }

    /** The counts of the summary line. */
    String counts() {
        return String.format(Locale.ROOT, "%d overlaps, %d localport clashes, %d foreign clashes, %d unexplained clashes,"
                + " %d handed out over a foreign listener, %d hung threads, %d failed reservations%s", overlaps,
                localportClashes, foreignClashes, unexplainedClashes, overForeign, hungThreads, failedReservations,
                exhausted == 0 ? "" : " (" + exhausted + " for an exhausted range)");
    }

    long chaosActions() {
        return phase.actions.stream().filter(action -> !action.detail().startsWith("skipped")
                && !action.type().equals("remove-plant")).count();
    }

    double rate() {
        return seconds == 0 ? 0 : reservationsInPhase / seconds;
    }

    /**
     * Reservations per second of a worker JVM that was up: chaos stops and starts workers, and a
     * JVM starting up reserves nothing for a second or two, which is not localport's time.
     */
    double ratePerRunningWorker() {
        return workerSeconds == 0 ? 0 : reservationsInPhase / workerSeconds;
    }

    // ---- reading ----------------------------------------------------------------------------

    private void read(WorkerProcess worker) throws IOException {
        if (!Files.exists(worker.records)) {
            return;
        }
        Map<String, Hold> open = new HashMap<>();
        try (BufferedReader in = Files.newBufferedReader(worker.records, StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                try {
                    readLine(worker, line, open);
                }
                catch (RuntimeException e) {
                    unparsable++; // a line cut short by SIGKILL
                }
            }
        }
    }

    private void readLine(WorkerProcess worker, String line, Map<String, Hold> open) {
        String[] f = line.split(" ");
        switch (f[0]) {
            case "R" -> {
                Hold hold = new Hold(worker, Integer.parseInt(f[1]), Long.parseLong(f[2]), Integer.parseInt(f[3]),
                        Long.parseLong(f[4]), Long.parseLong(f[5]));
                holds.add(hold);
                open.put(f[1] + " " + f[2], hold);
            }
            case "D" -> {
                Hold hold = open.remove(f[1] + " " + f[2]);
                hold.bindStart = Long.parseLong(f[4]);
                hold.bindEnd = Long.parseLong(f[5]);
                hold.outcome = f[6];
                hold.closeEnd = Long.parseLong(f[8]);
                hold.releaseStart = Long.parseLong(f[9]);
                hold.complete = true;
                if (f.length > 11) {
                    leakReports++;
                    count(leaks, normalise(String.join(" ", Arrays.copyOfRange(f, 11, f.length)), 100));
                }
                if (hold.outcome.startsWith("error:")) {
                    otherErrors++;
                }
            }
            case "X" -> clashes.add(new Clash(worker, Integer.parseInt(f[1]), Long.parseLong(f[2]), Integer.parseInt(f[3]),
                    Long.parseLong(f[4]), Long.parseLong(f[5])));
            case "F" -> {
                failedReservations++;
                if (line.contains("java.lang.IllegalStateException: No free port in ")) {
                    exhausted++;
                }
                count(failures, normalise(String.join(" ", Arrays.copyOfRange(f, 4, f.length)), 110));
            }
            case "P" -> {
                String[] parts = line.split("\t");
                String[] head = parts[0].split(" ");
                hungThreads++;
                String signature = signature(parts);
                count(hangSignatures, signature);
                hangStacks.putIfAbsent(signature, "worker " + worker.id + " thread soak-" + head[1] + " ("
                        + head[4] + ", no progress for " + TimeUnit.NANOSECONDS.toSeconds(Long.parseLong(head[2])
                                - Long.parseLong(head[3])) + " s):\n        at "
                        + String.join("\n        at ", Arrays.copyOfRange(parts, 1, Math.min(parts.length, 25))));
            }
            case "H", "Z" -> {
                // header and exit: nothing to count
            }
            default -> unparsable++;
        }
    }

    /** The topmost frame and the topmost frame of localport itself, as {@code Class.method}. */
    private static String signature(String[] parts) {
        List<String> frames = Arrays.stream(parts).skip(1).map(SoakAnalysis::shortFrame).toList();
        String top = frames.isEmpty() ? "(no stack)" : frames.get(0);
        String localport = frames.stream()
                .filter(frame -> frame.startsWith("io.github.localport.") && !frame.startsWith("io.github.localport.benchmarks"))
                .findFirst().orElse("(not in localport)");
        return simpleName(top) + " in " + simpleName(localport);
    }

    /** {@code app//a.b.C.m(C.java:1)} or {@code java.base@17/a.b.C.m(...)}: {@code a.b.C.m}. */
    private static String shortFrame(String frame) {
        int paren = frame.indexOf('(');
        String name = paren < 0 ? frame : frame.substring(0, paren);
        return name.substring(name.lastIndexOf('/') + 1);
    }

    private static String simpleName(String qualified) {
        String[] parts = qualified.split("\\.");
        return parts.length < 2 ? qualified : parts[parts.length - 2] + "." + parts[parts.length - 1];
    }

    // ---- analysis ---------------------------------------------------------------------------

    private void analyse() {
        seconds = (phase.end - phase.start) / 1e9;
        reservations = holds.size();
        reservationsInPhase = holds.stream().filter(h -> h.t1 - phase.start >= 0 && h.t1 - phase.end <= 0).count();
        for (WorkerProcess worker : phase.workers) {
            long up = worker.ready == SoakPhase.NONE ? phase.end : Math.max(worker.ready, phase.start);
            long down = worker.killSent != SoakPhase.NONE ? worker.killSent
                    : worker.exited != SoakPhase.NONE ? worker.exited : phase.end;
            workerSeconds += Math.max(0, Math.min(down, phase.end) - up) / 1e9;
        }
        for (Action action : phase.actions) {
            count(actionCounts, action.type() + (action.detail().startsWith("skipped") ? " (skipped)" : ""));
        }
        findOverlaps();
        classifyClashes();
        findHandOutsOverForeignListeners();
    }

    private void findOverlaps() {
        Map<Integer, List<Hold>> byPort = holds.stream().collect(Collectors.groupingBy(h -> h.port));
        for (List<Hold> ofPort : byPort.values()) {
            ofPort.sort(Comparator.comparingLong(h -> h.t1 - phase.start));
            Hold longest = null;
            for (Hold hold : ofPort) {
                if (longest != null && hold.t1 - longest.surelyHeldUntil() < 0) {
                    overlaps++;
                    String cause = lockFileActions(hold.port, longest.t0, hold.t1);
                    count(overlapCauses, cause);
                    if (overlapDetails.size() < DETAILS) {
                        overlapDetails.add(String.format(Locale.ROOT, "port %d: %s held it %s; %s got it %s (%.1f ms"
                                + " before the first %s); lock-file actions between: %s", hold.port, longest,
                                span(longest.t1, longest.surelyHeldUntil()), hold, at(hold.t1),
                                (longest.surelyHeldUntil() - hold.t1) / 1e6, longest.complete ? "called close()"
                                        : "was sent SIGKILL (or last gave a sign of life)", cause));
                    }
                }
                if (longest == null || hold.surelyHeldUntil() - longest.surelyHeldUntil() > 0) {
                    longest = hold;
                }
            }
        }
    }

    private void classifyClashes() {
        Map<Integer, List<Hold>> byPort = holds.stream().collect(Collectors.groupingBy(h -> h.port));
        for (Clash clash : clashes) {
            ForeignProcess listener = phase.foreign.stream()
                    .filter(f -> f.port == clash.port && !f.address.equals("::1") && f.binding != NONE && f.failed == NONE
                            && intersects(f.binding, foreignPossiblyUntil(f), clash.bindStart, clash.bindEnd))
                    .findFirst().orElse(null);
            if (listener != null) {
                foreignClashes++;
                continue;
            }
            List<Hold> ofPort = byPort.getOrDefault(clash.port, List.of());
            Hold own = ofPort.stream().filter(h -> h.worker == clash.worker && h.thread == clash.thread && h.seq == clash.seq)
                    .findFirst().orElse(null);
            Hold other = ofPort.stream().filter(h -> h != own)
                    .filter(h -> intersects(h.serverFrom(), h.serverPossiblyUntil(), clash.bindStart, clash.bindEnd))
                    .findFirst().orElse(null);
            if (other != null) {
                localportClashes++;
                // From the first of the two reserve() calls: a lock file lost after it let the second in.
                long from = own == null ? other.t0 : other.t0 - own.t0 < 0 ? other.t0 : own.t0;
                String cause = lockFileActions(clash.port, from, clash.bindEnd);
                count(localportClashCauses, cause);
                if (clashDetails.size() < DETAILS) {
                    clashDetails.add(String.format(Locale.ROOT, "port %d: worker %d thread %d could not bind %s;"
                            + " %s may have had its server bound %s; lock-file actions between: %s", clash.port,
                            clash.worker.id, clash.thread, at(clash.bindEnd), other,
                            span(other.serverFrom(), other.serverPossiblyUntil()), cause));
                }
            }
            else {
                unexplainedClashes++;
            }
        }
    }

    private void findHandOutsOverForeignListeners() {
        for (Hold hold : holds) {
            for (ForeignProcess f : phase.foreign) {
                if (f.port == hold.port && f.bound != NONE && f.bound - hold.t0 <= 0
                        && foreignSurelyUntil(f) - hold.t1 >= 0) {
                    overForeign++;
                    String cause = "listener on " + f.address + ", " + (hold.worker.ipv4 ? "IPv4-stack" : "dual-stack")
                            + " worker";
                    count(overForeignCauses, cause);
                    if (overForeignDetails.size() < DETAILS) {
                        overForeignDetails.add(String.format(Locale.ROOT, "port %d: %s got it %s while foreign listener"
                                + " %d listened on %s %s", hold.port, hold, span(hold.t0, hold.t1), f.id, f.address,
                                span(f.bound, foreignSurelyUntil(f))));
                    }
                    break;
                }
            }
        }
    }

    /** The lock-file chaos actions on the port (or its whole directory) in the window, by type. */
    private String lockFileActions(int port, long from, long to) {
        Set<String> types = new TreeSet<>();
        for (Action action : phase.actions) {
            boolean onFile = action.port() == port && (action.type().startsWith("plant-")
                    || action.type().equals("delete-lock-file") || action.type().equals("remove-plant"));
            boolean onDirectory = action.type().equals("delete-lock-dir");
            if ((onFile || onDirectory) && !action.detail().startsWith("skipped") && !action.detail().startsWith("no ")
                    && action.nanos() - from >= 0 && action.nanos() - to <= 0) {
                types.add(action.type());
            }
        }
        return types.isEmpty() ? "none" : String.join("+", types);
    }

    private long foreignPossiblyUntil(ForeignProcess f) {
        return f.closed != NONE ? f.closed : f.exited != NONE ? f.exited : System.nanoTime();
    }

    private long foreignSurelyUntil(ForeignProcess f) {
        return f.closing != NONE ? f.closing : f.killSent != NONE ? f.killSent : f.bound;
    }

    private static boolean intersects(long from1, long to1, long from2, long to2) {
        return from1 - to2 <= 0 && from2 - to1 <= 0;
    }

    private String at(long nanos) {
        return String.format(Locale.ROOT, "at %+.3f s", (nanos - phase.start) / 1e9);
    }

    private String span(long from, long to) {
        return String.format(Locale.ROOT, "%+.3f..%+.3f s", (from - phase.start) / 1e9, (to - phase.start) / 1e9);
    }

    private static void count(Map<String, Integer> counts, String key) {
        counts.merge(key, 1, Integer::sum);
    }

    /** A message as a category: numbers and paths made alike, cut short. */
    private static String normalise(String message, int length) {
        String text = message.replaceAll("/[^\\s,;:)]+", "PATH").replaceAll("\\d+", "N");
        return text.length() > length ? text.substring(0, length) + "..." : text;
    }

    // ---- output -----------------------------------------------------------------------------

    void print(PrintStream out) {
        long started = phase.workers.size();
        long killed = phase.workers.stream().filter(w -> w.killed() && !w.killedAtEnd).count();
        long killedAtEnd = phase.workers.stream().filter(w -> w.killedAtEnd).count();
        long ipv4 = phase.workers.stream().filter(w -> w.ipv4).count();
        long foreignBound = phase.foreign.stream().filter(f -> f.bound != NONE).count();
        out.printf(Locale.ROOT, "%n== %s: %.0f s, %d reservations (%d in the phase: %.0f/s)%n", phase.name, seconds,
                reservations, reservationsInPhase, rate());
        long diedOnTheirOwn = phase.workers.stream().filter(w -> w.exitCode != Integer.MIN_VALUE && w.exitCode != 0
                && w.exitCode != 137).count();
        out.printf(Locale.ROOT, "worker JVMs: %d started, %d SIGKILLed by chaos, %d with the IPv4 stack, %d killed at"
                + " the end (did not stop in time), %d died on their own; foreign listeners: %d started, %d bound, %d"
                + " could not bind%n", started, killed, ipv4, killedAtEnd, diedOnTheirOwn, phase.foreign.size(), foreignBound,
                phase.foreign.stream().filter(f -> f.failed != NONE).count());
        if (!actionCounts.isEmpty()) {
            out.println("chaos actions: " + format(actionCounts));
        }
        out.printf(Locale.ROOT, "overlaps %d%s%n", overlaps, overlaps == 0 ? "" : ", by lock-file actions between the two"
                + " hand-outs: " + format(overlapCauses));
        overlapDetails.forEach(detail -> out.println("  " + detail));
        out.printf(Locale.ROOT, "clashes %d: %d with another localport holder%s, %d with a foreign listener, %d"
                + " unexplained (something outside the soak)%n", clashes.size(), localportClashes,
                localportClashes == 0 ? "" : " (" + format(localportClashCauses) + ")", foreignClashes, unexplainedClashes);
        clashDetails.forEach(detail -> out.println("  " + detail));
        out.printf(Locale.ROOT, "handed out over a foreign listener %d%s%n", overForeign,
                overForeign == 0 ? "" : ": " + format(overForeignCauses));
        overForeignDetails.forEach(detail -> out.println("  " + detail));
        out.printf(Locale.ROOT, "hung threads %d%s%n", hungThreads, hungThreads == 0 ? "" : ": " + format(hangSignatures));
        hangStacks.values().stream().limit(3).forEach(stack -> out.println("  " + stack));
        out.printf(Locale.ROOT, "failed reservations %d%s%n", failedReservations,
                failedReservations == 0 ? "" : ": " + format(failures));
        out.printf(Locale.ROOT, "leak reports at close() %d%s (expected after a foreign listener took a held port)%n",
                leakReports, leakReports == 0 ? "" : ": " + format(leaks));
        if (otherErrors + unparsable > 0) {
            out.printf(Locale.ROOT, "other bind errors %d, unreadable record lines %d%n", otherErrors, unparsable);
        }
        phase.problems.forEach(problem -> out.println("problem: " + problem));
        printWorkerOutput(out);
    }

    private void printWorkerOutput(PrintStream out) {
        int shown = 0;
        for (WorkerProcess worker : phase.workers) {
            for (String line : worker.output) {
                if (shown++ < 5) {
                    out.println("worker " + worker.id + " printed: " + line);
                }
            }
            try {
                if (Files.exists(worker.errFile) && Files.size(worker.errFile) > 0) {
                    List<String> lines = Files.readAllLines(worker.errFile);
                    for (String line : lines.subList(0, Math.min(3, lines.size()))) {
                        if (shown++ < 5) {
                            out.println("worker " + worker.id + " stderr: " + line);
                        }
                    }
                }
            }
            catch (IOException e) {
                // only a hint
            }
        }
    }

    private static String format(Map<String, Integer> counts) {
        return counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .map(entry -> entry.getKey() + " " + entry.getValue()).collect(Collectors.joining(", "));
    }

    // ---- records ----------------------------------------------------------------------------

    /** One reservation: reserve() from t0 to t1, then (if complete) bind, close, release. */
    private final class Hold {
        final WorkerProcess worker;
        final int thread;
        final long seq;
        final int port;
        final long t0;
        final long t1;
        long bindStart = NONE;
        long bindEnd = NONE;
        String outcome = "";
        long closeEnd = NONE;
        long releaseStart = NONE;
        boolean complete;

        Hold(WorkerProcess worker, int thread, long seq, int port, long t0, long t1) {
            this.worker = worker;
            this.thread = thread;
            this.seq = seq;
            this.port = port;
            this.t0 = t0;
            this.t1 = t1;
        }

        /** Until close() was called, or SIGKILL was sent (or the JVM's last sign of life): surely held until then. */
        long surelyHeldUntil() {
            return complete ? releaseStart : worker.surelyAliveUntil(t1);
        }

        long serverFrom() {
            return complete ? bindStart : t1;
        }

        /** Until the server was surely closed, or the JVM surely dead. */
        long serverPossiblyUntil() {
            if (complete) {
                return outcome.equals("bound") ? closeEnd : bindEnd;
            }
            return worker.exited != NONE ? worker.exited : System.nanoTime();
        }

        @Override
        public String toString() {
            return "worker " + worker.id + (worker.ipv4 ? " (IPv4)" : "") + " thread " + thread;
        }
    }

    private record Clash(WorkerProcess worker, int thread, long seq, int port, long bindStart, long bindEnd) {
    }
}
