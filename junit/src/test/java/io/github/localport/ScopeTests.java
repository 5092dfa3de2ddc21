package io.github.localport;

import static io.github.localport.LocalPortTestKit.localPortTestKit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;


import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.Events;

class ScopeTests {

    static final Map<String, Integer> SEEN = new ConcurrentHashMap<>();

    @RegisterExtension
    static final LeftOpen LEFT_OPEN = new LeftOpen();

    @BeforeEach
    void clear() {
        SEEN.clear();
    }


    @Test
    void holdsAStaticFieldPortForTheWholeClass() {
        localPortTestKit().tests(StaticFieldTestCase.class).assertStatistics(stats -> stats.succeeded(2));

        assertThat(SEEN).containsEntry("first", SEEN.get("second")).containsEntry("heldInAfterAll", 1);
        assertThat(Held.byLocalport(SEEN.get("first"))).isFalse();
    }

    @Test
    void holdsABeforeAllParameterPortForTheClassAndSharesItsName() {
        localPortTestKit().tests(BeforeAllTestCase.class).assertStatistics(stats -> stats.succeeded(2));

        assertThat(SEEN).containsEntry("first", SEEN.get("beforeAll")).containsEntry("second", SEEN.get("beforeAll"));
        assertThat(Held.byLocalport(SEEN.get("beforeAll"))).isFalse();
    }

    @Test
    void releasesATestParameterPortBeforeTheNextTestStarts() {
        localPortTestKit().sequential().tests(SequentialTestCase.class).assertStatistics(stats -> stats.succeeded(2));

        assertThat(SEEN).containsEntry("firstHeldLater", 0);
    }

    @Test
    void sharesANamedPortWithinATestAndNotAcrossTests() {
        localPortTestKit().tests(NamedTestCase.class).assertStatistics(stats -> stats.succeeded(2));

        assertThat(SEEN.get("one.beforeEach")).isEqualTo(SEEN.get("one.test"));
        assertThat(SEEN.get("two.beforeEach")).isEqualTo(SEEN.get("two.test"));
        assertThat(SEEN.get("one.test")).isNotEqualTo(SEEN.get("two.test"));
        assertThat(SEEN.get("one.unnamed")).isNotEqualTo(SEEN.get("one.test"));
    }

    @Test
    void checksAndReleasesInstanceFieldPortsAtTheEndOfEachTestUnderBothLifecycles() {
        for (Class<?> fixture : List.of(PerMethodFieldTestCase.class, PerClassFieldTestCase.class)) {
            Events events = localPortTestKit().sequential().with(LocalPort.LEAK_GRACE_PROPERTY_NAME, "0s")
                    .execute(fixture).allEvents();
            events.assertStatistics(stats -> stats.failed(1).succeeded(3)); // first fails; second, class, engine pass
            events.assertThatEvents().haveExactly(1, finishedWithFailure(message(m -> m.contains(
                    "is still in use 0s after the end of test " + fixture.getName() + " > first()"))));
        }
    }

    @Test
    void checksAndReleasesAConstructorPortAtTheEndOfEachTestWhenEachTestHasItsOwnInstance() {
        Events events = localPortTestKit().sequential().with(LocalPort.LEAK_GRACE_PROPERTY_NAME, "0s")
                .execute(PerMethodConstructorTestCase.class).allEvents();

        // JUnit 5.12 added the hook that gives an extension the test's context for the constructor;
        // on 5.11 the port is the class's, checked when the class ends.
        String scope = junitGivesTheTestsContextToConstructors() ? "test " + PerMethodConstructorTestCase.class.getName()
                + " > first(int)" : "class " + PerMethodConstructorTestCase.class.getName();
        events.assertStatistics(stats -> stats.failed(1).succeeded(3));
        events.assertThatEvents().haveExactly(1, finishedWithFailure(message(m -> m.contains(
                "is still in use 0s after the end of " + scope))));
        assertThat(SEEN).containsEntry("sharedWithTest", 1);
    }

    private static boolean junitGivesTheTestsContextToConstructors() {
        try {
            Class.forName("org.junit.jupiter.api.extension.TestInstantiationAwareExtension");
            return true;
        }
        catch (ClassNotFoundException e) {
            return false;
        }
    }

    @Test
    void holdsAConstructorPortForTheClassWhenTheClassHasOneInstance() {
        localPortTestKit().tests(PerClassConstructorTestCase.class).assertStatistics(stats -> stats.succeeded(2));

        assertThat(SEEN.get("first")).isEqualTo(SEEN.get("second"));
        assertThat(Held.byLocalport(SEEN.get("first"))).isFalse();
    }

