package io.github.localport;

import static io.github.localport.LocalPortTestKit.localPortTestKit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;


import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.opentest4j.AssertionFailedError;

class ReleaseCheckTests {

    @RegisterExtension
    static final LeftOpen LEFT_OPEN = new LeftOpen();
    static final Map<String, Integer> SEEN = new ConcurrentHashMap<>();

    @BeforeEach
    void clear() {
        SEEN.clear();
    }

    @Test
    void failsATestWhoseServerStillListensAndReleasesThePortAnyway() throws Exception {
        localPortTestKit().with(LocalPort.LEAK_GRACE_PROPERTY_NAME, "100ms").tests(LeakingTestCase.class)
                .assertStatistics(stats -> stats.failed(1))
                .assertThatEvents().haveExactly(1, finishedWithFailure(instanceOf(AssertionFailedError.class),
                        message(m -> m.startsWith("Port " + SEEN.get("port") + " (TCP) is still in use 100ms after the"
                                + " end of test " + LeakingTestCase.class.getName() + " > test(int): something listens"
                                + " on it or has it bound.")
                                && m.contains("It was reserved for parameter 'port' of LeakingTestCase.test(int).")
                                && m.contains("'localport.leak.policy'"))));

        LEFT_OPEN.closeAll();
        assertThat(Held.byLocalport(SEEN.get("port"))).isFalse();
    }

    @Test
    void failsTheClassWhoseServerOutlivesIt() {
        localPortTestKit().with(LocalPort.LEAK_GRACE_PROPERTY_NAME, "0s").execute(LeakingClassTestCase.class)
                .containerEvents().assertThatEvents()
                .haveExactly(1, finishedWithFailure(instanceOf(AssertionFailedError.class), message(m -> m.startsWith(
                        "Port " + SEEN.get("port") + " (TCP) is still in use 0s after the end of class "
                                + LeakingClassTestCase.class.getName() + ": something listens on it or has it bound."))));
    }

    @Test
    void namesUdpSocketsThatStillHaveThePortBound() {
        localPortTestKit().with(LocalPort.LEAK_GRACE_PROPERTY_NAME, "0s").tests(LeakingUdpTestCase.class)
                .assertThatEvents().haveExactly(1, finishedWithFailure(message(m -> m.startsWith(
                        "Port " + SEEN.get("port") + " (UDP) is still in use") && m.contains("has it bound"))));
    }

    @Test
    void waitsForAServerThatStopsWithinTheGracePeriod() {
        localPortTestKit().with(LocalPort.LEAK_GRACE_PROPERTY_NAME, "10s").tests(SlowStopTestCase.class)
                .assertStatistics(stats -> stats.succeeded(1));
    }

    @Test
    void doesNotCountTimeWaitLeftByAStoppedServerAsALeak() {
        localPortTestKit().with(LocalPort.LEAK_GRACE_PROPERTY_NAME, "0s").tests(TimeWaitTestCase.class)
                .assertStatistics(stats -> stats.succeeded(1));
    }

    @Test
    void releasesThePortOfAFailedOrAbortedTest() {
        localPortTestKit().tests(FailingTestCase.class).assertStatistics(stats -> stats.failed(1).aborted(1));

        assertThat(Held.byLocalport(SEEN.get("failed"))).isFalse();
        assertThat(Held.byLocalport(SEEN.get("aborted"))).isFalse();
    }

    @Test
    void onlyLogsALeakUnderTheWarnPolicyWithAdviceThatFitsIt() {
        List<LogRecord> records;
        try (LogCapture log = new LogCapture(Level.INFO)) {
            localPortTestKit().with(LocalPort.LEAK_POLICY_PROPERTY_NAME, "warn")
                    .with(LocalPort.LEAK_GRACE_PROPERTY_NAME, "0s").tests(LeakingTestCase.class)
                    .assertStatistics(stats -> stats.succeeded(1));
            records = log.records();
        }
        assertThat(records).filteredOn(record -> record.getLevel() == Level.WARNING).singleElement()
                .satisfies(record -> assertThat(record.getMessage()).startsWith(
                        "Port " + SEEN.get("port") + " (TCP) is still in use")
                        .endsWith(", or give it longer with configuration parameter 'localport.leak.grace'. (A warning"
                                + " rather than a failure, as 'localport.leak.policy' is warn.)")
                        .doesNotContain("warn or off"));
    }

