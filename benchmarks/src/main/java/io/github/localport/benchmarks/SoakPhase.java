package io.github.localport.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * One phase of the {@link ChaosSoak}: a pool of worker JVMs on one lock directory for a set
 * time, with or without chaos actions, then stopped (and killed, if they do not stop in time).
 * What happened is left in the record files and in this object for {@link SoakAnalysis}.
 */
final class SoakPhase {

    static final long NONE = Long.MIN_VALUE;

    /** The chaos actions, as {@code --actions} names them. */
    static final List<String> ACTIONS = List.of("kill", "delete-lock-file", "delete-lock-dir", "plant-fifo",
            "plant-foreign-file", "plant-symlink", "ipv4-worker", "foreign-listener");

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    /** A worker's own grace after STOP (20 s, so a thread stuck at the end is seen as hung at 15 s), and some. */
    private static final Duration STOP_TIMEOUT = Duration.ofMillis(SoakWorker.STOP_GRACE_MILLIS + 15_000);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_FOREIGN_LISTENERS_AT_ONCE = 4;
    private static final int MAX_PLANTS = 8;
    private static final int MAX_WORKER_STARTS = 2000;
    private static final String[] FOREIGN_ADDRESSES = { "127.0.0.1", "0.0.0.0", "::1" };

    final String name;
    final Path directory;
    final Path lockDirectory;
    final boolean chaos;
    final List<WorkerProcess> workers = new CopyOnWriteArrayList<>();
    final List<ForeignProcess> foreign = new CopyOnWriteArrayList<>();
    final List<Action> actions = new ArrayList<>();
    final List<String> problems = new CopyOnWriteArrayList<>();
    volatile long start = NONE;
    volatile long end = NONE;

    private final ChaosSoak.Options options;
    private final Queue<Process> children;
    private final Random random;
    private final List<WorkerProcess> pool = new ArrayList<>();
    private final Deque<Plant> plants = new ArrayDeque<>();
    private final Object runningLock = new Object();
    private boolean running;
    private volatile PrintWriter chaosLog;
    private int plantSequence;

    SoakPhase(String name, Path directory, boolean chaos, ChaosSoak.Options options, Queue<Process> children, Random random) {
        this.name = name;
        this.directory = directory;
        this.lockDirectory = directory.resolve("locks");
        this.chaos = chaos;
        this.options = options;
        this.children = children;
        this.random = random;
    }

    void run(Duration duration) throws IOException, InterruptedException {
        Files.createDirectories(directory);
        Files.createFile(directory.resolve("symlink-target")); // where planted links point
        try (PrintWriter log = new PrintWriter(Files.newBufferedWriter(directory.resolve("chaos.log")), true)) {
            chaosLog = log;
            for (int i = 0; i < options.workers; i++) {
                pool.add(startWorker(false));
            }
            long readyDeadline = System.nanoTime() + READY_TIMEOUT.toNanos();
            for (WorkerProcess worker : pool) {
                if (!worker.awaitReady(readyDeadline)) {
                    throw new IOException("Worker " + worker.id + " did not start within " + READY_TIMEOUT.toSeconds()
                            + " s" + (worker.process.isAlive() ? "" : "; it exited with " + worker.process.exitValue()
                                    + ", see " + worker.errFile));
                }
            }
            synchronized (runningLock) {
                start = System.nanoTime();
                running = true;
                pool.forEach(worker -> worker.send("GO"));
            }
            long phaseEnd = start + duration.toNanos();
            if (chaos) {
                chaosLoop(phaseEnd);
            }
            else {
                long left = phaseEnd - System.nanoTime();
                if (left > 0) {
                    Thread.sleep(TimeUnit.NANOSECONDS.toMillis(left)); // the phase's length
                }
            }
            synchronized (runningLock) {
                running = false;
                end = System.nanoTime();
                workers.forEach(worker -> worker.send("STOP"));
            }
            stopAll();
        }
    }

