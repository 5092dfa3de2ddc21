package io.github.localport;

import static io.github.localport.LocalPortTestKit.localPortTestKit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.EventType;

/** What localport tells a user: who holds a leaked port, report entries, and its log. */
class DiagnosticsTests {

    static final Map<String, Object> SEEN = new ConcurrentHashMap<>();
    @RegisterExtension
    static final LeftOpen LEFT_OPEN = new LeftOpen();

    @BeforeEach
    void clear() {
        SEEN.clear();
    }


    @Test
    void namesThisJvmAndItsAcceptingThreadWhenTheTestLeaksAServer() {
        localPortTestKit().with(LocalPort.LEAK_GRACE_PROPERTY_NAME, "0s").tests(AcceptingServerTestCase.class)
                .assertThatEvents().haveExactly(1, finishedWithFailure(message(m -> m.contains(
                        "\nHeld by: this JVM (pid " + ProcessHandle.current().pid() + ", the test's own process);"
                                + " its threads blocked in accept, on this or another port: ")
                        && m.contains("'leaked-acceptor'"))));
    }

    @Test
    void namesAnotherProcessThatStillListens() {
        localPortTestKit().with(LocalPort.LEAK_GRACE_PROPERTY_NAME, "0s").tests(ChildServerTestCase.class)
                .assertThatEvents().haveExactly(1, finishedWithFailure(message(m -> m.contains(
                        "\nHeld by: pid " + SEEN.get("pid") + " (") && m.contains(
                                "ServerMain listen " + SEEN.get("port") + ").\n"))));
    }

    @Test
    void publishesEachReservationAsAReportEntry() {
        List<ReportEntry> entries = localPortTestKit().execute(NamedPortTestCase.class).allEvents()
                .reportingEntryPublished().stream()
                .map(event -> event.getRequiredPayload(ReportEntry.class)).toList();

        assertThat(entries).singleElement().satisfies(entry -> assertThat(entry.getKeyValuePairs()).containsExactly(
                Map.entry("localport.port", String.valueOf(SEEN.get("port"))),
                Map.entry("localport.protocol", "TCP"),
                Map.entry("localport.name", "db"),
                Map.entry("localport.for", "parameter 'db' of NamedPortTestCase.test(int, int)"),
                Map.entry("localport.scope", "test " + NamedPortTestCase.class.getName() + " > test(int, int)")));
    }

    @Test
    void publishesTheReportEntriesOfFieldPortsOnceTheirClassOrTestHasStarted() {
        List<Event> events = localPortTestKit().execute(FieldsTestCase.class).allEvents().list();

        List<Event> entries = events.stream().filter(event -> event.getType() == EventType.REPORTING_ENTRY_PUBLISHED)
                .toList();
        assertThat(entries).extracting(event -> event.getRequiredPayload(ReportEntry.class).getKeyValuePairs()
                .get("localport.for")).containsExactlyInAnyOrder("field FieldsTestCase.forTheClass",
                        "field FieldsTestCase.forTheTest");
        assertThat(entries).allSatisfy(entry -> assertThat(events.subList(0, events.indexOf(entry)))
                .anyMatch(event -> event.getType() == EventType.STARTED
                        && event.getTestDescriptor().equals(entry.getTestDescriptor())));
    }

    @Test
    void logsTheRangeAndLockDirectoryOnceAndEachReservationAtFine(@TempDir Path locks) {
        List<LogRecord> records;
        try (LogCapture log = new LogCapture(Level.FINE)) {
            for (int run = 1; run <= 2; run++) {
                localPortTestKit().with(LocalPort.LOCK_DIRECTORY_PROPERTY_NAME, locks.toString())
                        .tests(NamedPortTestCase.class).assertStatistics(stats -> stats.succeeded(1));
                SEEN.put("port" + run, SEEN.get("port"));
            }
            records = log.records();
        }
        assertThat(records).filteredOn(record -> record.getLevel() == Level.CONFIG).singleElement()
                .satisfies(record -> assertThat(record.getMessage()).startsWith("localport takes ports from ")
                        .endsWith(", locked in " + locks));
        assertThat(records).filteredOn(record -> record.getLevel() == Level.FINE).extracting(LogRecord::getMessage)
                .containsExactly(fineRecord(SEEN.get("port1")), fineRecord(SEEN.get("port2")));
    }

    private static String fineRecord(Object port) {
        return "Reserved port " + port + " (TCP) for parameter 'db' of NamedPortTestCase.test(int, int) in test "
                + NamedPortTestCase.class.getName() + " > test(int, int)";
    }

    static class AcceptingServerTestCase {
        @Test
        void test(@LocalPort int port) throws IOException {
            ServerSocket server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
            LEFT_OPEN.add(server);
            Thread acceptor = new Thread(() -> {
                try {
                    server.accept();
                }
                catch (IOException e) {
                    // closed by the test class after the check
                }
            }, "leaked-acceptor");
            acceptor.setDaemon(true);
            acceptor.start();
            awaitInAccept(acceptor);
        }

        private static void awaitInAccept(Thread acceptor) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (acceptor.getState() != Thread.State.RUNNABLE || !inAccept(acceptor)) {
                assertThat(System.nanoTime()).as("acceptor blocked in accept within 10 s").isLessThan(deadline);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }

        private static boolean inAccept(Thread thread) {
            for (StackTraceElement frame : thread.getStackTrace()) {
                if (frame.getMethodName().startsWith("accept")) {
                    return true;
                }
            }
            return false;
        }
    }

    static class ChildServerTestCase {
        @Test
        void test(@LocalPort ReservedPort port) throws IOException {
            Process server = ServerMain.command("listen", String.valueOf(port.number())).start();
            LEFT_OPEN.add(() -> server.destroyForcibly().waitFor(30, TimeUnit.SECONDS));
            SEEN.put("pid", server.pid());
            SEEN.put("port", port.number());
            port.awaitListening(Duration.ofSeconds(30));
        }
    }

    static class FieldsTestCase {
        @LocalPort
        static int forTheClass;

        @LocalPort
        int forTheTest;

        @Test
        void test() {
        }
    }

    static class NamedPortTestCase {
        @Test
        void test(@LocalPort("db") int db, @LocalPort("db") int again) {
            SEEN.put("port", db);
        }
    }
}
