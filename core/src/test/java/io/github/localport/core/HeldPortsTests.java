package io.github.localport.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Listing who holds ports through a lock directory: a real child JVM holding real locks. */
class HeldPortsTests {

    @Test
    void listsThePortsAnotherJvmHoldsWithItsPidAndCommandLine(@TempDir Path lockDirectory) throws Exception {
        try (ChildJvm child = ChildJvm.start(List.of("-Dlocalport.lock.dir=" + lockDirectory), ReserveAndHold.class,
                "2")) {
            assertThat(child.readLine()).isEqualTo("STARTED");
            child.send("go");
            List<Integer> ports = child.readUntil("READY").stream().map(Integer::valueOf).sorted().toList();

            List<HeldPorts.Held> held = HeldPorts.in(lockDirectory);

            assertThat(held).extracting(HeldPorts.Held::port).containsExactlyElementsOf(ports);
            if (ProcLocks.AVAILABLE) {
                long pid = child.process().pid();
                assertThat(held).allSatisfy(port -> {
                    assertThat(port.pid()).isEqualTo(pid);
                    assertThat(port.holder()).startsWith("pid " + pid + " (").contains(ReserveAndHold.class.getName());
                });
            }
            assertThat(HeldPorts.of(ports.get(0), lockDirectory)).map(HeldPorts.Held::port).contains(ports.get(0));
            assertThat(child.finish()).isZero();
            assertThat(HeldPorts.in(lockDirectory)).isEmpty();
        }
    }

    /**
     * Also from an interrupted thread: an interrupt closes a file channel at once, and /proc must
     * be read in a way that it cannot cut short.
     */
    @Test
    void aPortWhoseLockFileWasDeletedIsStillListed(@TempDir Path lockDirectory) throws Exception {
        assumeTrue(ProcLocks.AVAILABLE, "only /proc/locks shows locks on deleted files");
        try (ChildJvm child = ChildJvm.start(List.of("-Dlocalport.lock.dir=" + lockDirectory), ReserveAndHold.class,
                "1")) {
            assertThat(child.readLine()).isEqualTo("STARTED");
            child.send("go");
            int port = Integer.parseInt(child.readUntil("READY").get(0));
            Files.delete(lockDirectory.resolve(port + ".lock"));

            assertThat(HeldPorts.of(port, lockDirectory)).map(HeldPorts.Held::pid).contains(child.process().pid());

            Optional<HeldPorts.Held> fromAnInterruptedThread;
            Thread.currentThread().interrupt();
            try {
                fromAnInterruptedThread = HeldPorts.of(port, lockDirectory);
            }
            finally {
                assertThat(Thread.interrupted()).as("the interrupt is kept for the caller").isTrue();
            }
            assertThat(fromAnInterruptedThread).map(HeldPorts.Held::pid).contains(child.process().pid());
        }
    }

    @Test
    void aMissingLockDirectoryHoldsNothingAndIsNotCreated(@TempDir Path parent) {
        Path missing = parent.resolve("missing");

        assertThat(HeldPorts.in(missing)).isEmpty();
        assertThat(missing).doesNotExist();
    }
}
