package io.github.localport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.localport.Protocol;
import org.junit.jupiter.api.Test;

class PortRegistryTests {

    private static final PortRequest REQUEST = new PortRequest("", Protocol.TCP, "a test");

    @Test
    void threadsReservingAtOnceNeverGetAPortTwiceEvenBeforeAnythingBindsIt() throws Exception {
        Settings narrow = range(63000, 63599);
        int threads = 16;
        int each = 30;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Reservation> reservations = new ArrayList<>();
        try {
            List<Future<List<Reservation>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit((Callable<List<Reservation>>) () -> {
                    start.await(10, TimeUnit.SECONDS);
                    List<Reservation> mine = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        mine.add(PortRegistry.reserve(REQUEST, "a test", narrow));
                    }
                    return mine;
                }));
            }
            start.countDown();
            for (Future<List<Reservation>> future : futures) {
                reservations.addAll(future.get(30, TimeUnit.SECONDS));
            }

            assertThat(reservations).extracting(Reservation::number).hasSize(threads * each).doesNotHaveDuplicates()
                    .allSatisfy(port -> assertThat(port).isBetween(63000, 63599));
        }
        finally {
            pool.shutdownNow();
            reservations.forEach(Reservation::close);
        }
        assertThat(reservations).allSatisfy(reservation -> assertThat(Held.byLocalport(reservation.number())).isFalse());
    }

    @Test
    void prefersAFreePortToOneInTimeWait() throws IOException {
        int port = twoAdjacentFreePorts();
        leaveTimeWaitOn(port);

        for (int i = 0; i < 10; i++) {
            try (Reservation reservation = PortRegistry.reserve(REQUEST, "a test", range(port, port + 1))) {
                assertThat(reservation.number()).isEqualTo(port + 1);
            }
        }
    }

    @Test
    void takesAPortInTimeWaitRatherThanFailWhenNothingElseIsLeft() throws IOException {
        int port = twoAdjacentFreePorts();
        leaveTimeWaitOn(port);

        try (Reservation reservation = PortRegistry.reserve(REQUEST, "a test", range(port, port))) {
            assertThat(reservation.number()).isEqualTo(port);
            new ServerSocket(port, 50, InetAddress.getLoopbackAddress()).close(); // SO_REUSEADDR, as Java servers bind
        }
    }

    private static Settings range(int first, int last) {
        Settings defaults = Settings.from(key -> Optional.empty());
        return new Settings(new PortRange(first, last, new BitSet(), "a test range"), defaults.lockDirectory(),
                Settings.LeakPolicy.FAIL, Duration.ZERO);
    }

    /** The server closes first, which leaves its side of the connection in TIME_WAIT. */
    private static void leaveTimeWaitOn(int port) throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(port, 50, loopback); Socket client = new Socket(loopback, port)) {
            server.accept().close();
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(PortProbe.isFree(port, Protocol.TCP)).as("TIME_WAIT on " + port).isFalse();
    }

    private static int twoAdjacentFreePorts() {
        for (int port = 62000; port < 62999; port += 2) {
            if (!Held.byLocalport(port) && !Held.byLocalport(port + 1) && PortProbe.isFree(port, Protocol.TCP)
                    && PortProbe.isFree(port + 1, Protocol.TCP)) {
                return port;
            }
        }
        throw new IllegalStateException("no two adjacent free ports in 62000-62999");
    }
}