    @Test
    void givesNestedTestsTheEnclosingClassesPorts() {
        localPortTestKit().tests(OuterTestCase.class).assertStatistics(stats -> stats.succeeded(2));

        assertThat(SEEN.get("nested.db")).isEqualTo(SEEN.get("outer.db"));
        assertThat(SEEN.get("nested.outerField")).isNotNull().isNotEqualTo(SEEN.get("outer.db"));
        assertThat(Held.byLocalport(SEEN.get("outer.db"))).isFalse();
    }

    static class StaticFieldTestCase {
        @LocalPort
        static int port;

        @Test
        void first() {
            SEEN.put("first", port);
        }

        @Test
        void second() {
            SEEN.put("second", port);
        }

        @AfterAll
        static void afterAll() {
            SEEN.put("heldInAfterAll", Held.byLocalport(port) ? 1 : 0);
        }
    }

    static class BeforeAllTestCase {
        @BeforeAll
        static void beforeAll(@LocalPort("db") int db) {
            SEEN.put("beforeAll", db);
        }

        @Test
        void first(@LocalPort("db") int db) {
            SEEN.put("first", db);
        }

        @Test
        void second(@LocalPort("db") ReservedPort db) {
            SEEN.put("second", db.number());
        }
    }

    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class SequentialTestCase {
        @Test
        @Order(1)
        void first(@LocalPort int port) {
            SEEN.put("first", port);
        }

        @Test
        @Order(2)
        void second() {
            SEEN.put("firstHeldLater", Held.byLocalport(SEEN.get("first")) ? 1 : 0);
        }
    }

    /** Both tests run at once, so their ports are held at the same time. */
    static class NamedTestCase {
        static final CountDownLatch BOTH_RUNNING = new CountDownLatch(2);

        @BeforeEach
        void beforeEach(@LocalPort("x") int x, org.junit.jupiter.api.TestInfo info) {
            SEEN.put(info.getTestMethod().orElseThrow().getName() + ".beforeEach", x);
        }

        @Test
        void one(@LocalPort("x") int x, @LocalPort int unnamed) throws InterruptedException {
            SEEN.put("one.test", x);
            SEEN.put("one.unnamed", unnamed);
            awaitOther();
        }

        @Test
        void two(@LocalPort("x") int x) throws InterruptedException {
            SEEN.put("two.test", x);
            awaitOther();
        }

        private static void awaitOther() throws InterruptedException {
            BOTH_RUNNING.countDown();
            assertThat(BOTH_RUNNING.await(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    /** The first test leaves a server on its port: the check at the end of that test must catch it. */
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class PerMethodFieldTestCase {
        @LocalPort
        int port;

        @Test
        @Order(1)
        void first() throws IOException {
            leaveServerOn(port);
        }

        @Test
        @Order(2)
        void second() {
        }
    }

    @TestInstance(Lifecycle.PER_CLASS)
    static class PerClassFieldTestCase extends PerMethodFieldTestCase {
    }

    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class PerMethodConstructorTestCase {
        final int port;

        PerMethodConstructorTestCase(@LocalPort("server") int port) {
            this.port = port;
        }

        @Test
        @Order(1)
        void first(@LocalPort("server") int server) throws IOException {
            SEEN.put("sharedWithTest", server == port ? 1 : 0);
            leaveServerOn(port);
        }

        @Test
        @Order(2)
        void second() {
        }
    }

    static void leaveServerOn(int port) throws IOException {
        LEFT_OPEN.add(new ServerSocket(port, 50, InetAddress.getLoopbackAddress()));
    }

    @TestInstance(Lifecycle.PER_CLASS)
    static class PerClassConstructorTestCase {
        final int port;

        PerClassConstructorTestCase(@LocalPort int port) {
            this.port = port;
        }

        @Test
        void first() {
            SEEN.put("first", port);
        }

        @Test
        void second() {
            SEEN.put("second", port);
        }
    }

    static class OuterTestCase {
        @LocalPort
        int outerField;

        @BeforeAll
        static void beforeAll(@LocalPort("db") int db) {
            SEEN.put("outer.db", db);
        }

        @Test
        void outer(@LocalPort("db") int db) {
            assertThat(db).isEqualTo(SEEN.get("outer.db"));
        }

        @Nested
        class Inner {
            @Test
            void nested(@LocalPort("db") int db) {
                SEEN.put("nested.db", db);
                SEEN.put("nested.outerField", outerField);
            }
        }
    }
}
