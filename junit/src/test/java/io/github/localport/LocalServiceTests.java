package io.github.localport;

import static io.github.localport.LocalPortTestKit.localPortTestKit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;


import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.engine.TestExecutionResult;
import org.opentest4j.AssertionFailedError;

class LocalServiceTests {

    static final Map<String, Object> SEEN = new ConcurrentHashMap<>();
    static final List<String> EVENTS = new CopyOnWriteArrayList<>();
    @RegisterExtension
    static final LeftOpen LEFT_OPEN = new LeftOpen();

    @BeforeEach
    void clear() {
        SEEN.clear();
        EVENTS.clear();
    }


    @Test
    void runsAnInstanceFieldServiceAroundEachTest() {
        localPortTestKit().sequential().tests(PerTestServiceTestCase.class).assertStatistics(stats -> stats.succeeded(2));

        assertThat(EVENTS).containsExactly("start", "test", "stop", "start", "test", "stop");
        assertThat(Held.byLocalport((int) SEEN.get("port"))).isFalse();
    }

    @Test
    void stopsTheServiceOfATestThatFailed() {
        localPortTestKit().tests(FailingTestCase.class).assertStatistics(stats -> stats.failed(1));

        assertThat(EVENTS).containsExactly("start", "test", "stop");
        assertThat(Held.byLocalport((int) SEEN.get("port"))).isFalse();
    }

    @Test
    void runsAStaticFieldServiceOnceForTheClassAndItsNestedClasses() {
        localPortTestKit().sequential().tests(PerClassServiceTestCase.class)
                .assertStatistics(stats -> stats.succeeded(3));

        assertThat(EVENTS).containsExactly("start", "beforeAll", "test", "test", "nested", "stop");
        assertThat(Held.byLocalport((int) SEEN.get("port"))).isFalse();
    }

    @Test
    void failsBeforeTheTestWhenTheStartActionThrows() {
        localPortTestKit().tests(ThrowingStartTestCase.class).assertThatEvents().haveExactly(1, finishedWithFailure(
                instanceOf(IllegalStateException.class), message(m -> m.matches(
                        "Service 'broken' could not start on port \\d+: its start action threw java.io.IOException:"
                                + " no config"))));
        assertThat(EVENTS).isEmpty();
    }

    @Test
    void failsBeforeTheTestWhenTheServiceNeverListensAndStopsIt() {
        localPortTestKit().tests(NeverListensTestCase.class).assertThatEvents().haveExactly(1, finishedWithFailure(
                instanceOf(IllegalStateException.class), message(m -> m.startsWith("Service 'mute' did not listen on"
                        + " port " + SEEN.get("port") + " within ") && m.contains(": nothing accepted a TCP connection on"
                                + " 127.0.0.1 or [::1].") && m.endsWith("give it longer with startupTimeout(Duration) or"
                                        + " configuration parameter 'localport.service.startup.timeout'."))));
        assertThat(EVENTS).containsExactly("start", "stop");
        assertThat(Held.byLocalport((int) SEEN.get("port"))).isFalse();
    }

    @Test
    void failsTheTestWhenTheServiceStillListensAfterItsStopAction() throws Exception {
        localPortTestKit().with(LocalPort.LEAK_GRACE_PROPERTY_NAME, "0s").tests(LeakyStopTestCase.class)
                .assertThatEvents().haveExactly(1, finishedWithFailure(instanceOf(AssertionFailedError.class),
                        message(m -> m.startsWith("Port " + SEEN.get("port") + " (TCP) is still in use 0s after service"
                                + " 'leaky' was stopped at the end of test " + LeakyStopTestCase.class.getName()
                                + " > test(): something listens on it or has it bound.")
                                && m.contains("It was reserved for service 'leaky'."))));

        LEFT_OPEN.closeAll();
        assertThat(Held.byLocalport((int) SEEN.get("port"))).isFalse();
    }

    @Test
    void givesAServiceThePortOfAServiceDeclaredAfterIt() {
        localPortTestKit().tests(DependentServicesTestCase.class).assertStatistics(stats -> stats.succeeded(1));

        assertThat(EVENTS).containsExactly("start frontend", "start backend", "stop backend", "stop frontend");
        assertThat(SEEN.get("frontend's backend")).isEqualTo(SEEN.get("backend"));
    }

