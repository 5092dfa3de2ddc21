package io.github.localport;

import static io.github.localport.LocalPortTestKit.localPortTestKit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.platform.testkit.engine.Events;

/**
 * A field that two scopes running at the same time would both write carries the port of one of
 * them: the other fails at once, naming the field, both scopes and the fix.
 */
class SharedFieldTests {

    static final Map<String, Integer> SEEN = new ConcurrentHashMap<>();
    static final Set<String> FINISHED = ConcurrentHashMap.newKeySet();
    /** Whether fixtures wait for their counterpart to finish, so that both run at the same time. */
    static volatile boolean together;

    @BeforeEach
    void clear() {
        SEEN.clear();
        FINISHED.clear();
        together = true;
    }

    @Test
    void failsTheSecondSubclassThatWouldSetAStaticFieldOfTheirBaseClassWhileTheFirstRuns() {
        Events events = localPortTestKit().execute(FirstSubclassTestCase.class, SecondSubclassTestCase.class)
                .allEvents();

        events.assertStatistics(stats -> stats.failed(1));
        assertThat(SEEN).hasSize(1); // the failed class's test did not run
        String winner = SEEN.containsKey("first") ? "First" : "Second";
        String loser = SEEN.containsKey("first") ? "Second" : "First";
        events.assertThatEvents().haveExactly(1, finishedWithFailure(instanceOf(ExtensionConfigurationException.class),
                message("@LocalPort field StaticBase.port carries the port of class " + fixture(winner + "SubclassTestCase")
                        + ", which is still running, so it cannot carry one for class " + fixture(loser + "SubclassTestCase")
                        + " as well: a static field has one value in the JVM, and a static field of a base class is"
                        + " shared by its subclasses. Declare the field in each test class, take the port as a"
                        + " @BeforeAll parameter, or keep these classes from running at the same time (for example"
                        + " with @ResourceLock(\"StaticBase.port\") on StaticBase, which its subclasses inherit).")));
    }

    @Test
    void givesSubclassesThatRunOneAfterTheOtherAPortEach() {
        together = false;
        localPortTestKit().with("junit.jupiter.execution.parallel.mode.classes.default", "same_thread")
                .tests(FirstSubclassTestCase.class, SecondSubclassTestCase.class)
                .assertStatistics(stats -> stats.succeeded(2));

        assertThat(SEEN.get("first")).isNotZero().isNotEqualTo(SEEN.get("second"));
    }

    @Test
    void failsTheSecondOfTwoTestsThatWouldSetAFieldOfTheirSharedPerClassInstanceAtOnce() {
        Events tests = localPortTestKit().tests(PerClassConcurrentTestCase.class);

        tests.assertStatistics(stats -> stats.succeeded(1).failed(1));
        String winner = SEEN.containsKey("first") ? "first" : "second";
        String loser = SEEN.containsKey("first") ? "second" : "first";
        tests.assertThatEvents().haveExactly(1, finishedWithFailure(instanceOf(ExtensionConfigurationException.class),
                message("@LocalPort field PerClassConcurrentTestCase.port carries the port of test "
                        + fixture("PerClassConcurrentTestCase") + " > " + winner + "(), which is still running, so it"
                        + " cannot carry one for test " + fixture("PerClassConcurrentTestCase") + " > " + loser + "()"
                        + " as well: both tests use one instance of PerClassConcurrentTestCase (the tests of a"
                        + " @TestInstance(PER_CLASS) class share its instance and those of the classes enclosing it)"
                        + " and run at the same time. Take the port as a parameter of the test or of its @BeforeEach"
                        + " method, or keep these tests from running at the same time (for example with"
                        + " @Execution(SAME_THREAD) on PerClassConcurrentTestCase).")));
    }

    @Test
    void failsTheSecondOfTwoNestedTestsThatWouldSetAFieldOfTheirSharedEnclosingInstanceAtOnce() {
        Events tests = localPortTestKit().tests(OuterPerClassTestCase.class);

        tests.assertStatistics(stats -> stats.succeeded(1).failed(1));
        tests.assertThatEvents().haveExactly(1, finishedWithFailure(instanceOf(ExtensionConfigurationException.class),
                message(m -> m.startsWith("@LocalPort field OuterPerClassTestCase.port carries the port of test ")
                        && m.contains(", which is still running, so it cannot carry one for test ")
                        && m.contains("both tests use one instance of OuterPerClassTestCase"))));
    }

    @Test
    void letsNestedTestsThatRunOneAfterTheOtherEachHaveAPortInTheSharedEnclosingInstance() {
        together = false;
        localPortTestKit().with("junit.jupiter.execution.parallel.enabled", "false").tests(OuterPerClassTestCase.class)
                .assertStatistics(stats -> stats.succeeded(2));

        assertThat(SEEN.get("first")).isNotZero().isNotEqualTo(SEEN.get("second"));
    }

    private static String fixture(String simpleName) {
        return SharedFieldTests.class.getName() + "$" + simpleName;
    }

    /** Waits for the counterpart's class or test to finish (bounded), so that both run at once. */
    static void awaitFinished(String other) {
        if (together) {
            Held.eventually(() -> FINISHED.contains(other), Duration.ofSeconds(10));
        }
    }

    /** Records each class and test as it finishes, also one that failed before it ran. */
    static class Finished implements AfterEachCallback, AfterAllCallback {
        @Override
        public void afterEach(ExtensionContext context) {
            FINISHED.add(context.getRequiredTestMethod().getName());
        }

        @Override
        public void afterAll(ExtensionContext context) {
            FINISHED.add(context.getRequiredTestClass().getSimpleName());
        }
    }

    @ExtendWith(Finished.class)
    abstract static class StaticBase {
        @LocalPort
        static int port;
    }

    static class FirstSubclassTestCase extends StaticBase {
        @Test
        void test() {
            SEEN.put("first", port);
            awaitFinished("SecondSubclassTestCase");
        }
    }

    static class SecondSubclassTestCase extends StaticBase {
        @Test
        void test() {
            SEEN.put("second", port);
            awaitFinished("FirstSubclassTestCase");
        }
    }

    @TestInstance(Lifecycle.PER_CLASS)
    @Execution(ExecutionMode.CONCURRENT)
    @ExtendWith(Finished.class)
    static class PerClassConcurrentTestCase {
        @LocalPort
        int port;

        @Test
        void first() {
            SEEN.put("first", port);
            awaitFinished("second");
        }

        @Test
        void second() {
            SEEN.put("second", port);
            awaitFinished("first");
        }
    }

    @TestInstance(Lifecycle.PER_CLASS)
    @Execution(ExecutionMode.CONCURRENT)
    @ExtendWith(Finished.class)
    static class OuterPerClassTestCase {
        @LocalPort
        int port;

        @Nested
        class First {
            @Test
            void first() {
                SEEN.put("first", port);
                awaitFinished("second");
            }
        }

        @Nested
        class Second {
            @Test
            void second() {
                SEEN.put("second", port);
                awaitFinished("first");
            }
        }
    }
}
