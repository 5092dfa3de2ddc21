package io.github.localport;

import static io.github.localport.LocalPortTestKit.localPortTestKit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ParameterResolutionException;

class ProtocolAndPropertyTests {

    static final String PROPERTY = "localport.test.server.port";
    static final Map<String, Object> SEEN = new ConcurrentHashMap<>();

    @BeforeEach
    void clear() {
        SEEN.clear();
    }

    @Test
    void givesPortsFreeForUdpAndForBoth() {
        localPortTestKit().tests(ProtocolTestCase.class).assertStatistics(stats -> stats.succeeded(2));
    }

    @Test
    void rejectsOneNameDeclaredForTwoProtocols() {
        localPortTestKit().tests(ProtocolClashTestCase.class).assertThatEvents().haveExactly(1, finishedWithFailure(
                instanceOf(ParameterResolutionException.class),
                message(m -> m.contains("parameter 'udp' of ProtocolClashTestCase.test(int, int) asks for the port"
                        + " named 'dns' as UDP, but parameter 'tcp' of ProtocolClashTestCase.test(int, int)"
                        + " reserved it as TCP"))));
    }

    @Test
    void publishesThePortUnderASystemPropertyForTheScopeAndRestoresIt() {
        System.setProperty(PROPERTY, "before");
        try {
            localPortTestKit().tests(PropertyTestCase.class).assertStatistics(stats -> stats.succeeded(1));

            assertThat(SEEN.get("property")).isEqualTo(String.valueOf(SEEN.get("port")));
            assertThat(System.getProperty(PROPERTY)).isEqualTo("before");
        }
        finally {
            System.clearProperty(PROPERTY);
        }
    }

    @Test
    void removesAPropertyThatWasNotSetBefore() {
        localPortTestKit().tests(PropertyTestCase.class).assertStatistics(stats -> stats.succeeded(1));

        assertThat(System.getProperty(PROPERTY)).isNull();
    }

    @Test
    void failsASecondTestThatWouldOverwriteAPropertyInUse() {
        localPortTestKit().tests(PropertyClashTestCase.class)
                .assertStatistics(stats -> stats.succeeded(1).failed(1))
                .assertThatEvents().haveExactly(1, finishedWithFailure(message(m -> m.matches(
                        ".*: System property '" + PROPERTY + "' already carries port \\d+ for parameter 'port' of"
                                + " PropertyClashTestCase.first\\(int\\) in test \\S+PropertyClashTestCase > first\\(int\\),"
                                + " so it cannot carry port \\d+ for parameter 'port' of PropertyClashTestCase.second\\(int\\)"
                                + " in test \\S+PropertyClashTestCase > second\\(int\\)\\. A system property holds one value"
                                + " for the whole JVM: give one declaration another systemProperty, or keep the two from"
                                + " running at the same time with @ResourceLock\\(Resources.SYSTEM_PROPERTIES\\) on both"
                                + " \\(a @LocalPort name is one port only within a test and the classes around it\\)\\."))));
        assertThat(System.getProperty(PROPERTY)).isNull();
    }

    @Test
    void advisesOneNameWhenATestWouldOverwriteThePropertyItsClassPublished() {
        localPortTestKit().tests(PropertyInClassAndTestTestCase.class).assertThatEvents().haveExactly(1,
                finishedWithFailure(message(m -> m.contains("System property '" + PROPERTY + "' already carries port")
                        && m.contains(" for field PropertyInClassAndTestTestCase.port in class ")
                        && m.endsWith(": give one declaration another systemProperty, or share the port by giving both"
                                + " the same @LocalPort name."))));
    }

    @Test
    void sharesThePropertyOfAClassWithATestThatGivesTheSameName() {
        localPortTestKit().tests(SameNameInClassAndTestTestCase.class).assertStatistics(stats -> stats.succeeded(1));

        assertThat(SEEN.get("property")).isEqualTo(String.valueOf(SEEN.get("port")));
        assertThat(System.getProperty(PROPERTY)).isNull();
    }

    static class ProtocolTestCase {
        @Test
        void udp(@LocalPort(protocol = Protocol.UDP) ReservedPort port) throws IOException {
            assertThat(port.protocol()).isEqualTo(Protocol.UDP);
            new DatagramSocket(port.address()).close();
        }

        @Test
        void both(@LocalPort(protocol = Protocol.TCP_AND_UDP) int port) throws IOException {
            InetAddress loopback = InetAddress.getLoopbackAddress();
            try (ServerSocket tcp = new ServerSocket(port, 50, loopback);
                    DatagramSocket udp = new DatagramSocket(new InetSocketAddress(loopback, port))) {
                assertThat(udp.getLocalPort()).isEqualTo(tcp.getLocalPort());
            }
        }
    }

    static class ProtocolClashTestCase {
        @Test
        void test(@LocalPort("dns") int tcp, @LocalPort(value = "dns", protocol = Protocol.UDP) int udp) {
        }
    }

    static class PropertyTestCase {
        @Test
        void test(@LocalPort(systemProperty = PROPERTY) int port) {
            SEEN.put("port", port);
            SEEN.put("property", System.getProperty(PROPERTY));
        }
    }

    static class PropertyInClassAndTestTestCase {
        @LocalPort(systemProperty = PROPERTY)
        static int port;

        @Test
        void test(@LocalPort(systemProperty = PROPERTY) int other) {
        }
    }

    static class SameNameInClassAndTestTestCase {
        @LocalPort(value = "server", systemProperty = PROPERTY)
        static int port;

        @Test
        void test(@LocalPort(value = "server", systemProperty = PROPERTY) int same) {
            SEEN.put("port", same);
            SEEN.put("property", System.getProperty(PROPERTY));
        }
    }

    /**
     * Both tests run at once and want the one property: the second resolves its parameter
     * (after its {@code @BeforeEach}) while the first holds the property.
     */
    static class PropertyClashTestCase {
        static final CountDownLatch FIRST_PUBLISHED = new CountDownLatch(1);
        static final CountDownLatch SECOND_DONE = new CountDownLatch(1);

        @BeforeEach
        void secondWaitsForFirst(TestInfo info) throws InterruptedException {
            if (info.getTestMethod().orElseThrow().getName().equals("second")) {
                assertThat(FIRST_PUBLISHED.await(10, TimeUnit.SECONDS)).isTrue();
            }
        }

        @AfterEach
        void secondIsDone(TestInfo info) {
            if (info.getTestMethod().orElseThrow().getName().equals("second")) {
                SECOND_DONE.countDown();
            }
        }

        @Test
        void first(@LocalPort(systemProperty = PROPERTY) int port) throws InterruptedException {
            FIRST_PUBLISHED.countDown();
            assertThat(SECOND_DONE.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(System.getProperty(PROPERTY)).isEqualTo(String.valueOf(port));
        }

        @Test
        void second(@LocalPort(systemProperty = PROPERTY) int port) {
        }
    }
}