    private void chaosLoop(long phaseEnd) throws InterruptedException {
        List<String> enabled = options.actions;
        long interval = options.chaosInterval.toMillis();
        for (int n = 0; n < 1_000_000 && System.nanoTime() - phaseEnd < 0; n++) {
            long pause = Math.min(TimeUnit.NANOSECONDS.toMillis(phaseEnd - System.nanoTime()),
                    (long) (random.nextDouble() * 2 * interval));
            if (pause > 0) {
                Thread.sleep(pause); // the chaos's pace
            }
            if (System.nanoTime() - phaseEnd >= 0) {
                break;
            }
            String action = enabled.get(random.nextInt(enabled.size()));
            try {
                replaceDeadWorkers();
                act(action);
            }
            catch (IOException | RuntimeException e) {
                record(action, System.nanoTime(), -1, "failed: " + SoakWorker.oneLine(e));
            }
        }
    }

    private void act(String action) throws IOException, InterruptedException {
        int port = options.range[0] + random.nextInt(options.range[1] - options.range[0] + 1);
        switch (action) {
            case "kill" -> kill();
            case "ipv4-worker" -> retireForIpv4();
            case "foreign-listener" -> startForeign(port);
            case "delete-lock-file" -> {
                // A held one where there is one, best one whose holder has no server up yet (a service
                // starting): deleting a file nobody holds, or whose port is in use anyway, proves little.
                List<Integer> held = heldPorts();
                Set<Integer> listening = ChaosSoak.listeningPorts();
                List<Integer> starting = held.stream().filter(p -> !listening.contains(p)).toList();
                List<Integer> candidates = starting.isEmpty() ? held : starting;
                int victim = candidates.isEmpty() ? port : candidates.get(random.nextInt(candidates.size()));
                long now = System.nanoTime();
                String what = describe(lockFile(victim));
                boolean deleted = Files.deleteIfExists(lockFile(victim));
                record(action, now, victim, !deleted ? "no file there" : "deleted " + what + (held.isEmpty() ? ""
                        : starting.isEmpty() ? ", locked by a holder" : ", locked by a holder with no server up"));
            }
            case "delete-lock-dir" -> {
                long now = System.nanoTime();
                int entries = deleteTree(lockDirectory);
                plants.clear();
                record(action, now, -1, entries < 0 ? "no directory" : "deleted with " + entries + " entries");
            }
            case "plant-fifo", "plant-foreign-file", "plant-symlink" -> plant(action, port);
            default -> throw new IllegalArgumentException(action);
        }
    }

    // ---- worker JVMs ------------------------------------------------------------------------

    private WorkerProcess startWorker(boolean ipv4) throws IOException {
        if (workers.size() >= MAX_WORKER_STARTS) {
            throw new IOException("More than " + MAX_WORKER_STARTS + " worker JVMs started; not starting more");
        }
        int id = workers.size() + 1;
        Path records = directory.resolve("worker-" + id + ".log");
        Path err = directory.resolve("worker-" + id + ".err");
        List<String> command = new ArrayList<>(javaCommand());
        command.add("-Dlocalport.range=" + options.range[0] + "-" + options.range[1]);
        command.add("-Dlocalport.lock.dir=" + lockDirectory);
        if (ipv4) {
            command.add("-Djava.net.preferIPv4Stack=true");
        }
        // The worker stops on its own a while after the phase should have ended, should the driver vanish.
        long deadline = System.nanoTime() + options.phaseLength().toNanos() + READY_TIMEOUT.toNanos() * 2;
        command.addAll(List.of(SoakWorker.class.getName(), records.toString(), String.valueOf(options.threads),
                String.valueOf(deadline), String.valueOf(options.hangLimit.toMillis()),
                String.valueOf(random.nextLong())));
        long spawned = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectError(err.toFile()).start();
        children.add(process);
        WorkerProcess worker = new WorkerProcess(id, ipv4, records, err, process, spawned);
        workers.add(worker);
        worker.exitHandled = process.onExit().thenRun(() -> {
            worker.exited = System.nanoTime();
            worker.lastRecord = lastRecordTime(records);
            worker.exitCode = process.exitValue();
            log(worker.exited, "exited", -1, "worker " + id + " with " + worker.exitCode
                    + (worker.killed() ? ", SIGKILL sent " + (worker.exited - worker.killSent) / 1000 + " us before" : "")
                    + ", last record at " + worker.lastRecord);
        });
        Thread reader = new Thread(() -> worker.read(this), "worker-" + id + "-output");
        reader.setDaemon(true);
        reader.start();
        return worker;
    }

