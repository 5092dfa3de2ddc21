package io.github.localport;

import static io.github.localport.LocalPortTestKit.localPortTestKit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;


import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.io.TempDir;

/** Hostile machines and odd tests: planted files, read-only directories, timeouts, dead ports. */
class HardeningTests {

    static final Map<String, Integer> SEEN = new ConcurrentHashMap<>();

    @BeforeEach
    void clear() {
        SEEN.clear();
    }

    @Test
    void givesADeadPortThatRefusesConnectionsAndServersForTheWholeTest() {
        localPortTestKit().tests(DeadPortTestCase.class).assertStatistics(stats -> stats.succeeded(1));

        assertThat(Held.byLocalport(SEEN.get("port"))).isFalse();
    }

    @Test
    void rejectsADeadUdpPort() {
        localPortTestKit().tests(DeadUdpPortTestCase.class).assertThatEvents().haveExactly(1, finishedWithFailure(
                instanceOf(ParameterResolutionException.class), message(m -> m.contains(
                        "@LocalPort(dead = true) on parameter 'port' of DeadUdpPortTestCase.test(int) is for TCP only"))));
    }

    @Test
    void releasesThePortsOfATestThatTimesOut() {
        localPortTestKit().tests(TimingOutTestCase.class).assertStatistics(stats -> stats.failed(1));

        assertThat(Held.byLocalport(SEEN.get("port"))).isFalse();
    }

    @Test
    void createsAMissingLockDirectorySharedAndSticky(@TempDir Path temp) throws IOException {
        Path locks = temp.resolve("locks");
        localPortTestKit().with(LocalPort.LOCK_DIRECTORY_PROPERTY_NAME, locks.toString()).tests(OnePortTestCase.class)
                .assertStatistics(stats -> stats.succeeded(1));

        assertThat(Files.isDirectory(locks)).isTrue();
        assertThat(mode(locks)).isEqualTo(01777);
        assertThat(mode(locks.resolve(SEEN.get("port") + ".lock"))).isEqualTo(0666);
    }

    @Test
    void treatsAPlantedLinkAsHeldAndNeverFollowsIt(@TempDir Path temp) throws IOException {
        Path locks = Files.createDirectory(temp.resolve("locks"));
        Path target = Files.writeString(temp.resolve("precious"), "keep me");
        int port = Held.freePort();
        Files.createSymbolicLink(locks.resolve(port + ".lock"), target);

        localPortTestKit().with(LocalPort.LOCK_DIRECTORY_PROPERTY_NAME, locks.toString())
                .with(LocalPort.RANGE_PROPERTY_NAME, port + "-" + port).tests(OnePortTestCase.class)
                .assertThatEvents().haveExactly(1, finishedWithFailure(message(m -> m.contains("Port " + port
                        + " (TCP) is not free for parameter 'port' of OnePortTestCase.test(int): another JVM or user"
                        + " holds it through localport"))));

        assertThat(Files.readString(target)).isEqualTo("keep me");
        assertThat(Files.isSymbolicLink(locks.resolve(port + ".lock"))).isTrue();
    }

    @Test
    void neverWritesIntoALockFileItDidNotCreate(@TempDir Path temp) throws IOException {
        Path locks = Files.createDirectory(temp.resolve("locks"));
        int port = Held.freePort();
        Path lockFile = Files.writeString(locks.resolve(port + ".lock"), "someone else's");

        localPortTestKit().with(LocalPort.LOCK_DIRECTORY_PROPERTY_NAME, locks.toString())
                .with(LocalPort.RANGE_PROPERTY_NAME, port + "-" + port).tests(OnePortTestCase.class)
                .assertStatistics(stats -> stats.succeeded(1));

        assertThat(Files.readString(lockFile)).isEqualTo("someone else's");
    }

    @Test
    void namesTheKeyWhenTheLockDirectoryIsReadOnly(@TempDir Path temp) throws IOException {
        boolean root = "root".equals(System.getProperty("user.name"));
        // root writes anywhere a mode allows nothing, so it gets a directory of a file system that refuses new files
        Path readOnly = root ? Path.of("/sys/kernel") : Files.createDirectory(temp.resolve("read-only"));
        if (!root) {
            Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
        }
        String why = root ? "no lock file in it could be opened and locked" : "this user may not create files in it";

        localPortTestKit().with(LocalPort.LOCK_DIRECTORY_PROPERTY_NAME, readOnly.toString())
                .tests(OnePortTestCase.class).assertThatEvents().haveExactly(1, finishedWithFailure(message(m -> m
                        .contains("localport cannot use the lock directory " + readOnly + ": " + why)
                        && m.contains("set configuration parameter 'localport.lock.dir'"))));
    }

    @Test
    void rejectsBadArgumentsToReserveByNumber() {
        assertThatThrownBy(() -> ReservedPort.reserve(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("A port number is between 1 and 65535, but was 0 (ReservedPort.reserve(0)");
        assertThatThrownBy(() -> ReservedPort.reserve(65536)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ReservedPort.reserve(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("protocol must not be null");
    }

    private static int mode(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:mode") & 07777;
    }

    static class OnePortTestCase {
        @Test
        void test(@LocalPort int port) {
            SEEN.put("port", port);
        }
    }

    static class DeadPortTestCase {
        @Test
        void test(@LocalPort(dead = true) InetSocketAddress dead) {
            SEEN.put("port", dead.getPort());
            assertThatThrownBy(() -> new Socket(dead.getAddress(), dead.getPort()).close())
                    .isInstanceOf(ConnectException.class);
            assertThatThrownBy(() -> new ServerSocket(dead.getPort(), 50, InetAddress.getLoopbackAddress()).close())
                    .isInstanceOf(BindException.class);
        }
    }

    static class DeadUdpPortTestCase {
        @Test
        void test(@LocalPort(dead = true, protocol = Protocol.UDP) int port) {
        }
    }

    static class TimingOutTestCase {
        @Test
        @Timeout(value = 200, unit = TimeUnit.MILLISECONDS)
        void test(@LocalPort int port) throws InterruptedException {
            SEEN.put("port", port);
            new CountDownLatch(1).await(10, TimeUnit.SECONDS);
        }
    }
}