    @Test
    void runsSeveralServicesPerTestWhileTestsRunInParallel() {
        localPortTestKit().tests(ParallelServicesTestCase.class).assertStatistics(stats -> stats.succeeded(20));
    }

    @Test
    void failsStartUpWithTheExitCodeAndLastOutputOfAProcessThatExits() {
        localPortTestKit().tests(ExitingProcessTestCase.class).assertThatEvents().haveExactly(1, finishedWithFailure(
                instanceOf(IllegalStateException.class), message(m -> m.matches("(?s)Service 'crashy' exited with"
                        + " code 3 before it listened on port \\d+ \\(after \\d+m?s\\)\\. Its last output:\\R"
                        + "(  starting up\\R  fatal: configuration is broken|  fatal: configuration is broken\\R"
                        + "  starting up)\\RA service must keep running and listen on 127.0.0.1 \\(or 0.0.0.0\\) at the"
                        + " port it was given; a server that puts itself in the background must be run in the"
                        + " foreground."))));
        assertThat(EVENTS).isEmpty();
    }

    @Test
    void failsStartUpOfAProcessThatNeverListensAndStopsIt() {
        Throwable failure = localPortTestKit().tests(SilentProcessTestCase.class).failed().stream().findFirst()
                .orElseThrow().getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();

        assertThat(failure).hasMessageStartingWith("Service 'silent' did not listen on port")
                .hasMessageContaining("nothing accepted a TCP connection on 127.0.0.1 or [::1].")
                .hasMessageContaining("It printed nothing.");
        Matcher pid = Pattern.compile("Its process \\(pid (\\d+)\\) is still running").matcher(failure.getMessage());
        assertThat(pid.find()).isTrue();
        assertThat(ProcessHandle.of(Long.parseLong(pid.group(1))).filter(ProcessHandle::isAlive)).isEmpty();
    }

