package io.github.localport;

import static io.github.localport.LocalPortTestKit.localPortTestKit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.extension.ParameterResolutionException;

/**
 * {@code @LocalPort(number = ...)} and {@code ReservedPort.reserve(number, wait)}. The fixtures'
 * numbers lie below every OS's ephemeral range and outside localport's ranges, so that nothing
 * but these tests asks for them; if something else holds one, the tests wait for it, as users'
 * tests would.
 */
class FixedPortTests {

    static final int SOLO = 32_731;
    static final int TURNS = 32_732;
    static final int STARVED = 32_733;
    static final int LOW = 32_734;
    static final int HIGH = 32_735;
    static final int HELD_OUTSIDE = 32_736;

    static final List<long[]> HOLDS = Collections.synchronizedList(new ArrayList<>());
    static final List<String> SEEN = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void clear() {
        HOLDS.clear();
        SEEN.clear();
    }

    @Test
    void holdsExactlyTheNumberForTheTestAndGivesEveryDeclarationOfItTheSamePort() {
        localPortTestKit().tests(ByNumberTestCase.class).assertStatistics(stats -> stats.succeeded(1));

        assertThat(SEEN).containsExactly("field " + SOLO, "parameter " + SOLO + " held");
        assertThat(Held.byLocalport(SOLO)).isFalse();
    }

    @Test
    void aTestGetsThePortItsClassHoldsByNumber() {
        localPortTestKit().tests(ClassHoldsTestCase.class).assertStatistics(stats -> stats.succeeded(2));

        assertThat(SEEN).containsExactly("same port", "same port");
        assertThat(Held.byLocalport(SOLO)).isFalse();
    }

    /** Eight tests want one port, two threads run them: they take turns, and the port is never held twice. */
    @Test
    void testsThatWantOnePortTakeTurnsWithoutOverlap() {
        localPortTestKit().with("junit.jupiter.execution.parallel.config.fixed.parallelism", "2")
                .tests(TakeTurnsTestCase.class).assertStatistics(stats -> stats.started(8).succeeded(8));

        List<long[]> holds = new ArrayList<>(HOLDS);
        holds.sort(Comparator.comparingLong(hold -> hold[0]));
        for (int i = 1; i < holds.size(); i++) {
            assertThat(holds.get(i)[0]).as("start of hold %d after the end of the one before", i)
                    .isGreaterThan(holds.get(i - 1)[1]);
        }
        assertThat(Held.byLocalport(TURNS)).isFalse();
    }

    /**
     * More tests wait for the port than the executor has threads, and the holder needs a test
     * that wants no port to run before it lets go: the waiters leave JUnit's fork-join pool free
     * to run it.
     */
    @Test
    void waitingTestsDoNotStarveTheParallelExecutor() {
        StarvationTestCase.reset();
        localPortTestKit().with("junit.jupiter.execution.parallel.config.fixed.parallelism", "2")
                .with(LocalPort.FIXED_WAIT_PROPERTY_NAME, "30s")
                .tests(StarvationTestCase.class).assertStatistics(stats -> stats.started(5).succeeded(5));
    }

    /**
     * Two classes whose tests declare the same two ports in opposite orders, running at once: each
     * test takes both in ascending order at its first, so neither holds one while waiting for
     * the other.
     */
    @Test
    void testsThatDeclareTwoPortsInOppositeOrdersNeverWaitForEachOther() {
        localPortTestKit().with(LocalPort.FIXED_WAIT_PROPERTY_NAME, "10s")
                .tests(LowThenHighTestCase.class, HighThenLowTestCase.class)
                .assertStatistics(stats -> stats.started(20).succeeded(20));

        assertThat(Held.byLocalport(LOW)).isFalse();
        assertThat(Held.byLocalport(HIGH)).isFalse();
    }

    @Test
    void takesTheFieldsAndParametersOfATestTogetherAtItsFirst() {
        localPortTestKit().tests(FieldAndParameterTestCase.class).assertStatistics(stats -> stats.succeeded(1));

        assertThat(SEEN).containsExactly("both held before the test");
    }

    @Test
    void failsNamingWhoHoldsThePortWhenTheWaitRunsOut() {
        try (ReservedPort outside = ReservedPort.reserve(HELD_OUTSIDE)) {
            localPortTestKit().with(LocalPort.FIXED_WAIT_PROPERTY_NAME, "200ms").tests(HeldOutsideTestCase.class)
                    .assertThatEvents().haveExactly(1, finishedWithFailure(instanceOf(ParameterResolutionException.class),
                            message(m -> m.contains("Port " + HELD_OUTSIDE + " (TCP) is not free for parameter 'port' of"
                                    + " HeldOutsideTestCase.test(int): this JVM holds it for ReservedPort.reserve("
                                    + HELD_OUTSIDE + ") called at io.github.localport.FixedPortTests")
                                    && m.endsWith(" localport waited 200ms for it: stop what holds it, or give it"
                                            + " longer with configuration parameter 'localport.fixed.wait'."))));
            assertThat(outside.number()).isEqualTo(HELD_OUTSIDE);
        }
        assertThat(Held.byLocalport(HELD_OUTSIDE)).isFalse();
    }

