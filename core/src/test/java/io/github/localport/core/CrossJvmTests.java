package io.github.localport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reservations seen from several JVMs at once: real child processes, real lock files. */
class CrossJvmTests {

    /** A narrow range and a lock directory of the test's own, so another build cannot make it run out. */
    @Test
    void childJvmsReservingAtOnceNeverGetTheSamePort(@TempDir Path lockDirectory) throws Exception {
        int first = Held.privateRangeFirst() + 800;
        List<String> narrowRange = List.of("-Dlocalport.range=" + first + "-" + (first + 149),
                "-Dlocalport.lock.dir=" + lockDirectory);
        List<ChildJvm> children = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                children.add(ChildJvm.start(narrowRange, ReserveAndHold.class, "40"));
            }
            for (ChildJvm child : children) {
                assertThat(child.readLine()).isEqualTo("STARTED");
            }
            children.forEach(child -> child.send("go"));
            List<String> ports = new ArrayList<>();
            for (ChildJvm child : children) {
                ports.addAll(child.readUntil("READY"));
            }

            assertThat(ports).hasSize(120).doesNotHaveDuplicates();
            for (ChildJvm child : children) {
                assertThat(child.finish()).isZero();
            }
            assertThat(ports).allSatisfy(port -> assertThat(
                    PortRegistry.isHeld(Integer.parseInt(port), LockDirectory.at(lockDirectory))).isFalse());
        }
        finally {
            children.forEach(ChildJvm::close);
        }
    }

    @Test
    void aJvmKilledWithSigkillFreesItsPortsAtOnce() throws Exception {
        int port = Held.freePort();
        try (ChildJvm child = ChildJvm.start(List.of("-Dlocalport.range=" + port + "-" + port), ReserveAndHold.class,
                "1")) {
            assertThat(child.readLine()).isEqualTo("STARTED");
            child.send("go");
            assertThat(child.readUntil("READY")).containsExactly(String.valueOf(port));
            assertThat(Held.byLocalport(port)).as("held by the child").isTrue();

            child.process().destroyForcibly();
            assertThat(child.process().waitFor(30, TimeUnit.SECONDS)).isTrue();

            assertThat(Poll.until(() -> !Held.byLocalport(port), Duration.ofSeconds(10))).isTrue();
        }
    }
}
