package io.github.localport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry on narrow ranges inside this machine's default range, with a lock directory of
 * the test's own, so that another build on the machine cannot make them run out.
 */
class PortRegistryTests {

    private static final PortRequest REQUEST = new PortRequest("", Transport.TCP, "a test");

    @TempDir
    Path lockDirectory;

    @Test
    void threadsReservingAtOnceNeverGetAPortTwiceEvenBeforeAnythingBindsIt() throws Exception {
        int first = Held.privateRangeFirst();
        Settings narrow = settings(first, first + 599);
        int threads = 16;
        int each = 30;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Reservation> reservations = new ArrayList<>();
        try {
            List<Future<List<Reservation>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit((Callable<List<Reservation>>) () -> {
                    assertThat(start.await(10, TimeUnit.SECONDS)).isTrue();
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
                    .allSatisfy(port -> assertThat(port).isBetween(first, first + 599));
        }
        finally {
            pool.shutdownNow();
            reservations.forEach(Reservation::close);
        }
        assertThat(reservations).allSatisfy(reservation -> assertThat(isHeld(reservation.number())).isFalse());
    }

    @Test
    void reservesOnAnInterruptedThreadAndKeepsItInterrupted() {
        int port = freePort();
        Thread.currentThread().interrupt();
        try (Reservation reservation = PortRegistry.reserve(REQUEST, "a test", settings(port, port))) {
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
            assertThat(isHeld(reservation.number())).isTrue();
        }
        finally {
            assertThat(Thread.interrupted()).as("still interrupted after the release").isTrue();
        }
    }

    @Test
    void prefersAFreePortToOneInTimeWait() throws IOException {
        int port = twoAdjacentFreePorts();
        leaveTimeWaitOn(port);

        for (int i = 0; i < 10; i++) {
            try (Reservation reservation = PortRegistry.reserve(REQUEST, "a test", settings(port, port + 1))) {
                assertThat(reservation.number()).isEqualTo(port + 1);
            }
        }
    }

    @Test
    void takesAPortInTimeWaitRatherThanFailWhenNothingElseIsLeft() throws IOException {
        int port = twoAdjacentFreePorts();
        leaveTimeWaitOn(port);

        try (Reservation reservation = PortRegistry.reserve(REQUEST, "a test", settings(port, port))) {
            assertThat(reservation.number()).isEqualTo(port);
            new ServerSocket(port, 50, InetAddress.getLoopbackAddress()).close(); // SO_REUSEADDR, as Java servers bind
        }
    }

    @Test
    void goesBackOnlyToAPortWhoseSocketsAreAllInTimeWait() throws IOException {
        int port = twoAdjacentFreePorts();
        leaveTimeWaitOn(port + 1);

        try (ServerSocket listener = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
            for (int i = 0; i < 10; i++) { // either port may come first in the walk
                try (Reservation reservation = PortRegistry.reserve(REQUEST, "a test", settings(port, port + 1))) {
                    assertThat(reservation.number()).as("not the port with a listener").isEqualTo(port + 1);
                }
            }
        }
    }

    private Settings settings(int first, int last) {
        Map<String, String> values = Map.of(Settings.RANGE, first + "-" + last,
                Settings.LOCK_DIRECTORY, lockDirectory.toString());
        return Settings.from(key -> Optional.ofNullable(values.get(key)));
    }

    private boolean isHeld(int port) {
        return PortRegistry.isHeld(port, LockDirectory.at(lockDirectory));
    }

    private int freePort() {
        PortRange range = PortRange.systemDefault();
        try (Reservation reservation = PortRegistry.reserve(REQUEST, "a test", settings(range.first(), range.last()))) {
            return reservation.number();
        }
    }

    /** The server closes first, which leaves its side of the connection in TIME_WAIT. */
    private static void leaveTimeWaitOn(int port) throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(port, 50, loopback); Socket client = new Socket(loopback, port)) {
            server.accept().close();
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(PortProbe.isFree(port, Transport.TCP)).as("TIME_WAIT on " + port).isFalse();
    }

    private int twoAdjacentFreePorts() {
        PortRange range = PortRange.systemDefault();
        for (int port = range.first(); port < range.last(); port += 2) {
            if (!isHeld(port) && !isHeld(port + 1) && range.contains(port) && range.contains(port + 1)
                    && PortProbe.isFree(port, Transport.TCP) && PortProbe.isFree(port + 1, Transport.TCP)) {
                return port;
            }
        }
        throw new IllegalStateException("no two adjacent free ports in " + range);
    }
}
