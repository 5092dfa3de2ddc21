package io.github.localport.benchmarks;

import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;

import io.github.localport.ReservedPort;

/**
 * One worker JVM of the {@link ChaosSoak}: T threads, each looping reserve a port with
 * {@code ReservedPort.reserve()}, wait 0-100 ms (a service starting), bind a server on
 * 127.0.0.1 at the port, hold it 0-100 ms, close it, release the port. Its configuration
 * ({@code localport.range}, {@code localport.lock.dir}) comes from system properties.
 *
 * <p>Every event is appended to the record file with one {@code write} call, unbuffered, so
 * that the records up to a SIGKILL survive it. Times are {@link System#nanoTime()}: on Linux
 * the JDK reads CLOCK_MONOTONIC, one clock for every process of the machine, so times of
 * different JVMs compare (the driver checks this for every worker it starts). Records, one a
 * line, fields separated by spaces:
 *
 * <pre>
 * H pid ipv4Stack nanos                 header
 * R thread seq port t0 t1               reserve() called at t0, returned the port at t1
 * F thread t0 t1 exception...           reserve() threw
 * X thread seq port tb0 tb1 message...  BindException binding the server (a clash)
 * D thread seq port tb0 tb1 outcome tc0 tc1 tr0 tr1 [leak...]
 *                                       done: bind from tb0 to tb1 (outcome bound, clash or
 *                                       error:...), server closed from tc0 to tc1 (0 0 if never
 *                                       bound), close() of the reservation from tr0 to tr1
 * P thread nanos lastProgress state \t frame \t frame...
 *                                       a thread without progress for the hang limit, its stack
 * Z nanos stuckThreads                  clean exit
 * </pre>
 *
 * <p>Arguments: {@code RECORD_FILE THREADS DEADLINE_NANOS HANG_MILLIS SEED}. Prints
 * {@code READY nanos}, starts on a {@code GO} line, stops on a {@code STOP} line or the end of
 * its input (the driver is gone), and stops on its own at {@code DEADLINE_NANOS} (a
 * {@code System.nanoTime()} value) whatever happens.
 */
public final class SoakWorker {

    static final int MAX_START_UP_MILLIS = 100;
    static final int MAX_HOLD_MILLIS = 100;
    /** After a failed reserve(), as the next test would start: keeps a failing library from spinning. */
    static final int BACK_OFF_MILLIS = 100;
    static final long MAX_ITERATIONS_PER_THREAD = 10_000_000;
    /** How long threads may take to finish after STOP before the worker exits anyway. */
    static final long STOP_GRACE_MILLIS = 20_000;

    private final Records records;
    private final int threads;
    private final long deadline;
    private final long hangNanos;
    private final long seed;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final CountDownLatch go = new CountDownLatch(1);
    private final AtomicLongArray progress;
    private final AtomicLongArray reportedHang;
    private final Thread[] workers;

    private SoakWorker(Records records, int threads, long deadline, long hangNanos, long seed) {
        this.records = records;
        this.threads = threads;
        this.deadline = deadline;
        this.hangNanos = hangNanos;
        this.seed = seed;
        this.progress = new AtomicLongArray(threads);
        this.reportedHang = new AtomicLongArray(threads);
        this.workers = new Thread[threads];
    }

