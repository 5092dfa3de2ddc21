package io.github.localport;

import static io.github.localport.LocalPortTestKit.localPortTestKit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestInstancePostProcessor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Other extensions see the reserved port in {@code @LocalPort} fields: static fields from their
 * {@code beforeAll} on, instance fields from their {@code beforeEach} on, however they are
 * registered. Each fixture's extension starts a real server on what the field carries, and the
 * fixture checks that the server answers on the reserved port.
 */
class ExtensionOrderTests {

    /** Turns off every ExecutionCondition: localport then sets fields in its own callbacks only. */
    private static final String DEACTIVATE_CONDITIONS = "junit.jupiter.conditions.deactivate";

    static final Map<String, Integer> SEEN = new ConcurrentHashMap<>();

    @BeforeEach
    void clear() {
        SEEN.clear();
    }

    @ParameterizedTest
    @ValueSource(classes = { ExtendWithOnClassStaticFieldTestCase.class, ExtendWithOnClassInstanceFieldTestCase.class,
            RegisteredBeforeStaticFieldTestCase.class, RegisteredBeforeInstanceFieldTestCase.class,
            ExtendWithOnBaseClassTestCase.class, RegisteredInBaseClassTestCase.class,
            PerClassInstanceFieldTestCase.class })
    void anExtensionStartsItsServerOnTheReservedPortHoweverItIsRegistered(Class<?> fixture) {
        localPortTestKit().execute(fixture).allEvents().assertStatistics(stats -> stats.failed(0))
                .assertStatistics(stats -> stats.succeeded(fixture == PerClassInstanceFieldTestCase.class ? 4 : 3));
    }

    @Test
    void givesEachTestOfAPerClassInstanceItsOwnPortBeforeOtherExtensionsBeforeEach() {
        localPortTestKit().sequential().tests(PerClassInstanceFieldTestCase.class)
                .assertStatistics(stats -> stats.succeeded(2));

        assertThat(SEEN.get("first")).isNotEqualTo(SEEN.get("second"));
    }

    @Test
    void withConditionsDeactivatedAnExtensionRegisteredAfterTheFieldStillSeesThePort() {
        localPortTestKit().with(DEACTIVATE_CONDITIONS, "*").execute(RegisteredAfterStaticFieldTestCase.class,
                RegisteredAfterInstanceFieldTestCase.class).testEvents().assertStatistics(stats -> stats.succeeded(2));
    }

    @Test
    void withConditionsDeactivatedAnExtensionRegisteredBeforeTheFieldSeesZero() {
        localPortTestKit().with(DEACTIVATE_CONDITIONS, "*").execute(RegisteredBeforeStaticFieldTestCase.class,
                RegisteredBeforeInstanceFieldTestCase.class, ExtendWithOnClassStaticFieldTestCase.class)
                .testEvents().assertStatistics(stats -> stats.failed(3))
                .assertThatEvents().haveExactly(3, finishedWithFailure(message(m -> m.contains("no server answers"))));
    }

    @Test
    void anExtensionGivenTheFieldsValueInItsFieldInitializerSeesZero() {
        localPortTestKit().tests(ReadInInitializerTestCase.class).assertStatistics(stats -> stats.failed(1))
                .assertThatEvents().haveExactly(1, finishedWithFailure(message(m -> m.contains("no server answers"))));

        assertThat(SEEN).containsEntry("initializer", 0);
    }

    @Test
    void anotherExtensionsTestInstancePostProcessorSeesZeroInAnInstanceField() {
        localPortTestKit().tests(InstanceFieldInPostProcessorTestCase.class).assertStatistics(stats -> stats.succeeded(1));

        assertThat(SEEN).containsEntry("postProcessor", 0);
    }

    @Test
    void underPerClassAnExtensionsBeforeAllSeesZeroInAnInstanceField() {
        localPortTestKit().tests(InstanceFieldInBeforeAllTestCase.class).assertStatistics(stats -> stats.succeeded(1));

        assertThat(SEEN).containsEntry("beforeAll", 0);
    }

    private static void assertServerAnswersOn(int port) throws IOException, InterruptedException {
        assertThat(port).as("the @LocalPort field").isNotZero();
        assertThat(ServerOnPort.answersOn(port)).as("no server answers on the reserved port %d", port).isTrue();
    }

    @ExtendWith(ServerOnPort.class)
    static class ExtendWithOnClassStaticFieldTestCase {
        @LocalPort
        static int port;

        @Test
        void test() throws Exception {
            assertServerAnswersOn(port);
        }
    }

