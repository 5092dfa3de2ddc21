package io.github.localport;

import static io.github.localport.LocalPortTestKit.localPortTestKit;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.localport.internal.Held;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.junit.jupiter.api.TestMethodOrder;

class ScopeTests {

    static final Map<String, Integer> SEEN = new ConcurrentHashMap<>();

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
    void injectsInstanceFieldsPerTestUnderBothLifecycles() {
        localPortTestKit().sequential().tests(PerMethodFieldTestCase.class, PerClassFieldTestCase.class)
                .assertStatistics(stats -> stats.succeeded(4));

        for (String fixture : new String[] { "PerMethodFieldTestCase", "PerClassFieldTestCase" }) {
            assertThat(SEEN.get(fixture + ".first")).isNotEqualTo(SEEN.get(fixture + ".second"));
            assertThat(SEEN).containsEntry(fixture + ".firstHeldLater", 0);
        }
    }

    @Test
    void holdsAConstructorPortForTheTestWhenEachTestHasItsOwnInstance() {
        localPortTestKit().sequential().tests(PerMethodConstructorTestCase.class)
                .assertStatistics(stats -> stats.succeeded(2));

        assertThat(SEEN.get("first")).isNotEqualTo(SEEN.get("second"));
        assertThat(SEEN).containsEntry("firstHeldLater", 0).containsEntry("sharedWithTest", 1);
        assertThat(Held.byLocalport(SEEN.get("second"))).isFalse();
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

    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class PerMethodFieldTestCase {
        @LocalPort
        int port;

        @Test
        @Order(1)
        void first() {
            SEEN.put(getClass().getSimpleName() + ".first", port);
        }

        @Test
        @Order(2)
        void second() {
            SEEN.put(getClass().getSimpleName() + ".second", port);
            SEEN.put(getClass().getSimpleName() + ".firstHeldLater",
                    Held.byLocalport(SEEN.get(getClass().getSimpleName() + ".first")) ? 1 : 0);
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
        void first(@LocalPort("server") int server) {
            SEEN.put("first", port);
            SEEN.put("sharedWithTest", server == port ? 1 : 0);
        }

        @Test
        @Order(2)
        void second() {
            SEEN.put("second", port);
            SEEN.put("firstHeldLater", Held.byLocalport(SEEN.get("first")) ? 1 : 0);
        }
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
