package io.github.localport;

import static io.github.localport.LocalPortTestKit.localPortTestKit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.opentest4j.AssertionFailedError;

/** Blocks of consecutive ports injected by {@code @LocalPort(consecutive = ...)}, and reserved in code. */
class PortBlockInjectionTests {

    static final Map<String, int[]> SEEN = new ConcurrentHashMap<>();
    static final LeftOpen LEFT_OPEN = new LeftOpen();

    @BeforeEach
    void clear() {
        SEEN.clear();
    }

    @AfterEach
    void closeWhatFixturesLeftOpen() throws Exception {
        LEFT_OPEN.closeAll();
    }

    @Test
    void injectsBlocksAsPortNumbersOrAsABlockEachPortHeldForTheScope() {
        localPortTestKit().tests(InjectsTestCase.class).assertStatistics(stats -> stats.succeeded(1));

        int[] passive = SEEN.get("passive");
        assertThat(passive).hasSize(10);
        assertThat(IntStream.range(1, 10)).allMatch(i -> passive[i] == passive[0] + i);
        int[] rtp = SEEN.get("rtp");
        assertThat(rtp).hasSize(2);
        assertThat(rtp[0] % 2).isZero();
        assertThat(rtp[1]).isEqualTo(rtp[0] + 1);
        assertThat(SEEN.get("even")[0] % 2).isZero();
        assertThat(SEEN.get("held")).containsOnly(1);
        assertThat(IntStream.concat(IntStream.of(passive), IntStream.of(rtp))).noneMatch(Held::byLocalport);
    }

    @Test
    void holdsAClassFieldsBlockForEveryTestOfTheClass() {
        localPortTestKit().tests(ClassBlockTestCase.class).assertStatistics(stats -> stats.succeeded(2));

        int[] block = SEEN.get("class");
        assertThat(IntStream.of(block)).noneMatch(Held::byLocalport);
    }

    @Test
    void failsTheTestWhoseServerStillListensOnAPortOfTheBlockAndReleasesEveryPort() {
        localPortTestKit().with(LocalPort.LEAK_GRACE_PROPERTY_NAME, "100ms").tests(LeakTestCase.class)
                .assertThatEvents().haveExactly(1, finishedWithFailure(instanceOf(AssertionFailedError.class),
                        message(m -> m.startsWith("Port " + (SEEN.get("leaked")[0] + 1) + " (TCP) is still in use 100ms"
                                + " after the end of test"))));

        assertThat(IntStream.of(SEEN.get("leaked"))).noneMatch(Held::byLocalport);
    }

    @Test
    void saysHowLargeABlockTheRangeCanStillGive() {
        int first = Held.freePorts(4);
        String range = first + "-" + (first + 3);
        localPortTestKit().with(LocalPort.RANGE_PROPERTY_NAME, range).tests(TooLargeTestCase.class)
                .assertThatEvents().haveExactly(1, finishedWithFailure(instanceOf(ParameterResolutionException.class),
                        message(m -> m.contains("No block of 5 consecutive ports is free in " + range + " (set by"
                                + " localport.range) for parameter 'ports' of TooLargeTestCase.test(int[]): the largest"
                                + " such block free now has 4 ports. Ask for a smaller block, hold blocks for shorter"
                                + " scopes, or widen the range with configuration parameter 'localport.range'"))));

        assertThat(IntStream.rangeClosed(first, first + 3)).noneMatch(Held::byLocalport);
    }

    @Test
    void refusesWhatABlockCannotBe() {
        localPortTestKit().tests(BadBlockTestCase.class).assertThatEvents()
                .haveExactly(1, failedWith("Can only resolve @LocalPort(consecutive = 2) of type int[] or"
                        + " io.github.localport.ReservedPortBlock, but parameter 'port' of BadBlockTestCase.single(int)"
                        + " is of type int."))
                .haveExactly(1, failedWith("@LocalPort on parameter 'ports' of BadBlockTestCase.named(int[]): a block"
                        + " has no name. Declare it once in its scope (a field, or a parameter) and remove the name."))
                .haveExactly(1, failedWith("@LocalPort on parameter 'ports' of BadBlockTestCase.published(int[]):"
                        + " systemProperty publishes one port, not a block. Remove systemProperty and set the property"
                        + " from the block's ports."))
                .haveExactly(1, failedWith("A block of ports cannot be dead (parameter 'ports' of"
                        + " BadBlockTestCase.dead(int[]))"))
                .haveExactly(1, failedWith("A block has at least 1 port and an alignment of at least 1, but parameter"
                        + " 'ports' of BadBlockTestCase.empty(int[]) asks for 0 ports aligned to 1."));
    }

