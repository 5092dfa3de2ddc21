package io.github.localport.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Ports asked for by number in one JVM: who is waited for, in what order, and what a timeout says. */
@Timeout(60)
class FixedPortTests {

    private static final Duration LONG = Duration.ofSeconds(30);

    @Test
    void waitsForAHolderInThisJvmAndTakesThePortOnceItIsReleased() throws Exception {
        int port = Held.freePort();
        Reservation holder = Ports.reserve(port);
        Waiting waiter = Waiting.start(port, "the waiter", LONG);
        waiter.awaitParked();

        long released = System.nanoTime();
        holder.close();
        try (Reservation taken = waiter.reservation()) {
            assertThat(taken.number()).isEqualTo(port);
            assertThat(Duration.ofNanos(waiter.tookAt - released)).as("from the release to the take")
                    .isLessThan(Duration.ofSeconds(1));
        }
        assertThat(Held.byLocalport(port)).isFalse();
    }

    @Test
    void waitsForAProgramThatDoesNotUseLocalport() throws Exception {
        int port = Held.freePort();
        Waiting waiter;
        try (ServerSocket server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
            waiter = Waiting.start(port, "the waiter", LONG);
            waiter.awaitParked();
            assertThat(waiter.result.isDone()).isFalse();
        }
        try (Reservation taken = waiter.reservation()) {
            assertThat(taken.number()).isEqualTo(port);
        }
    }

    @Test
    void waitersOfOneJvmTakeThePortInTheOrderTheyAsked() throws Exception {
        int port = Held.freePort();
        Reservation holder = Ports.reserve(port);
        List<Waiting> waiters = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Waiting waiter = Waiting.start(port, "waiter " + i, LONG);
            waiter.awaitParked();
            waiters.add(waiter);
        }
        holder.close();

