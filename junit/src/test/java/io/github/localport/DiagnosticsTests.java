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
import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
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
    void namesThisJvmAndTheThreadBlockedInAcceptOnTheLeakedPortAndNoOther() throws IOException {
        ServerSocket elsewhere = LEFT_OPEN.add(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        Acceptors.start(elsewhere, "acceptor-elsewhere");
        localPortTestKit().with(LocalPort.LEAK_GRACE_PROPERTY_NAME, "0s").tests(AcceptingServerTestCase.class)
                .assertThatEvents().haveExactly(1, finishedWithFailure(message(m -> m.contains(
                        "\nHeld by: this JVM (pid " + ProcessHandle.current().pid() + ", the test's own process),"
                                + " whose thread 'leaked-acceptor' is blocked in accept on the port.\n"))));
    }

    @Test
    void namesThreadsNamedAfterTheLeakedPortWhenNoneIsBlockedInAcceptOnIt() {
        localPortTestKit().with(LocalPort.LEAK_GRACE_PROPERTY_NAME, "0s").tests(NamedServerTestCase.class)
                .assertThatEvents().haveExactly(1, finishedWithFailure(message(m -> m.contains(
                        "\nHeld by: this JVM (pid " + ProcessHandle.current().pid() + ", the test's own process),"
                                + " whose threads named after the port are 'server-" + SEEN.get("port") + "-poller'.\n"))));
    }

    @Test
    void saysWhenWhichThreadHoldsTheLeakedPortCannotBeTold() {
        localPortTestKit().with(LocalPort.LEAK_GRACE_PROPERTY_NAME, "0s").tests(BoundServerTestCase.class)
                .assertThatEvents().haveExactly(1, finishedWithFailure(message(m -> m.contains(
                        "\nHeld by: this JVM (pid " + ProcessHandle.current().pid() + ", the test's own process); no"
                                + " thread of it is blocked in accept on the port or named after it, so which code holds"
                                + " the port cannot be told.\n")
                        && !m.contains("The threads that hold it run"))));
    }

    @Test
    void recognisesAFrameworksServerAndSaysItLivesAsLongAsItsApplication() {
        localPortTestKit().with(LocalPort.LEAK_GRACE_PROPERTY_NAME, "0s").tests(TomcatTestCase.class)
                .assertThatEvents().haveExactly(1, finishedWithFailure(message(m -> m.contains(
                        ", whose thread 'http-nio-127.0.0.1-" + SEEN.get("port") + "-Acceptor' is blocked in accept on"
                                + " the port.\n")
                        && m.contains("\nThe threads that hold it run Tomcat: a server that a framework started stops"
                                + " when its application is closed, and an application that outlives the scope keeps it"
                                + " (a Spring application context, for one, stays open in Spring's test context cache"
                                + " after its test class). Close the application before the scope ends, or see the"
                                + " README's Spring Boot section.\n"))));
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
            Acceptors.start(LEFT_OPEN.add(new ServerSocket(port, 50, InetAddress.getLoopbackAddress())),
                    "leaked-acceptor");
        }
    }

    /** A server whose thread waits with a timeout: polling, not blocked in accept. */
    static class NamedServerTestCase {
        @Test
        void test(@LocalPort int port) throws IOException {
            SEEN.put("port", port);
            ServerSocket server = LEFT_OPEN.add(new ServerSocket(port, 50, InetAddress.getLoopbackAddress()));
            server.setSoTimeout(60_000);
            Acceptors.start(server, "server-" + port + "-poller");
        }
    }

    static class BoundServerTestCase {
        @Test
        void test(@LocalPort int port) throws IOException {
            LEFT_OPEN.add(new ServerSocket(port, 50, InetAddress.getLoopbackAddress()));
        }
    }

    /** Tomcat as Spring Boot embeds it, left running as a cached application context leaves it. */
    static class TomcatTestCase {
        @Test
        void test(@LocalPort int port, @TempDir Path baseDir) throws Exception {
            SEEN.put("port", port);
            Tomcat tomcat = new Tomcat();
            tomcat.setBaseDir(baseDir.toString());
            Connector connector = new Connector();
            connector.setPort(port);
            connector.setProperty("address", "127.0.0.1");
            tomcat.setConnector(connector);
            tomcat.start();
            LEFT_OPEN.add(() -> {
                tomcat.stop();
                tomcat.destroy();
            });
            Acceptors.awaitInAccept("http-nio-127.0.0.1-" + port + "-Acceptor");
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
