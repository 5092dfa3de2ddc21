package io.github.localport.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A machine where localport never ran, as a new CI runner: the lock directory does not exist.
 * On Linux a reservation whose lock file is new looks at /proc/locks before it hands the port
 * out, which after a quiet spell waits milliseconds for the kernel; in a machine-wide lock
 * directory the range's lock files are created ahead, so that only the first reservations pay.
 */
class NewMachineTests {

    /** 40 ports of the tests' private range, used by no other test. */
    private static final int FIRST = Held.privateRangeFirst() + 960;
    private static final int LAST = FIRST + 39;

    @TempDir
    Path temp;

    @Test
    void createsTheRangesLockFilesAheadInAMachineWideLockDirectory() throws Exception {
        assumeTrue(ProcLocks.AVAILABLE, "only where /proc/locks is looked at");
        Path shared = Files.createDirectory(temp.resolve("tmp"));
        Files.setAttribute(shared, "unix:mode", 01777); // as /tmp
        Path locks = shared.resolve("localport");

        List<String> output = reserveOnANewMachine(locks, "await");

        assertThat(output).containsExactly("FILLED true", "LOCK FILES 40", "LOOKED AGAIN false", "CREATING false");
    }

    /** A test's temporary lock directory is not filled behind its back (its owner may be deleting it). */
    @Test
    void leavesAPrivateLockDirectoryAsItIs() throws Exception {
        assumeTrue(ProcLocks.AVAILABLE, "only where /proc/locks is looked at");
        Path locks = temp.resolve("localport");

        List<String> output = reserveOnANewMachine(locks);

        assertThat(output).hasSize(3).contains("LOOKED AGAIN true", "CREATING false");
        assertThat(Integer.parseInt(output.get(0).substring("LOCK FILES ".length()))).as("one per port used")
                .isBetween(1, 21);
    }

    private static List<String> reserveOnANewMachine(Path locks, String... args) throws Exception {
        try (ChildJvm child = ChildJvm.start(List.of("-Dlocalport.range=" + FIRST + "-" + LAST,
                "-Dlocalport.lock.dir=" + locks), ReserveOnANewMachine.class, args)) {
            List<String> output = child.readUntil("DONE");
            assertThat(child.finish()).as("the child's exit code").isZero();
            return output;
        }
    }
}
