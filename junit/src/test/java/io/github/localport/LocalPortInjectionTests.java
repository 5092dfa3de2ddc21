package io.github.localport;

import static io.github.localport.LocalPortTestKit.localPortTestKit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;


import org.assertj.core.api.Condition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ParameterResolutionException;

class LocalPortInjectionTests {

    static final List<Object> VALUES = new CopyOnWriteArrayList<>();

    @BeforeEach
    void clear() {
        VALUES.clear();
    }

    @Test
    void injectsEverySupportedTypeAsTheSameLoopbackPort() {
        localPortTestKit().tests(EveryTypeTestCase.class).assertStatistics(stats -> stats.succeeded(1));

        int port = (int) VALUES.get(0);
        assertThat(VALUES).containsExactly(port, port, new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                URI.create("http://127.0.0.1:" + port), port);
        assertThat(port).isBetween(1024, 65535);
    }

    @Test
    void givesEachDeclarationItsOwnPortThatAServerCanBind() {
        localPortTestKit().tests(TwoPortsTestCase.class).assertStatistics(stats -> stats.succeeded(1));

        assertThat(VALUES).hasSize(2).doesNotHaveDuplicates();
    }

    @Test
    void releasesPortsWhenTheTestEnds() {
        localPortTestKit().tests(TwoPortsTestCase.class).assertStatistics(stats -> stats.succeeded(1));

        assertThat(VALUES).allSatisfy(port -> assertThat(Held.byLocalport((int) port)).isFalse());
    }

    @Test
    void rejectsAnUnsupportedTypeNamingTheSupportedOnesAndReservesNothing() {
        int onlyPort = Held.freePort();
        localPortTestKit().with(LocalPort.RANGE_PROPERTY_NAME, onlyPort + "-" + onlyPort)
                .tests(UnsupportedTypeTestCase.class).assertStatistics(stats -> stats.failed(1))
                .assertThatEvents().haveExactly(1, finishedWithFailure(instanceOf(ParameterResolutionException.class),
                        message(m -> m.contains("Can only resolve @LocalPort of type int, Integer,"
                                + " java.net.InetSocketAddress, java.net.URI or io.github.localport.ReservedPort,"
                                + " but parameter 'port' of UnsupportedTypeTestCase.test(String) is of type"
                                + " java.lang.String")),
                        new Condition<>(failure -> failure.getSuppressed().length == 0,
                                "no later failure, such as @AfterEach finding no free port")));

        assertThat(Held.byLocalport(onlyPort)).isFalse();
    }

    @Test
    void rejectsFinalFieldsAndFieldsOfUnsupportedTypes() {
        localPortTestKit().tests(BadFieldsTestCase.class).assertThatEvents()
                .haveExactly(1, finishedWithFailure(instanceOf(ExtensionConfigurationException.class),
                        message("@LocalPort cannot be injected into final field FinalField.fixed: remove 'final'.")))
                .haveExactly(1, finishedWithFailure(instanceOf(ExtensionConfigurationException.class),
                        message(m -> m.startsWith("Can only resolve @LocalPort of type int,")
                                && m.endsWith("but field StringField.host is of type java.lang.String."))));
    }

    static class BadFieldsTestCase {
        @Nested
        class FinalField {
            @LocalPort
            final int fixed = 0;

            @Test
            void test() {
            }
        }

        @Nested
        class StringField {
            @LocalPort
            String host;

            @Test
            void test() {
            }
        }
    }

    static class EveryTypeTestCase {
        @Test
        void test(@LocalPort("p") int asInt, @LocalPort("p") Integer asInteger, @LocalPort("p") InetSocketAddress address,
                @LocalPort("p") URI uri, @LocalPort("p") ReservedPort reserved) {
            VALUES.addAll(List.of(asInt, asInteger, address, uri, reserved.number()));
        }
    }

    static class TwoPortsTestCase {
        @Test
        void test(@LocalPort int first, @LocalPort int second) throws IOException {
            try (ServerSocket one = new ServerSocket(first, 50, InetAddress.getLoopbackAddress());
                    ServerSocket two = new ServerSocket(second, 50, InetAddress.getLoopbackAddress())) {
                VALUES.addAll(List.of(one.getLocalPort(), two.getLocalPort()));
            }
        }
    }

    static class UnsupportedTypeTestCase {
        @Test
        void test(@LocalPort String port) {
        }

        /** Resolved after the test failed: finds the only port of the range free unless the test took it. */
        @AfterEach
        void after(@LocalPort int port) {
        }
    }
}
