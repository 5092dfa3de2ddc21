package io.github.localport;

import static io.github.localport.LocalPortTestKit.localPortTestKit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;


import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class ParallelExecutionTests {

    static final Set<Integer> PORTS = ConcurrentHashMap.newKeySet();

    @Test
    void twoHundredTestsInParallelEachBindTheirOwnPort() {
        PORTS.clear();
        localPortTestKit().with("junit.jupiter.execution.parallel.config.strategy", "fixed")
                .with("junit.jupiter.execution.parallel.config.fixed.parallelism", "32")
                .tests(TwoHundredTestCase.class).assertStatistics(stats -> stats.started(200).succeeded(200));

        assertThat(PORTS).allSatisfy(port -> assertThat(Held.byLocalport(port)).isFalse());
    }

    @Test
    void namesTheRangeAndWhoHoldsItWhenNoPortIsLeft() {
        int first = Held.freePorts(2);
        String range = first + "-" + (first + 1);
        localPortTestKit().with(LocalPort.RANGE_PROPERTY_NAME, range).tests(ThreePortsTestCase.class)
                .assertThatEvents().haveExactly(1, finishedWithFailure(message(m -> m
                        .contains("No free port in " + range + " (set by localport.range) for parameter 'third' of"
                                + " ThreePortsTestCase.test(int, int, int): 2 held by this JVM, 0 held by other JVMs or"
                                + " users")
                        && m.contains("widen the range with configuration parameter 'localport.range'"))));

        assertThat(Held.byLocalport(first)).isFalse();
        assertThat(Held.byLocalport(first + 1)).isFalse();
    }

    @Test
    void namesWhoHoldsTheOnlyPortOfAOnePortRange() {
        int onlyPort = Held.freePort();
        localPortTestKit().with(LocalPort.RANGE_PROPERTY_NAME, onlyPort + "-" + onlyPort)
                .tests(TwoPortsTestCase.class).assertThatEvents().haveExactly(1, finishedWithFailure(message(m -> m
                        .endsWith("Port " + onlyPort + " (TCP) is not free for parameter 'second' of"
                                + " TwoPortsTestCase.test(int, int): this JVM holds it for parameter 'first' of"
                                + " TwoPortsTestCase.test(int, int). Widen the range with configuration parameter"
                                + " 'localport.range'."))));

        assertThat(Held.byLocalport(onlyPort)).isFalse();
    }

    /** Each test binds its port and makes one round trip over it while the others do the same. */
    static class TwoHundredTestCase {
        @RepeatedTest(200)
        void test(@LocalPort int port) throws IOException {
            PORTS.add(port);
            InetAddress loopback = InetAddress.getLoopbackAddress();
            try (ServerSocket server = new ServerSocket(port, 50, loopback); Socket client = new Socket(loopback, port);
                    Socket accepted = server.accept()) {
                OutputStream out = client.getOutputStream();
                out.write(42);
                InputStream in = accepted.getInputStream();
                assertThat(in.read()).isEqualTo(42);
            }
        }
    }

    static class ThreePortsTestCase {
        @Test
        void test(@LocalPort int first, @LocalPort int second, @LocalPort int third) {
        }
    }

    static class TwoPortsTestCase {
        @Test
        void test(@LocalPort int first, @LocalPort int second) {
        }
    }
}