    @Test
    void reservesABlockInCodeAndReleasesEveryPortOnClose() throws IOException {
        int first;
        try (ReservedPortBlock rtp = ReservedPortBlock.reserve(2, 2, Protocol.UDP);
                DatagramSocket media = new DatagramSocket(rtp.port(0).address());
                DatagramSocket control = new DatagramSocket(rtp.port(1).address())) {
            first = rtp.first();
            assertThat(first % 2).isZero();
            assertThat(rtp.last()).isEqualTo(first + 1);
            assertThat(rtp.size()).isEqualTo(2);
            assertThat(rtp.protocol()).isEqualTo(Protocol.UDP);
            assertThat(rtp.port(1).number()).isEqualTo(first + 1);
            assertThat(rtp).hasToString("127.0.0.1:" + first + "-" + (first + 1) + " (UDP)");
            assertThat(Held.byLocalport(first) && Held.byLocalport(first + 1)).isTrue();
        }
        assertThat(Held.byLocalport(first) || Held.byLocalport(first + 1)).isFalse();
        assertThatThrownBy(() -> ReservedPortBlock.reserve(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ReservedPortBlock.reserve(0, 1, TCP) called at io.github.localport"
                        + ".PortBlockInjectionTests.lambda$");
    }

    private static org.assertj.core.api.Condition<org.junit.platform.testkit.engine.Event> failedWith(String end) {
        return finishedWithFailure(instanceOf(ParameterResolutionException.class), message(m -> m.endsWith(end)));
    }

    static class InjectsTestCase {
        @LocalPort(consecutive = 2, alignedTo = 2, protocol = Protocol.UDP)
        ReservedPortBlock rtp;

        @Test
        void test(@LocalPort(consecutive = 10) int[] passive, @LocalPort(alignedTo = 2) int even) throws IOException {
            SEEN.put("passive", passive);
            SEEN.put("rtp", new int[] { rtp.first(), rtp.last() });
            SEEN.put("even", new int[] { even });
            SEEN.put("held", IntStream.concat(IntStream.of(passive), IntStream.rangeClosed(rtp.first(), rtp.last()))
                    .map(port -> Held.byLocalport(port) ? 1 : 0).toArray());
            try (DatagramSocket media = new DatagramSocket(rtp.port(0).address());
                    DatagramSocket control = new DatagramSocket(rtp.port(1).address())) {
                byte[] packet = { 42 };
                media.send(new DatagramPacket(packet, 1, control.getLocalSocketAddress()));
                DatagramPacket received = new DatagramPacket(new byte[1], 1);
                control.receive(received);
                assertThat(received.getPort()).isEqualTo(rtp.first());
            }
        }
    }

    static class ClassBlockTestCase {
        @LocalPort(consecutive = 3)
        static int[] cluster;

        @RepeatedTest(2)
        void test() {
            SEEN.put("class", cluster);
            assertThat(IntStream.of(cluster)).allMatch(Held::byLocalport);
        }
    }

    static class LeakTestCase {
        @Test
        void test(@LocalPort(consecutive = 3) ReservedPortBlock block) throws IOException {
            SEEN.put("leaked", new int[] { block.first(), block.first() + 1, block.last() });
            LEFT_OPEN.add(new ServerSocket(block.first() + 1, 50, InetAddress.getLoopbackAddress()));
        }
    }

    static class TooLargeTestCase {
        @Test
        void test(@LocalPort(consecutive = 5) int[] ports) {
        }
    }

    static class BadBlockTestCase {
        @Test
        void single(@LocalPort(consecutive = 2) int port) {
        }

        @Test
        void named(@LocalPort(value = "ftp", consecutive = 2) int[] ports) {
        }

        @Test
        void published(@LocalPort(consecutive = 2, systemProperty = "ftp.passive") int[] ports) {
        }

        @Test
        void dead(@LocalPort(consecutive = 2, dead = true) int[] ports) {
        }

        @Test
        void empty(@LocalPort(consecutive = 0) int[] ports) {
        }
    }
}