    @Test
    void doesNotCheckUnderTheOffPolicy() {
        localPortTestKit().with(LocalPort.LEAK_POLICY_PROPERTY_NAME, "off").tests(LeakingTestCase.class)
                .assertStatistics(stats -> stats.succeeded(1));
    }

    @Test
    void checksAPortReservedInCodeWhenItIsClosed() throws IOException {
        System.setProperty(LocalPort.LEAK_GRACE_PROPERTY_NAME, "0s");
        ReservedPort port;
        try {
            port = ReservedPort.reserve();
        }
        finally {
            System.clearProperty(LocalPort.LEAK_GRACE_PROPERTY_NAME);
        }
        try (ServerSocket server = new ServerSocket(port.number(), 50, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(port::close).isInstanceOf(AssertionFailedError.class)
                    .hasMessageStartingWith("Port " + port.number() + " (TCP) is still in use 0s after the end of its"
                            + " reservation (ReservedPort.close())")
                    .hasMessageContaining("It was reserved for ReservedPort.reserve() called at "
                            + getClass().getName() + ".checksAPortReservedInCodeWhenItIsClosed(");
        }
        assertThat(Held.byLocalport(port.number())).isFalse();
    }

    static class LeakingTestCase {
        @Test
        void test(@LocalPort int port) throws IOException {
            SEEN.put("port", port);
            LEFT_OPEN.add(new ServerSocket(port, 50, InetAddress.getLoopbackAddress()));
        }
    }

    static class LeakingClassTestCase {
        @BeforeAll
        static void startServer(@LocalPort int port) throws IOException {
            SEEN.put("port", port);
            LEFT_OPEN.add(new ServerSocket(port, 50, InetAddress.getLoopbackAddress()));
        }

        @Test
        void test() {
        }
    }

    static class LeakingUdpTestCase {
        @Test
        void test(@LocalPort(protocol = Protocol.UDP) int port) throws IOException {
            SEEN.put("port", port);
            LEFT_OPEN.add(new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
        }
    }

    /** The server is stopped 200 ms after the test returns, as slow servers do. */
    static class SlowStopTestCase {
        @Test
        void test(@LocalPort int port) throws IOException {
            ServerSocket server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
            ScheduledExecutorService stopper = Executors.newSingleThreadScheduledExecutor();
            stopper.schedule(() -> {
                server.close();
                return null;
            }, 200, TimeUnit.MILLISECONDS);
            stopper.shutdown();
        }
    }

    /** The server closes a connection first, which leaves a TIME_WAIT socket on its port. */
    static class TimeWaitTestCase {
        @Test
        void test(@LocalPort int port) throws IOException {
            InetAddress loopback = InetAddress.getLoopbackAddress();
            try (ServerSocket server = new ServerSocket(port, 50, loopback); Socket client = new Socket(loopback, port)) {
                server.accept().close();
                assertThat(client.getInputStream().read()).isEqualTo(-1);
            }
            try (ServerSocket strict = new ServerSocket()) {
                strict.setReuseAddress(false);
                assertThatThrownBy(() -> strict.bind(new InetSocketAddress(loopback, port)))
                        .as("a TIME_WAIT socket on the port").isInstanceOf(BindException.class);
            }
        }
    }

    static class FailingTestCase {
        @Test
        void failed(@LocalPort int port) {
            SEEN.put("failed", port);
            throw new AssertionError("the test fails");
        }

        @Test
        void aborted(@LocalPort int port) {
            SEEN.put("aborted", port);
            Assumptions.abort("the test is aborted");
        }
    }
}