    @Test
    void stopsAProcessServiceAndEveryProcessItStarted() {
        localPortTestKit().tests(ProcessTreeTestCase.class).assertStatistics(stats -> stats.succeeded(1));

        @SuppressWarnings("unchecked")
        List<Long> pids = (List<Long>) SEEN.get("pids");
        assertThat(pids).hasSize(2);
        assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty());
    }

    static class ExitingProcessTestCase {
        @RegisterExtension
        final LocalService<Process> crashy = LocalService.process("crashy", port -> ServerMain.command("exit", "3"));

        @Test
        void test() {
            EVENTS.add("test");
        }
    }

    static class SilentProcessTestCase {
        @RegisterExtension
        final LocalService<Process> silent = LocalService.process("silent", port -> ServerMain.command("sleep"))
                .startupTimeout(Duration.ofMillis(500));

        @Test
        void test() {
        }
    }

    /** The server starts a grandchild; both must be gone once the test is over. */
    static class ProcessTreeTestCase {
        @RegisterExtension
        final LocalService<Process> tree = LocalService.process("tree",
                port -> ServerMain.command("listen-with-grandchild", String.valueOf(port.number())));

        @Test
        void test() {
            List<Long> pids = new java.util.ArrayList<>(List.of(tree.service().pid()));
            tree.service().descendants().map(ProcessHandle::pid).forEach(pids::add);
            SEEN.put("pids", pids);
        }
    }

    @Test
    void stopsAServerThatPutItselfInTheBackground() {
        localPortTestKit().with(LocalPort.LEAK_GRACE_PROPERTY_NAME, "0s").tests(BackgroundServerTestCase.class)
                .assertStatistics(stats -> stats.succeeded(1));
    }

    @Test
    void reportsAStopActionThatThrowsAndStillReleasesThePort() {
        localPortTestKit().tests(ThrowingStopTestCase.class).assertThatEvents().haveExactly(1, finishedWithFailure(
                instanceOf(IllegalStateException.class), message(m -> m.matches("Service 'stuck' on port \\d+ could not"
                        + " be stopped: its stop action threw java.io.IOException: stuck"))));
        assertThat(Held.byLocalport((int) SEEN.get("port"))).isFalse();
    }

    @Test
    void runsAnInstanceFieldServiceOnceForAPerClassInstance() {
        localPortTestKit().sequential().tests(PerClassInstanceServiceTestCase.class)
                .assertStatistics(stats -> stats.succeeded(2));

        assertThat(EVENTS).containsExactly("start", "test", "test", "stop");
    }

    @Test
    void refusesAPerTestServiceWhosePortNameTheClassHolds() {
        localPortTestKit().tests(ClassHeldNameTestCase.class).assertThatEvents().haveExactly(1, finishedWithFailure(
                instanceOf(org.junit.jupiter.api.extension.ExtensionConfigurationException.class),
                message(m -> m.startsWith("Service 'web' runs for test " + ClassHeldNameTestCase.class.getName()
                        + " > test(), but the port named 'web' is held for class " + ClassHeldNameTestCase.class.getName()
                        + ", by parameter 'web' of ClassHeldNameTestCase.beforeAll(int)."))));
        assertThat(EVENTS).isEmpty();
    }

    @Test
    void refusesOneServiceObjectForTwoClassesAtOnce() {
        localPortTestKit().execute(SharingClassA.class, SharingClassB.class).containerEvents().assertThatEvents()
                .haveExactly(1, finishedWithFailure(message("LocalService 'shared' already runs for class "
                        + SharingClassA.class.getName() + ", so it cannot also run for " + SharingClassB.class.getName()
                        + ". One LocalService object serves one test class and its @Nested classes: give each class"
                        + " its own, for example from a static factory method.")));
    }

    /** A service named "server" that records its start and stop in EVENTS. */
    static LocalService<Server> recordingServer() {
        return LocalService.of("server", port -> {
            EVENTS.add("start");
            return Server.on(port);
        }, service -> {
            EVENTS.add("stop");
            service.close();
        });
    }

    /** Listens while it runs; stopping closes it. */
    record Server(ServerSocket socket) implements AutoCloseable {
        static Server on(LocalService.ServicePort port) throws IOException {
            return new Server(new ServerSocket(port.number(), 50, InetAddress.getLoopbackAddress()));
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    static class PerTestServiceTestCase {
        @RegisterExtension
        final LocalService<Server> server = recordingServer();

        @Test
        void one(@LocalPort("server") int port) throws IOException {
            check(port);
        }

        @Test
        void two(@LocalPort("server") int port) throws IOException {
            check(port);
        }

        private void check(int port) throws IOException {
            EVENTS.add("test");
            SEEN.put("port", port);
            assertThat(server.port()).isEqualTo(port);
            assertThat(server.address().getPort()).isEqualTo(port);
            assertThat(server.uri("tcp")).hasToString("tcp://127.0.0.1:" + port);
            new Socket(InetAddress.getLoopbackAddress(), port).close();
        }
    }

    static class FailingTestCase {
        @RegisterExtension
        final LocalService<Server> server = recordingServer();

        @Test
        void test() {
            EVENTS.add("test");
            SEEN.put("port", server.port());
            throw new AssertionError("the test fails");
        }
    }

    /** The shell starts the server in the background and exits: the server must still be stopped. */
    static class BackgroundServerTestCase {
        @RegisterExtension
        final LocalService<Process> background = LocalService.process("background", port -> new ProcessBuilder("sh", "-c",
                String.join(" ", ServerMain.command("listen", String.valueOf(port.number())).command())
                        + " & sleep 1"));

        @Test
        void test() {
            assertThat(Held.eventually(() -> !background.service().isAlive(), Duration.ofSeconds(30)))
                    .as("the shell has exited, leaving the server to run by itself").isTrue();
            assertThat(background.service().exitValue()).isZero();
        }
    }

    static class ThrowingStopTestCase {
        @RegisterExtension
        final LocalService<Server> stuck = LocalService.of("stuck", Server::on, server -> {
            SEEN.put("port", server.socket().getLocalPort());
            server.close();
            throw new IOException("stuck");
        });

        @Test
        void test() {
        }
    }

    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    static class PerClassInstanceServiceTestCase {
        @RegisterExtension
        final LocalService<Server> server = recordingServer();

        @Test
        void one() {
            EVENTS.add("test");
        }

        @Test
        void two() {
            EVENTS.add("test");
        }
    }

    static class ClassHeldNameTestCase {
        @RegisterExtension
        final LocalService<Server> web = LocalService.of("web", port -> {
            EVENTS.add("start");
            return Server.on(port);
        });

        @BeforeAll
        static void beforeAll(@LocalPort("web") int web) {
        }

        @Test
        void test() {
        }
    }

    static final class Sharing {
        static final LocalService<Server> SHARED = LocalService.of("shared", Server::on);
        static final CountDownLatch A_RUNNING = new CountDownLatch(1);
        static final CountDownLatch B_DONE = new CountDownLatch(1);

        private Sharing() {
        }
    }

    static class SharingClassA {
        @RegisterExtension
        static final LocalService<Server> shared = Sharing.SHARED;

        @Test
        void test() throws InterruptedException {
            Sharing.A_RUNNING.countDown();
            assertThat(Sharing.B_DONE.await(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    /** Starts only once class A runs its test, and lets A finish once it is done. */
    static class SharingClassB {
        @RegisterExtension
        @Order(1)
        static final Extension gate = new Gate();

        @RegisterExtension
        @Order(2)
        static final LocalService<Server> shared = Sharing.SHARED;

        @Test
        void test() {
        }

        static final class Gate implements BeforeAllCallback, AfterAllCallback {
            @Override
            public void beforeAll(ExtensionContext context) throws InterruptedException {
                assertThat(Sharing.A_RUNNING.await(10, TimeUnit.SECONDS)).isTrue();
            }

            @Override
            public void afterAll(ExtensionContext context) {
                Sharing.B_DONE.countDown();
            }
        }
    }

    static class PerClassServiceTestCase {
        @RegisterExtension
        static final LocalService<Server> server = recordingServer();

        @BeforeAll
        static void beforeAll() {
            EVENTS.add("beforeAll");
            SEEN.put("port", server.port());
        }

        @Test
        void one() {
            EVENTS.add("test");
            assertThat(server.port()).isEqualTo(SEEN.get("port"));
        }

        @Test
        void two() {
            EVENTS.add("test");
        }

        @org.junit.jupiter.api.Nested
        class Inner {
            @Test
            void nested(@LocalPort("server") int port) {
                EVENTS.add("nested");
                assertThat(port).isEqualTo(SEEN.get("port"));
            }
        }
    }

    static class ThrowingStartTestCase {
        @RegisterExtension
        final LocalService<Server> broken = LocalService.of("broken", port -> {
            throw new IOException("no config");
        });

        @Test
        void test() {
            EVENTS.add("test");
        }
    }

    static class NeverListensTestCase {
        @RegisterExtension
        final LocalService<String> mute = LocalService.of("mute", port -> {
            EVENTS.add("start");
            SEEN.put("port", port.number());
            return "not a server";
        }, service -> EVENTS.add("stop")).startupTimeout(Duration.ofMillis(200));

        @Test
        void test() {
            EVENTS.add("test");
        }
    }

    static class LeakyStopTestCase {
        @RegisterExtension
        final LocalService<Server> leaky = LocalService.of("leaky", port -> {
            SEEN.put("port", port.number());
            Server server = Server.on(port);
            LEFT_OPEN.add(server.socket());
            return server;
        }, service -> {
            // forgets to close the socket
        });

        @Test
        void test() {
        }
    }

    /** The frontend is declared first but is configured with the backend's port. */
    static class DependentServicesTestCase {
        @RegisterExtension
        final LocalService<Server> frontend = LocalService.of("frontend", port -> {
            EVENTS.add("start frontend");
            SEEN.put("frontend's backend", port.portOf("backend"));
            return Server.on(port);
        }, service -> {
            EVENTS.add("stop frontend");
            service.close();
        });

        @RegisterExtension
        final LocalService<Server> backend = LocalService.of("backend", port -> {
            EVENTS.add("start backend");
            return Server.on(port);
        }, service -> {
            EVENTS.add("stop backend");
            service.close();
        });

        @Test
        void test() {
            SEEN.put("backend", backend.port());
        }
    }

    static class ParallelServicesTestCase {
        @RegisterExtension
        final LocalService<Server> first = LocalService.of("first", Server::on);

        @RegisterExtension
        final LocalService<Server> second = LocalService.of("second", Server::on);

        @RepeatedTest(20)
        void test() throws IOException {
            assertThat(first.port()).isNotEqualTo(second.port());
            new Socket(InetAddress.getLoopbackAddress(), first.port()).close();
            new Socket(InetAddress.getLoopbackAddress(), second.port()).close();
        }
    }
}