    @ExtendWith(ServerOnPort.class)
    static class ExtendWithOnClassInstanceFieldTestCase {
        @LocalPort
        int port;

        @Test
        void test() throws Exception {
            assertServerAnswersOn(port);
        }
    }

    static class RegisteredBeforeStaticFieldTestCase {
        @RegisterExtension
        @Order(1)
        static final ServerOnPort SERVER = ServerOnPort.perClass(() -> RegisteredBeforeStaticFieldTestCase.port);

        @LocalPort
        static int port;

        @Test
        void test() throws Exception {
            assertServerAnswersOn(port);
        }
    }

    static class RegisteredBeforeInstanceFieldTestCase {
        @RegisterExtension
        @Order(1)
        final ServerOnPort server = ServerOnPort.perTest(() -> this.port);

        @LocalPort
        int port;

        @Test
        void test() throws Exception {
            assertServerAnswersOn(port);
        }
    }

    static class RegisteredAfterStaticFieldTestCase {
        @LocalPort
        @Order(1)
        static int port;

        @RegisterExtension
        static final ServerOnPort SERVER = ServerOnPort.perClass(() -> port);

        @Test
        void test() throws Exception {
            assertServerAnswersOn(port);
        }
    }

    static class RegisteredAfterInstanceFieldTestCase {
        @LocalPort
        @Order(1)
        int port;

        @RegisterExtension
        final ServerOnPort server = ServerOnPort.perTest(() -> port);

        @Test
        void test() throws Exception {
            assertServerAnswersOn(port);
        }
    }

    /** As WireMock's builder takes a port: the value is read when the class is initialised. */
    static class ReadInInitializerTestCase {
        @LocalPort
        static int port;

        @RegisterExtension
        static final ServerOnPort SERVER = ServerOnPort.perClass(valueNow(ReadInInitializerTestCase.port));

        private static IntSupplier valueNow(int value) {
            SEEN.put("initializer", value);
            return () -> value;
        }

        @Test
        void test() throws Exception {
            assertServerAnswersOn(port);
        }
    }

    @ExtendWith(ServerOnPort.class)
    abstract static class ServerBase {
    }

    static class ExtendWithOnBaseClassTestCase extends ServerBase {
        @LocalPort
        static int port;

        @Test
        void test() throws Exception {
            assertServerAnswersOn(port);
        }
    }

    abstract static class RegisteringBase {
        @RegisterExtension
        final ServerOnPort server = ServerOnPort.perTest(this::port);

        abstract int port();
    }

    static class RegisteredInBaseClassTestCase extends RegisteringBase {
        @LocalPort
        int port;

        @Override
        int port() {
            return port;
        }

        @Test
        void test() throws Exception {
            assertServerAnswersOn(port);
        }
    }

    @TestInstance(Lifecycle.PER_CLASS)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class PerClassInstanceFieldTestCase {
        @RegisterExtension
        final ServerOnPort server = ServerOnPort.perTest(() -> this.port);

        @LocalPort
        int port;

        @Test
        @Order(1)
        void first() throws Exception {
            assertServerAnswersOn(port);
            SEEN.put("first", port);
        }

        @Test
        @Order(2)
        void second() throws Exception {
            assertServerAnswersOn(port);
            SEEN.put("second", port);
        }
    }

    /** Reads the instance field when the test's instance is post-processed, before its condition. */
    static class PostProcessorReader implements TestInstancePostProcessor {
        @Override
        public void postProcessTestInstance(Object instance, ExtensionContext context) {
            SEEN.put("postProcessor", ((InstanceFieldInPostProcessorTestCase) instance).port);
        }
    }

    @ExtendWith(PostProcessorReader.class)
    static class InstanceFieldInPostProcessorTestCase {
        @LocalPort
        int port;

        @Test
        void test() {
            assertThat(port).isNotZero();
        }
    }

    /** Reads the instance field in beforeAll: under PER_CLASS the instance exists, but its tests have no port yet. */
    static class InstanceFieldReader implements BeforeAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            context.getTestInstance().ifPresent(instance -> SEEN.put("beforeAll",
                    ((InstanceFieldInBeforeAllTestCase) instance).port));
        }
    }

    @TestInstance(Lifecycle.PER_CLASS)
    @ExtendWith(InstanceFieldReader.class)
    static class InstanceFieldInBeforeAllTestCase {
        @LocalPort
        int port;

        @Test
        void test() {
            assertThat(port).isNotZero();
        }
    }
}
