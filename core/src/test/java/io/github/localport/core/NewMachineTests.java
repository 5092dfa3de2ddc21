package io.github.localport.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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
    private static final Duration WITHIN = Duration.ofSeconds(30);
    private static final String THREAD = "localport: lock files of ";

    @TempDir
    Path temp;
    /** A lock directory that does not exist yet, in a directory shared and sticky as /tmp. */
    private Path locks;

    @BeforeEach
    void aDirectoryAsTmp() throws Exception {
        assumeTrue(ProcLocks.AVAILABLE, "only where /proc/locks is looked at");
        Path shared = Files.createDirectory(temp.resolve("tmp"));
        Files.setAttribute(shared, "unix:mode", 01777);
        locks = shared.resolve("localport");
    }

    /** The thread that creates lock files ends before the test's directory is deleted. */
    @AfterEach
    void noThreadLeftCreatingLockFiles() throws InterruptedException {
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith(THREAD)) {
                thread.join(WITHIN.toMillis());
                assertThat(thread.isAlive()).as(thread.getName()).isFalse();
            }
        }
    }

    @Test
    void createsTheRangesLockFilesAheadInAMachineWideLockDirectory() throws Exception {
        List<String> output = reserveOnANewMachine(locks, "await");

        assertThat(output).containsExactly("FILLED true", "ALL LOCK FILES true", "LOCK FILES 40", "LOOKED AGAIN false");
        try (var files = Files.list(locks)) {
            assertThat(files).allSatisfy(file -> assertThat(PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(file))).as("shared with all users").isEqualTo("rw-rw-rw-"));
        }
    }

    /** A test's temporary lock directory is not filled behind its back (its owner may be deleting it). */
    @Test
    void leavesAPrivateLockDirectoryAsItIs() throws Exception {
        assertOnlyThePortsUsedHaveLockFiles(reserveOnANewMachine(temp.resolve("localport")));
    }

    /** In another user's directory, that user could swap the files the thread creates for something else. */
    @Test
    void leavesAnotherUsersMachineWideLockDirectoryAsItIs() throws Exception {
        assumeTrue(ChildJvm.otherUserAvailable(), "runs as root, to give a directory to user nobody");
        Files.createDirectory(locks);
        Files.setAttribute(locks, "unix:mode", 01777);
        Files.setOwner(locks, locks.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));

        assertOnlyThePortsUsedHaveLockFiles(reserveOnANewMachine(locks));
    }

    private static void assertOnlyThePortsUsedHaveLockFiles(List<String> output) {
        assertThat(output).hasSize(3).contains("ALL LOCK FILES false", "LOOKED AGAIN true");
        assertThat(Integer.parseInt(output.get(1).substring("LOCK FILES ".length()))).as("one per port used")
                .isBetween(1, 21);
    }

    /**
     * Closing any descriptor of a file drops every lock this process holds on it: the thread
     * creates (opens and closes) a lock file only holding the JVM-wide monitor under which
     * reservations open, lock and close it.
     */
    @Test
    void createsALockFileOnlyHoldingTheMonitorReservationsTake() throws Exception {
        int busy = LAST; // the thread goes up the range: it creates every other file first
        LockDirectory directory = LockDirectory.at(locks);
        directory.claims().put(busy, new PortRequest("", Transport.TCP, "a reservation of this JVM"));
        try {
            synchronized (LockDirectory.monitor(locks.toRealPath().toString(), busy)) {
                reserve(FIRST, LAST).close();

                assertThat(Held.eventually(() -> lockFiles() >= 39 && threadCreatingLockFilesIsBlocked(), WITHIN))
                        .as("every other lock file created, and the thread waiting for the monitor").isTrue();
                assertThat(locks.resolve(busy + ".lock")).as("not while its monitor is taken").doesNotExist();
            }
            assertThat(Held.eventually(() -> Files.exists(locks.resolve(busy + ".lock")), WITHIN)).isTrue();
        }
        finally {
            directory.claims().remove(busy);
        }
    }

    /**
     * A port held by another JVM whose lock file was deleted stays held after the thread created
     * its file again and took its look.
     */
    @Test
    void aPortWhoseLockFileWasDeletedWhileHeldStaysHeldAfterTheFilesAreCreatedAhead() throws Exception {
        try (Held.Lease lease = Held.lease(2)) {
            int port = lease.first();
            try (ChildJvm holder = ChildJvm.start(List.of("-Dlocalport.range=" + port + "-" + port,
                    "-Dlocalport.lock.dir=" + locks), HoldUntilTold.class)) {
                assertThat(holder.readLine()).isEqualTo("HELD " + port);
                Files.delete(locks.resolve(port + ".lock"));
                LockDirectory directory = LockDirectory.at(locks);

                // The port claimed meanwhile, so that the reservation takes the other one and the thread creates its file.
                directory.claims().put(port, new PortRequest("", Transport.TCP, "a test"));
                try (Reservation other = reserve(port, port + 1)) {
                    assertThat(other.number()).isEqualTo(port + 1);
                }
                finally {
                    directory.claims().remove(port);
                }
                noThreadLeftCreatingLockFiles();
                assertThat(locks.resolve(port + ".lock")).as("created by the thread").isRegularFile();

                assertThatThrownBy(() -> reserve(port, port)).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("held by pid " + holder.process().pid());
            }
        }
    }

    private static boolean threadCreatingLockFilesIsBlocked() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(thread -> thread.getName().startsWith(THREAD) && thread.getState() == Thread.State.BLOCKED);
    }

    private long lockFiles() {
        return IntStream.rangeClosed(FIRST, LAST).filter(port -> Files.exists(locks.resolve(port + ".lock"))).count();
    }

    private Reservation reserve(int first, int last) {
        Map<String, String> values = Map.of(Settings.RANGE, first + "-" + last, Settings.LOCK_DIRECTORY,
                locks.toString());
        return PortRegistry.reserve(new PortRequest("", Transport.TCP, "a test"), "a test",
                Settings.from(key -> Optional.ofNullable(values.get(key))));
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