    @Test
    void refusesANameOrABlockBesideANumberAndWhatIsNotAPortNumber() {
        localPortTestKit().tests(BadNumberTestCase.class).assertThatEvents()
                .haveExactly(1, finishedWithFailure(instanceOf(ParameterResolutionException.class), message(m -> m.endsWith(
                        "@LocalPort on parameter 'port' of BadNumberTestCase.named(int): number = 32731 cannot have a"
                                + " name as well: a port by number is found by its number wherever it is declared."
                                + " Remove the name."))))
                .haveExactly(1, finishedWithFailure(instanceOf(ParameterResolutionException.class), message(m -> m.endsWith(
                        "@LocalPort on parameter 'ports' of BadNumberTestCase.block(int[]): number = 32731 is one"
                                + " port, and blocks come from the range. Remove either number or consecutive and"
                                + " alignedTo."))))
                .haveExactly(1, finishedWithFailure(instanceOf(ParameterResolutionException.class), message(m -> m.endsWith(
                        "A port number is between 1 and 65535, but was 70000 (parameter 'port' of"
                                + " BadNumberTestCase.tooLarge(int))"))));
        assertThat(Held.byLocalport(SOLO)).isFalse();
    }

    @Test
    void refusesOneNumberDeclaredForTwoProtocols() {
        localPortTestKit().tests(ProtocolClashTestCase.class).assertThatEvents().haveExactly(1, finishedWithFailure(
                instanceOf(ParameterResolutionException.class),
                message(m -> m.contains("parameter 'udp' of ProtocolClashTestCase.test(int) asks for port " + SOLO
                        + " as UDP, but field ProtocolClashTestCase.tcp reserved it as TCP. Declare it one way"
                        + " (TCP_AND_UDP serves both protocols)."))));
        assertThat(Held.byLocalport(SOLO)).isFalse();
    }

    @Test
    void reservesANumberInCodeOnceItsHolderLetsGo() throws Exception {
        ReservedPort holder = ReservedPort.reserve(SOLO);
        CompletableFuture<ReservedPort> waiter = CompletableFuture.supplyAsync(() -> ReservedPort.reserve(SOLO,
                Duration.ofSeconds(30)));
        holder.close();
        try (ReservedPort taken = waiter.get(30, TimeUnit.SECONDS)) {
            assertThat(taken.number()).isEqualTo(SOLO);
            assertThat(Held.byLocalport(SOLO)).isTrue();
        }
        assertThat(Held.byLocalport(SOLO)).isFalse();
    }

    static class ByNumberTestCase {
        @LocalPort(number = SOLO)
        ReservedPort field;

        @Test
        void test(@LocalPort(number = SOLO) int port) {
            SEEN.add("field " + field.number());
            SEEN.add("parameter " + port + (Held.byLocalport(port) ? " held" : " not held"));
        }
    }

    static class ClassHoldsTestCase {
        @LocalPort(number = SOLO)
        static ReservedPort classPort;

        @RepeatedTest(2)
        void test(@LocalPort(number = SOLO) ReservedPort port) {
            SEEN.add(port == classPort ? "same port" : "another port");
        }
    }

    static class TakeTurnsTestCase {
        @RepeatedTest(8)
        void test(@LocalPort(number = TURNS) int port) throws IOException {
            long start = System.nanoTime();
            try (ServerSocket server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            HOLDS.add(new long[] { start, System.nanoTime() });
        }
    }

    /**
     * Run by two threads, the last declared first: the holder takes the port and waits for
     * {@code other}; the other pool thread takes a waiter, which waits for the port. Only if
     * the waiters let the pool start more threads does {@code other} run before the holder
     * gives up.
     */
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    @Execution(ExecutionMode.CONCURRENT) // an orderer alone makes the methods run in one thread
    static class StarvationTestCase {
        static CountDownLatch holding;
        static CountDownLatch otherRan;

        static void reset() {
            holding = new CountDownLatch(1);
            otherRan = new CountDownLatch(1);
        }

        @BeforeEach
        void waitersAskOnceTheHolderHolds(TestInfo test) throws InterruptedException {
            if (test.getTags().contains("waiter")) {
                assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
            }
        }

        @Test
        @Order(1)
        @Tag("waiter")
        void waiter1(@LocalPort(number = STARVED) int port) {
        }

        @Test
        @Order(2)
        @Tag("waiter")
        void waiter2(@LocalPort(number = STARVED) int port) {
        }

        @Test
        @Order(3)
        @Tag("waiter")
        void waiter3(@LocalPort(number = STARVED) int port) {
        }

        @Test
        @Order(4)
        void other() {
            otherRan.countDown();
        }

        @Test
        @Order(5)
        void holder(@LocalPort(number = STARVED) int port) throws InterruptedException {
            holding.countDown();
            assertThat(otherRan.await(20, TimeUnit.SECONDS)).as("the test that wants no port ran").isTrue();
        }
    }

    static class LowThenHighTestCase {
        @RepeatedTest(10)
        void test(@LocalPort(number = LOW) int low, @LocalPort(number = HIGH) int high) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    static class HighThenLowTestCase {
        @RepeatedTest(10)
        void test(@LocalPort(number = HIGH) int high, @LocalPort(number = LOW) int low) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    static class FieldAndParameterTestCase {
        @LocalPort(number = HIGH)
        int field;

        @AfterEach
        void after(@LocalPort(number = LOW) int low) {
        }

        @Test
        void test() {
            SEEN.add(Held.byLocalport(HIGH) && Held.byLocalport(LOW) ? "both held before the test" : "not both held");
        }
    }

    static class HeldOutsideTestCase {
        @Test
        void test(@LocalPort(number = HELD_OUTSIDE) int port) {
        }
    }

    static class BadNumberTestCase {
        @Test
        void named(@LocalPort(value = "web", number = SOLO) int port) {
        }

        @Test
        void block(@LocalPort(number = SOLO, consecutive = 2) int[] ports) {
        }

        @Test
        void tooLarge(@LocalPort(number = 70_000) int port) {
        }
    }

    static class ProtocolClashTestCase {
        @LocalPort(number = SOLO)
        int tcp;

        @Test
        void test(@LocalPort(number = SOLO, protocol = Protocol.UDP) int udp) {
        }
    }
}