        List<Long> takenAt = new ArrayList<>();
        for (Waiting waiter : waiters) {
            waiter.reservation().close();
            takenAt.add(waiter.tookAt);
        }
        assertThat(takenAt).isSorted();
    }

    @Test
    void namesTheDeclarationOfThisJvmThatHeldThePortWhenTheWaitRunsOut() {
        int port = Held.freePort();
        try (Reservation holder = PortRegistry.reserve(new PortRequest("", Transport.TCP, "the holder"), "a test",
                Settings.fromSystemProperties().withRange(PortRange.exactly(port)))) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> FixedPort.reserve(port, request("the waiter"), "a test",
                    Settings.fromSystemProperties(), Duration.ofMillis(200)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("Port %d (TCP) is not free for the waiter: this JVM holds it for the holder. localport"
                            + " waited 200ms for it: stop what holds it, or wait longer.", port);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        }
    }

    @Test
    void namesTheConfigurationKeyWhenTheConfiguredWaitRunsOut() throws IOException {
        int port = Held.freePort();
        Settings settings = settings(Map.of(Settings.FIXED_WAIT, "100ms"));
        try (ServerSocket server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> FixedPort.reserve(port, request("the waiter"), "a test", settings))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("Port %d (TCP) is not free for the waiter: it is in use by a program that"
                            + " does not use localport, held by this JVM (pid %d", port, ProcessHandle.current().pid())
                    .hasMessageEndingWith(" localport waited 100ms for it: stop what holds it, or give it longer with"
                            + " configuration parameter 'localport.fixed.wait'.");
        }
        assertThat(Held.byLocalport(port)).isFalse();
    }

    @Test
    void namesTheOtherJvmThatHeldThePortWhenTheWaitRunsOut() throws Exception {
        int port = Held.freePort();
        try (ChildJvm child = ChildJvm.start(List.of("-Dlocalport.range=" + port + "-" + port), ReserveAndHold.class,
                "1")) {
            assertThat(child.readLine()).isEqualTo("STARTED");
            child.send("go");
            assertThat(child.readUntil("READY")).containsExactly(String.valueOf(port));

            assertThatThrownBy(() -> FixedPort.reserve(port, request("the waiter"), "a test",
                    Settings.fromSystemProperties(), Duration.ofMillis(100)))
                    .hasMessageContaining("another JVM or user holds it through localport, held by pid "
                            + child.process().pid() + " (")
                    .hasMessageEndingWith("waited 100ms for it: stop what holds it, or wait longer.");
        }
    }

    @Test
    void aZeroWaitTriesOnceAndSaysOnlyWhoHoldsThePort() {
        int port = Held.freePort();
        try (Reservation holder = PortRegistry.reserve(new PortRequest("", Transport.TCP, "the holder"), "a test",
                Settings.fromSystemProperties().withRange(PortRange.exactly(port)))) {
            assertThatThrownBy(() -> FixedPort.reserve(port, request("the waiter"), "a test",
                    Settings.fromSystemProperties(), Duration.ZERO))
                    .hasMessage("Port %d (TCP) is not free for the waiter: this JVM holds it for the holder.", port);
        }
    }

    @Test
    void refusesWhatIsNotAPortNumber() {
        assertThatThrownBy(() -> FixedPort.reserve(0, request("the asker"), "a test", Settings.fromSystemProperties()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("A port number is between 1 and 65535, but was 0 (the asker)");
        assertThatThrownBy(() -> FixedPort.reserve(65536, request("the asker"), "a test",
                Settings.fromSystemProperties())).isInstanceOf(ConfigurationException.class);
    }

    @Test
    void keepsTheInterruptStatusAndWaitsAllTheSame() throws Exception {
        int port = Held.freePort();
        Reservation holder = Ports.reserve(port);
        Thread self = Thread.currentThread();
        CompletableFuture.runAsync(() -> {
            Held.eventually(() -> self.getState() == Thread.State.TIMED_WAITING, Duration.ofSeconds(10));
            holder.close();
        });
        Thread.currentThread().interrupt();
        try (Reservation taken = FixedPort.reserve(port, request("the waiter"), "a test", Settings.fromSystemProperties(),
                LONG)) {
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
            assertThat(taken.number()).isEqualTo(port);
        }
        finally {
            assertThat(Thread.interrupted()).isTrue();
        }
    }

    /**
     * Two holders that each want the same two ports, asking for them in opposite orders, in many
     * rounds: taken in ascending order, neither ever holds one while waiting for the other.
     */
    @Test
    void holdersOfTwoPortsByNumberNeverWaitForEachOther() throws Exception {
        int[] ports = twoFreePorts();
        int first = ports[0];
        int second = ports[1];
        Settings settings = settings(Map.of(Settings.FIXED_WAIT, "10s"));
        CyclicBarrier together = new CyclicBarrier(2);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> holders = new ArrayList<>();
            for (int[] order : new int[][] { { first, second }, { second, first } }) {
                holders.add(threads.submit(() -> {
                    Map<Integer, PortRequest> requests = new LinkedHashMap<>();
                    for (int port : order) {
                        requests.put(port, request("port " + port + " of " + Thread.currentThread().getName()));
                    }
                    for (int round = 0; round < 20; round++) {
                        together.await(10, TimeUnit.SECONDS);
                        List<Reservation> taken = FixedPort.reserveAll(requests, "a round", settings);
                        assertThat(taken).extracting(Reservation::number).containsExactly(Math.min(first, second),
                                Math.max(first, second));
                        Reservation.closeAll(taken);
                    }
                    return null;
                }));
            }
            for (Future<?> holder : holders) {
                holder.get(30, TimeUnit.SECONDS);
            }
        }
        finally {
            threads.shutdownNow();
        }
    }

    @Test
    void releasesThePortsItTookWhenALaterOneIsNotFree() throws IOException {
        int[] ports = twoFreePorts();
        int first = ports[0];
        int second = ports[1];
        Map<Integer, PortRequest> requests = Map.of(first, request("the first"), second, request("the second"));
        try (ServerSocket server = new ServerSocket(Math.max(first, second), 50, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> FixedPort.reserveAll(requests, "a test", settings(Map.of(Settings.FIXED_WAIT,
                    "50ms")))).isInstanceOf(IllegalStateException.class).hasMessageContaining("waited 50ms");
        }
        assertThat(Held.byLocalport(Math.min(first, second))).isFalse();
    }

    /**
     * A thread of a fork-join pool that waits for a port lets the pool run other work: here the
     * work that makes the holder let go, which would otherwise wait for the waiter's thread. The
     * pool is built as JUnit Jupiter builds its own (minimum runnable threads = parallelism).
     */
    @Test
    void aWaitingThreadOfAForkJoinPoolLetsThePoolRunOtherWork() throws Exception {
        int port = Held.freePort();
        ForkJoinPool pool = new ForkJoinPool(2, ForkJoinPool.defaultForkJoinWorkerThreadFactory, null, false, 2, 258, 2,
                busy -> true, 30, TimeUnit.SECONDS);
        try {
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch otherWorkRan = new CountDownLatch(1);
            AtomicReference<Thread> waiting = new AtomicReference<>();
            Future<Boolean> holder = pool.submit(() -> {
                try (Reservation reservation = Ports.reserve(port)) {
                    holding.countDown();
                    return otherWorkRan.await(20, TimeUnit.SECONDS); // blocks its pool thread, unmanaged
                }
            });
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
            Future<Integer> waiter = pool.submit(() -> {
                waiting.set(Thread.currentThread());
                try (Reservation reservation = FixedPort.reserve(port, request("the waiter"), "a test",
                        Settings.fromSystemProperties(), LONG)) {
                    return reservation.number();
                }
            });
            assertThat(Held.eventually(() -> waiting.get() != null
                    && waiting.get().getState() == Thread.State.TIMED_WAITING, Duration.ofSeconds(10)))
                    .as("the waiter waiting on the pool's second thread").isTrue();
            pool.submit(otherWorkRan::countDown);

            assertThat(holder.get(30, TimeUnit.SECONDS)).as("the other work ran while the waiter waited").isTrue();
            assertThat(waiter.get(30, TimeUnit.SECONDS)).isEqualTo(port);
        }
        finally {
            pool.shutdownNow();
        }
    }

    private static PortRequest request(String declaration) {
        return new PortRequest("", Transport.TCP, declaration);
    }

    /** The settings of system properties, with these keys set. */
    private static Settings settings(Map<String, String> values) {
        return Settings.from(key -> Optional.ofNullable(values.getOrDefault(key, System.getProperty(key))));
    }

    /** Two distinct ports nobody holds now. */
    private static int[] twoFreePorts() {
        try (Reservation first = Ports.reserve(); Reservation second = Ports.reserve()) {
            return new int[] { first.number(), second.number() };
        }
    }

    /** A thread that waits for a port by number. */
    private static final class Waiting {
        final CompletableFuture<Reservation> result = new CompletableFuture<>();
        final Thread thread;
        volatile long tookAt;

        private Waiting(int port, String declaration, Duration wait) {
            thread = new Thread(() -> {
                try {
                    Reservation reservation = FixedPort.reserve(port, request(declaration), "a test",
                            Settings.fromSystemProperties(), wait);
                    tookAt = System.nanoTime();
                    result.complete(reservation);
                }
                catch (RuntimeException | Error e) {
                    result.completeExceptionally(e);
                }
            }, declaration);
        }

        static Waiting start(int port, String declaration, Duration wait) {
            Waiting waiting = new Waiting(port, declaration, wait);
            waiting.thread.start();
            return waiting;
        }

        /** Until the thread waits, parked in the queue or between polls. */
        void awaitParked() {
            assertThat(Held.eventually(() -> thread.getState() == Thread.State.TIMED_WAITING, Duration.ofSeconds(10)))
                    .as("%s waiting", thread.getName()).isTrue();
        }

        Reservation reservation() throws Exception {
            return result.get(30, TimeUnit.SECONDS);
        }
    }
}
