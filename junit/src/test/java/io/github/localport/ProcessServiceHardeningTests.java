package io.github.localport;

import static io.github.localport.LocalPortTestKit.localPortTestKit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Process services on an unlucky machine: a command that leaves a process behind whose parent
 * has already exited, and a process that prints a line longer than anyone wants to keep.
 */
class ProcessServiceHardeningTests {

    /** Where the fixtures write what the test checks afterwards; one test at a time uses it. */
    static Path orphanPidFile;

    @Test
    void stopsAProcessWhoseParentExitedBeforeItWasEverSeen(@TempDir Path temp) throws IOException {
        orphanPidFile = temp.resolve("orphan.pid");

        localPortTestKit().tests(OrphanTestCase.class).assertStatistics(stats -> stats.succeeded(1));

        long orphan = Long.parseLong(Files.readString(orphanPidFile).strip());
        assertThat(ProcessHandle.of(orphan).filter(ProcessHandle::isAlive)).as("the orphan sleep " + orphan).isEmpty();
    }

    @Test
    void drainsALineLongerThanMemoryShouldHoldAndKeepsOnlyItsStart() {
        localPortTestKit().tests(LongLineTestCase.class).assertStatistics(stats -> stats.succeeded(1));
    }

    @Test
    void reportsTheStartOfAVeryLongLastLine() {
        localPortTestKit().tests(LongLineThenExitTestCase.class).assertThatEvents().haveExactly(1, finishedWithFailure(
                instanceOf(IllegalStateException.class),
                message(m -> m.contains("Service 'chatty' exited with code 3")
                        && m.contains("  " + "x".repeat(2000) + " [line cut at 2000 characters]")
                        && m.length() < 10_000)));
    }

    /** {@code sh -c 'CMD; exec java ServerMain listen PORT'}: a shell that ends as the server. */
    private static ProcessBuilder shellThenServer(String first, int port) {
        List<String> command = new ArrayList<>(List.of("sh", "-c", first + "; exec \"$@\"", "sh"));
        command.addAll(ServerMain.command("listen", String.valueOf(port)).command());
        return new ProcessBuilder(command);
    }

    static class OrphanTestCase {
        @RegisterExtension
        final LocalService<Process> server = LocalService.process("server", port -> shellThenServer(
                "(sleep 300 & echo $! > '" + orphanPidFile + "')", port.number()));

        @Test
        void test() {
        }
    }

    static class LongLineTestCase {
        @RegisterExtension
        final LocalService<Process> chatty = LocalService.process("chatty", port -> shellThenServer(
                "head -c 50000000 /dev/zero | tr '\\0' x; echo", port.number()));

        @Test
        void test() {
        }
    }

    static class LongLineThenExitTestCase {
        @RegisterExtension
        final LocalService<Process> chatty = LocalService.process("chatty", port -> new ProcessBuilder("sh", "-c",
                "head -c 50000000 /dev/zero | tr '\\0' x; exit 3"));

        @Test
        void test() {
        }
    }
}
