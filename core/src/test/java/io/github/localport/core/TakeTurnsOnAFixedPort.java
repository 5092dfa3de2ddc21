package io.github.localport.core;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A child JVM's main for {@link FixedPortQueueTests}: a build's test JVM whose threads all use
 * one port by number, as tests of a client hard-wired to a port do.
 *
 * <p>Arguments: {@code PORT THREADS ROUNDS HOLD_MILLIS FILE}. Prints {@code STARTED} and waits
 * for a line, so that several children start at once. Then each of THREADS threads prints
 * {@code ASKING} and, ROUNDS times: reserves PORT with {@link FixedPort} (waiting up to 60 s), binds a server on
 * 127.0.0.1 at it, holds it HOLD_MILLIS, closes the server and releases the port. A
 * {@link BindException} is a clash: something else had the port. Each hold is written to FILE
 * as {@code port start end} ({@link System#nanoTime()} after the reservation returned and
 * before it is closed: one clock for every process on Linux). Finally prints
 * {@code RESULT holds clashes errors} and {@code DONE}.
 */
public final class TakeTurnsOnAFixedPort {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private TakeTurnsOnAFixedPort() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int threads = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        long hold = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[3]));
        Path file = Path.of(args[4]);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        warmUp();
        System.out.println("STARTED");
        in.readLine();

        List<String> holds = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger clashes = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        Settings settings = Settings.fromSystemProperties();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            PortRequest request = new PortRequest("", Transport.TCP, "thread " + t + " of pid " + ProcessHandle.current().pid());
            Thread worker = new Thread(() -> {
                System.out.println("ASKING");
                for (int round = 0; round < rounds; round++) {
                    try (Reservation reservation = FixedPort.reserve(port, request, "a round", settings, WAIT)) {
                        long start = System.nanoTime();
                        try (ServerSocket server = new ServerSocket()) {
                            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
                            LockSupport.parkNanos(hold);
                        }
                        catch (BindException e) {
                            clashes.incrementAndGet();
                            System.out.println("CLASH " + port + ": " + e.getMessage());
                        }
                        holds.add(port + " " + start + " " + System.nanoTime());
                    }
                    catch (Exception | AssertionError e) {
                        errors.incrementAndGet();
                        System.out.println("ERROR " + e);
                    }
                }
            }, "worker-" + t);
            worker.start();
            workers.add(worker);
        }
        for (Thread worker : workers) {
            worker.join(WAIT.toMillis());
        }
        Files.write(file, holds);
        System.out.println("RESULT " + holds.size() + " " + clashes + " " + errors);
        System.out.println("DONE");
    }

    /** Runs a round once on a port of its own, so that the first turns do not pay for loading classes. */
    private static void warmUp() throws IOException {
        int free;
        try (Reservation any = Ports.reserve()) {
            free = any.number();
        }
        PortRequest request = new PortRequest("", Transport.TCP, "a warm-up");
        try (Reservation reservation = FixedPort.reserve(free, request, "a warm-up", Settings.fromSystemProperties(), WAIT);
                ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), reservation.number()), 50);
        }
    }
}