    public static void main(String[] args) throws Exception {
        Path recordFile = Path.of(args[0]);
        int threads = Integer.parseInt(args[1]);
        long deadline = Long.parseLong(args[2]);
        long hangNanos = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[3]));
        long seed = Long.parseLong(args[4]);
        try (Records records = new Records(recordFile)) {
            new SoakWorker(records, threads, deadline, hangNanos, seed).run();
        }
        // Threads stuck in a system call (a FIFO's open) must not keep the JVM alive.
        System.exit(0);
    }

    private void run() throws InterruptedException {
        records.write("H " + ProcessHandle.current().pid() + " "
                + Boolean.parseBoolean(System.getProperty("java.net.preferIPv4Stack")) + " " + System.nanoTime());
        System.out.println("READY " + System.nanoTime());
        System.out.flush();
        startDaemon("input", this::readInput);
        if (!go.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS) || stop.get()) {
            records.write("Z " + System.nanoTime() + " 0");
            return;
        }
        for (int t = 0; t < threads; t++) {
            int index = t;
            progress.set(index, System.nanoTime());
            workers[t] = new Thread(() -> loop(index), "soak-" + t);
            workers[t].setDaemon(true);
            workers[t].start();
        }
        startDaemon("watchdog", this::watch);
        // Joined without a time limit while running: the loops end at STOP or the deadline.
        long graceEnd = Long.MAX_VALUE;
        for (Thread worker : workers) {
            while (worker.isAlive()) {
                long now = System.nanoTime();
                if (graceEnd == Long.MAX_VALUE && (stop.get() || now - deadline >= 0)) {
                    graceEnd = now + TimeUnit.MILLISECONDS.toNanos(STOP_GRACE_MILLIS);
                }
                if (now - graceEnd >= 0) {
                    break;
                }
                worker.join(graceEnd == Long.MAX_VALUE ? 1000 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(graceEnd - now)));
            }
        }
        long stuck = Arrays.stream(workers).filter(Thread::isAlive).count();
        records.write("Z " + System.nanoTime() + " " + stuck);
    }

    private void readInput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.equals("GO")) {
                    go.countDown();
                }
                else if (line.equals("STOP")) {
                    break;
                }
            }
        }
        catch (IOException e) {
            // the driver is gone: stop as at the end of input
        }
        stop.set(true);
        go.countDown();
    }

    private void loop(int index) {
        Random random = new Random(seed * 31 + index);
        for (long n = 0; n < MAX_ITERATIONS_PER_THREAD && !stop.get() && System.nanoTime() - deadline < 0; n++) {
            iteration(index, n, random);
        }
        progress.set(index, Long.MAX_VALUE); // finished: never hung
    }

    private void iteration(int index, long seq, Random random) {
        progressed(index);
        long t0 = System.nanoTime();
        ReservedPort port;
        try {
            port = ReservedPort.reserve();
        }
        catch (RuntimeException | Error e) {
            records.write("F " + index + " " + t0 + " " + System.nanoTime() + " " + oneLine(e));
            progressed(index);
            pause(BACK_OFF_MILLIS);
            return;
        }
        long t1 = System.nanoTime();
        int number = port.number();
        records.write("R " + index + " " + seq + " " + number + " " + t0 + " " + t1);
        progressed(index);
        pause(random.nextInt(MAX_START_UP_MILLIS + 1));
        long tb0 = System.nanoTime();
        ServerSocket server = null;
        String outcome;
        long tb1;
        try {
            server = Strategy.bindServer(number);
            tb1 = System.nanoTime();
            outcome = "bound";
        }
        catch (BindException e) {
            tb1 = System.nanoTime();
            outcome = "clash";
            records.write("X " + index + " " + seq + " " + number + " " + tb0 + " " + tb1 + " " + oneLine(e));
        }
        catch (IOException | RuntimeException e) {
            tb1 = System.nanoTime();
            outcome = "error:" + oneLine(e).replace(' ', '_');
        }
        progressed(index);
        long tc0 = 0;
        long tc1 = 0;
        if (server != null) {
            pause(random.nextInt(MAX_HOLD_MILLIS + 1));
            tc0 = System.nanoTime();
            try {
                server.close();
            }
            catch (IOException e) {
                outcome = "error:close_" + oneLine(e).replace(' ', '_');
            }
            tc1 = System.nanoTime();
            progressed(index);
        }
        long tr0 = System.nanoTime();
        String leak = "";
        try {
            port.close();
        }
        catch (RuntimeException | AssertionError e) {
            leak = " " + oneLine(e);
        }
        long tr1 = System.nanoTime();
        records.write("D " + index + " " + seq + " " + number + " " + tb0 + " " + tb1 + " " + outcome + " " + tc0 + " "
                + tc1 + " " + tr0 + " " + tr1 + leak);
    }

    private void progressed(int index) {
        progress.set(index, System.nanoTime());
    }

    /** Reports, once per stall, every thread without progress for the hang limit, with its stack. */
    private void watch() {
        long end = deadline + TimeUnit.MILLISECONDS.toNanos(STOP_GRACE_MILLIS) * 2;
        while (System.nanoTime() - end < 0) {
            try {
                Thread.sleep(1000); // the check's period, not a synchronisation
            }
            catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                long last = progress.get(t);
                if (last != Long.MAX_VALUE && now - last > hangNanos && reportedHang.get(t) != last) {
                    reportedHang.set(t, last);
                    StringBuilder line = new StringBuilder("P " + t + " " + now + " " + last + " "
                            + workers[t].getState());
                    for (StackTraceElement frame : workers[t].getStackTrace()) {
                        line.append('\t').append(frame);
                    }
                    records.write(line.toString());
                }
            }
        }
    }

    private static void pause(int millis) {
        if (millis > 0) {
            try {
                Thread.sleep(millis); // the workload: a service starting, a test running
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void startDaemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
    }

    static String oneLine(Throwable e) {
        String text = e.getClass().getName() + ": " + e.getMessage();
        return text.replace('\n', ' ').replace('\r', ' ').replace('\t', ' ');
    }

    /**
     * The record file: each line one unbuffered {@code write}, so it is in the OS's hands at
     * once and outlives a SIGKILL of this JVM.
     */
    static final class Records implements AutoCloseable {
        private final OutputStream out;

        Records(Path file) throws IOException {
            this.out = new FileOutputStream(file.toFile(), true);
        }

        synchronized void write(String line) {
            try {
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public synchronized void close() throws IOException {
            out.close();
        }
    }
}