    /** A worker's READY: its clock checked against ours, then GO if the phase runs, else STOP. */
    void ready(WorkerProcess worker, long workerNanos, long readAt) {
        if (workerNanos - worker.spawned < 0 || readAt - workerNanos < 0) {
            problems.add("clock: worker " + worker.id + " said READY at " + workerNanos + ", outside [" + worker.spawned
                    + ", " + readAt + "] of the driver's System.nanoTime(): the JVMs' clocks do not compare");
        }
        synchronized (runningLock) {
            if (start != NONE) {
                worker.send(running ? "GO" : "STOP");
            }
        }
    }

    private void kill() throws InterruptedException, IOException {
        if (pool.isEmpty()) {
            return;
        }
        WorkerProcess victim = pool.remove(random.nextInt(pool.size()));
        long now = killProcess(victim);
        record("kill", now, -1, "worker " + victim.id + (victim.ipv4 ? " (IPv4 stack)" : "")
                + (victim.process.isAlive() ? ", still alive after " + KILL_TIMEOUT.toSeconds() + " s" : ""));
        pool.add(startWorker(false));
    }

    private long killProcess(WorkerProcess worker) throws InterruptedException {
        worker.killSent = System.nanoTime(); // its open intervals end here: it holds nothing after its death
        worker.process.destroyForcibly(); // SIGKILL
        worker.process.waitFor(KILL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        return worker.killSent;
    }

    private void retireForIpv4() throws IOException {
        if (pool.isEmpty()) {
            return;
        }
        WorkerProcess retired = pool.remove(random.nextInt(pool.size()));
        retired.send("STOP"); // finishes its iterations and exits
        WorkerProcess started = startWorker(true);
        pool.add(started);
        record("ipv4-worker", started.spawned, -1, "worker " + started.id + " with -Djava.net.preferIPv4Stack=true"
                + " in place of worker " + retired.id + " (stopped)");
    }

    private void replaceDeadWorkers() throws IOException {
        for (int i = 0; i < pool.size(); i++) {
            WorkerProcess worker = pool.get(i);
            if (!worker.process.isAlive()) {
                problems.add("worker " + worker.id + " exited on its own with " + worker.process.exitValue() + "; see "
                        + worker.errFile);
                pool.set(i, startWorker(worker.ipv4));
            }
        }
    }

    /** STOP was sent: waits for every JVM to exit, kills what does not in time. */
    private void stopAll() throws InterruptedException {
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        for (WorkerProcess worker : workers) {
            long left = deadline - System.nanoTime();
            if (!worker.process.waitFor(Math.max(0, TimeUnit.NANOSECONDS.toMillis(left)), TimeUnit.MILLISECONDS)) {
                problems.add("worker " + worker.id + " did not exit within " + STOP_TIMEOUT.toSeconds()
                        + " s of STOP: killed");
                worker.killedAtEnd = true;
                killProcess(worker);
            }
        }
        long foreignDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (ForeignProcess listener : foreign) {
            try {
                listener.process.getOutputStream().close(); // closes early
            }
            catch (IOException e) {
                // already gone
            }
            long left = foreignDeadline - System.nanoTime();
            if (!listener.process.waitFor(Math.max(0, TimeUnit.NANOSECONDS.toMillis(left)), TimeUnit.MILLISECONDS)) {
                listener.killSent = System.nanoTime();
                listener.process.destroyForcibly();
                listener.process.waitFor(KILL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        for (WorkerProcess worker : workers) {
            worker.awaitOutput();
            try {
                worker.exitHandled.get(5, TimeUnit.SECONDS);
            }
            catch (ExecutionException | TimeoutException e) {
                problems.add("worker " + worker.id + ": its exit was not seen (" + e + ")");
            }
        }
        for (ForeignProcess listener : foreign) {
            listener.awaitOutput();
        }
    }

    // ---- foreign listeners ------------------------------------------------------------------

    private void startForeign(int port) throws IOException {
        long alive = foreign.stream().filter(listener -> listener.process.isAlive()).count();
        if (alive >= MAX_FOREIGN_LISTENERS_AT_ONCE) {
            record("foreign-listener", System.nanoTime(), port, "skipped: " + alive + " still running");
            return;
        }
        String address = FOREIGN_ADDRESSES[random.nextInt(FOREIGN_ADDRESSES.length)];
        long holdMillis = 200 + random.nextInt(1801);
        List<String> command = new ArrayList<>(javaCommand());
        command.addAll(List.of(SoakForeignListener.class.getName(), address, String.valueOf(port),
                String.valueOf(holdMillis)));
        long spawned = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        children.add(process);
        ForeignProcess listener = new ForeignProcess(foreign.size() + 1, port, address, holdMillis, process, spawned);
        foreign.add(listener);
        process.onExit().thenRun(() -> listener.exited = System.nanoTime());
        Thread reader = new Thread(listener::read, "foreign-" + listener.id + "-output");
        reader.setDaemon(true);
        reader.start();
        record("foreign-listener", spawned, port, "on " + address + " for " + holdMillis + " ms");
    }

    // ---- the lock directory -----------------------------------------------------------------

    private Path lockFile(int port) {
        return lockDirectory.resolve(port + ".lock");
    }

    /** Ports of the range whose lock file someone has locked now, by the inodes in /proc/locks (Linux). */
    private List<Integer> heldPorts() {
        Set<Long> locked = new HashSet<>();
        try (BufferedReader in = Files.newBufferedReader(Path.of("/proc/locks"), StandardCharsets.US_ASCII)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                // 1: POSIX  ADVISORY  WRITE 4242 00:2a:123456 0 EOF
                String[] fields = line.trim().split("\\s+");
                for (String field : fields) {
                    if (field.matches("[0-9a-f]+:[0-9a-f]+:\\d+")) {
                        locked.add(Long.parseLong(field.substring(field.lastIndexOf(':') + 1)));
                    }
                }
            }
        }
        catch (IOException | RuntimeException e) {
            return List.of(); // not Linux: any file
        }
        List<Integer> held = new ArrayList<>();
        for (int port = options.range[0]; port <= options.range[1]; port++) {
            try {
                Object inode = Files.getAttribute(lockFile(port), "unix:ino", LinkOption.NOFOLLOW_LINKS);
                if (inode instanceof Long number && locked.contains(number)) {
                    held.add(port);
                }
            }
            catch (IOException | RuntimeException e) {
                // no file, or no inode numbers here
            }
        }
        return held;
    }

    private void plant(String action, int port) throws IOException, InterruptedException {
        long now = System.nanoTime();
        if (action.equals("plant-foreign-file") && !ChaosSoak.isRoot()) {
            record(action, now, port, "skipped: not root, so no file of another user can be made");
            return;
        }
        if (!Files.isDirectory(lockDirectory, LinkOption.NOFOLLOW_LINKS)) {
            record(action, now, port, "skipped: no lock directory (deleted and not re-created, or not made yet)");
            return;
        }
        Path temporary = lockDirectory.resolve(".soak-plant-" + ++plantSequence);
        switch (action) {
            case "plant-fifo" -> {
                Process mkfifo = new ProcessBuilder("mkfifo", "-m", "666", temporary.toString())
                        .redirectErrorStream(true).start();
                if (!mkfifo.waitFor(10, TimeUnit.SECONDS) || mkfifo.exitValue() != 0) {
                    mkfifo.destroyForcibly();
                    String output = new String(mkfifo.getInputStream().readNBytes(500), StandardCharsets.UTF_8).strip();
                    record(action, now, port, "skipped: mkfifo failed " + output);
                    return;
                }
            }
            case "plant-foreign-file" -> {
                // Root creates it, then gives it to nobody, readable and writable by nobody alone.
                Files.createFile(temporary);
                UserPrincipal nobody = temporary.getFileSystem().getUserPrincipalLookupService()
                        .lookupPrincipalByName("nobody");
                Files.setOwner(temporary, nobody);
                Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
            }
            case "plant-symlink" -> Files.createSymbolicLink(temporary, directory.resolve("symlink-target"));
            default -> throw new IllegalArgumentException(action);
        }
        Path target = lockFile(port);
        String replaced = describe(target);
        now = System.nanoTime();
        try {
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE); // rename(2): replaces what was there
        }
        catch (NoSuchFileException | AtomicMoveNotSupportedException e) {
            record(action, now, port, "skipped: " + SoakWorker.oneLine(e));
            Files.deleteIfExists(temporary);
            return;
        }
        record(action, now, port, replaced.equals("nothing") ? "where no lock file was" : "in place of " + replaced);
        plants.addLast(new Plant(action, port));
        while (plants.size() > MAX_PLANTS) {
            removeOldestPlant();
        }
    }

    /** Keeps the planted files few, or they would take the whole range out of use. */
    private void removeOldestPlant() throws IOException {
        Plant oldest = plants.removeFirst();
        Path file = lockFile(oldest.port);
        String what = describe(file);
        boolean same = switch (oldest.kind) {
            case "plant-fifo" -> what.equals("FIFO");
            case "plant-symlink" -> what.equals("symbolic link");
            default -> what.equals("regular file") && Files.getOwner(file, LinkOption.NOFOLLOW_LINKS).getName().equals("nobody");
        };
        if (same) {
            long now = System.nanoTime();
            Files.deleteIfExists(file);
            record("remove-plant", now, oldest.port, "deleted " + what + " (the oldest plant, to keep " + MAX_PLANTS
                    + " at most)");
        }
    }

    private static String describe(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return attributes.isSymbolicLink() ? "symbolic link" : attributes.isOther() ? "FIFO"
                    : attributes.isDirectory() ? "directory" : "regular file";
        }
        catch (IOException e) {
            return "nothing";
        }
    }

    /** {@code rm -rf}, a few passes while workers create files in it; returns the entries deleted, -1 if absent. */
    static int deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return -1;
        }
        int deleted = 0;
        for (int pass = 0; pass < 20; pass++) {
            List<Path> entries;
            try (Stream<Path> walk = Files.walk(root)) {
                entries = walk.sorted(Comparator.reverseOrder()).toList();
            }
            catch (NoSuchFileException e) {
                return deleted;
            }
            catch (UncheckedIOException e) {
                continue; // a file vanished during the walk
            }
            try {
                for (Path entry : entries) {
                    if (Files.deleteIfExists(entry)) {
                        deleted++;
                    }
                }
                return deleted;
            }
            catch (DirectoryNotEmptyException e) {
                // a worker created a lock file meanwhile: another pass
            }
        }
        throw new IOException("Could not delete " + root + " in 20 passes");
    }

    private void record(String type, long nanos, int port, String detail) {
        Action action = new Action(type, nanos, port, detail);
        actions.add(action);
        log(nanos, type, port, detail);
    }

    /** A line of chaos.log; from any thread. */
    private void log(long nanos, String type, int port, String detail) {
        PrintWriter log = chaosLog;
        if (log != null) {
            log.println(nanos + " " + type + " " + port + " " + detail);
        }
    }

    /** The latest time in a worker's record file (the second time field of its last line). */
    static long lastRecordTime(Path records) {
        long last = NONE;
        try (BufferedReader in = Files.newBufferedReader(records, StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String[] fields = line.split("[ \t]");
                for (int i = 1; i < fields.length; i++) {
                    if (fields[i].length() > 6 && fields[i].chars().allMatch(Character::isDigit)) {
                        long value = Long.parseLong(fields[i]);
                        last = last == NONE || value - last > 0 ? value : last;
                    }
                }
            }
        }
        catch (IOException | RuntimeException e) {
            // none
        }
        return last;
    }

    private static List<String> javaCommand() {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"));
    }

    // ---- what the driver knows of its children --------------------------------------------

    record Action(String type, long nanos, int port, String detail) {
    }

    private record Plant(String kind, int port) {
    }

    static final class WorkerProcess {
        final int id;
        final boolean ipv4;
        final Path records;
        final Path errFile;
        final Process process;
        final long spawned;
        private final PrintStream in;
        private final CountDownLatch readyLatch = new CountDownLatch(1);
        private final CountDownLatch outputEnded = new CountDownLatch(1);
        volatile long ready = NONE;
        volatile long killSent = NONE;
        volatile long exited = NONE;
        volatile boolean killedAtEnd;
        /** The latest time in its records when it exited: it surely lived until then. */
        volatile long lastRecord = NONE;
        volatile int exitCode = Integer.MIN_VALUE;
        volatile CompletableFuture<Void> exitHandled;
        final Queue<String> output = new ConcurrentLinkedQueue<>();

        WorkerProcess(int id, boolean ipv4, Path records, Path errFile, Process process, long spawned) {
            this.id = id;
            this.ipv4 = ipv4;
            this.records = records;
            this.errFile = errFile;
            this.process = process;
            this.spawned = spawned;
            this.in = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
        }

        void read(SoakPhase phase) {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (line.startsWith("READY ") && ready == NONE) {
                        long readAt = System.nanoTime();
                        ready = Long.parseLong(line.substring(6).strip());
                        readyLatch.countDown();
                        phase.ready(this, ready, readAt);
                    }
                    else if (output.size() < 100) {
                        output.add(line);
                    }
                }
            }
            catch (IOException | RuntimeException e) {
                // the worker is gone
            }
            finally {
                readyLatch.countDown();
                outputEnded.countDown();
            }
        }

        boolean awaitReady(long deadline) throws InterruptedException {
            readyLatch.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return ready != NONE;
        }

        void awaitOutput() throws InterruptedException {
            outputEnded.await(5, TimeUnit.SECONDS);
        }

        synchronized void send(String line) {
            in.println(line);
        }

        boolean killed() {
            return killSent != NONE;
        }

        /**
         * Until when its reservations that never ended surely were held: until SIGKILL was sent if
         * that is what ended it (exit code 137, or not known yet), else (it exited, crashed or
         * was killed by something else) until its last record, when it surely lived.
         */
        long surelyAliveUntil(long fallback) {
            if (killed() && (exitCode == 137 || exitCode == Integer.MIN_VALUE)) {
                return killSent;
            }
            long last = lastRecord != NONE ? lastRecord : lastRecordTime(records);
            return last != NONE ? last : fallback;
        }
    }

    static final class ForeignProcess {
        final int id;
        final int port;
        final String address;
        final long holdMillis;
        final Process process;
        final long spawned;
        private final CountDownLatch outputEnded = new CountDownLatch(1);
        volatile long binding = NONE;
        volatile long bound = NONE;
        volatile long failed = NONE;
        volatile String failure = "";
        volatile long closing = NONE;
        volatile long closed = NONE;
        volatile long killSent = NONE;
        volatile long exited = NONE;

        ForeignProcess(int id, int port, String address, long holdMillis, Process process, long spawned) {
            this.id = id;
            this.port = port;
            this.address = address;
            this.holdMillis = holdMillis;
            this.process = process;
            this.spawned = spawned;
        }

        void read() {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    String[] fields = line.split(" ", 3);
                    long nanos = Long.parseLong(fields[1]);
                    switch (fields[0]) {
                        case "BINDING" -> binding = nanos;
                        case "BOUND" -> bound = nanos;
                        case "FAILED" -> {
                            failed = nanos;
                            failure = fields.length > 2 ? fields[2] : "";
                        }
                        case "CLOSING" -> closing = nanos;
                        case "CLOSED" -> closed = nanos;
                        default -> {
                            // nothing else is printed
                        }
                    }
                }
            }
            catch (IOException | RuntimeException e) {
                // gone
            }
            finally {
                outputEnded.countDown();
            }
        }

        void awaitOutput() throws InterruptedException {
            outputEnded.await(5, TimeUnit.SECONDS);
        }
    }
}
