package io.github.localport.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What other processes do to ports: hold them through localport, listen on them, die with them
 * held, or run as another user. Real child JVMs; the holder's pid must show in messages.
 */
class OtherProcessesTests {

    @Test
    void namesTheJvmThatHoldsAPortAskedForByNumber() throws Exception {
        int port = Held.freePort();
        try (ChildJvm child = holding(port)) {
            assertThatThrownBy(() -> Ports.reserve(port)).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("Port " + port + " (TCP) is not free for reserve(" + port
                            + ") called at " + getClass().getName())
                    .hasMessageContaining("another JVM or user holds it through localport, held by pid "
                            + child.process().pid() + " (")
                    .hasMessageContaining(ReserveAndHold.class.getName());
        }
    }

    @Test
    void namesTheProgramThatListensOnAPortAskedForByNumber() throws Exception {
        int port = Held.freePort();
        Process server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), ListenMain.class.getName(), String.valueOf(port)).start();
        try {
            assertThat(Poll.until(() -> PortProbe.isListening(port, io.github.localport.core.Transport.TCP),
                    Duration.ofSeconds(30))).isTrue();
            assertThatThrownBy(() -> Ports.reserve(port)).hasMessageContaining(
                    "it is in use by a program that does not use localport, held by pid " + server.pid() + " (")
                    .hasMessageContaining(ListenMain.class.getName() + " " + port);
        }
        finally {
            server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void namesThisJvmWhenItHoldsAPortAskedForByNumber() {
        try (Reservation mine = Ports.reserve()) {
            assertThatThrownBy(() -> Ports.reserve(mine.number())).hasMessageContaining(
                    "this JVM holds it for reserve() called at " + getClass().getName());
        }
    }

    @Test
    void reservesAPortAskedForByNumberThatIsFree() {
        int port = Held.freePort();
        try (Reservation reserved = Ports.reserve(port)) {
            assertThat(reserved.number()).isEqualTo(port);
            assertThat(Held.byLocalport(port)).isTrue();
        }
        assertThat(Held.byLocalport(port)).isFalse();
    }

    @Test
    void freesThePortsOfAJvmThatCallsSystemExit() throws Exception {
        int port = Held.freePort();
        try (ChildJvm child = holding(port)) {
            child.send("exit");
            assertThat(child.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(Held.byLocalport(port)).isFalse();
        }
    }

    @Test
    void freesThePortsOfAJvmStoppedWithSigterm() throws Exception {
        int port = Held.freePort();
        try (ChildJvm child = holding(port)) {
            child.process().destroy();
            assertThat(child.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(Held.byLocalport(port)).isFalse();
        }
    }

    @Test
    void sharesTheLockDirectoryWithOtherUsers(@TempDir Path temp) throws Exception {
        assumeTrue(ChildJvm.otherUserAvailable(), "runs as root with setpriv, to start a child as user nobody");
        Path locks = temp.resolve("locks");
        int port = Held.freePort();
        // Created by this user, through localport: world-writable and sticky, lock file shared.
        PortRegistry.isHeld(port, LockDirectory.at(locks));
        assertThat(Files.getAttribute(locks, "unix:mode")).isEqualTo(041777);
        assertThat(Files.getPosixFilePermissions(locks.resolve(port + ".lock")))
                .isEqualTo(PosixFilePermissions.fromString("rw-rw-rw-"));

        try (ChildJvm child = ChildJvm.startAsNobody(temp, List.of("-Dlocalport.range=" + port + "-" + port,
                "-Dlocalport.lock.dir=" + locks), ReserveAndHold.class, "1")) {
            assertThat(child.readLine()).isEqualTo("STARTED");
            child.send("go");
            assertThat(child.readUntil("READY")).containsExactly(String.valueOf(port));
            assertThat(PortRegistry.isHeld(port, LockDirectory.at(locks))).as("held by nobody's JVM").isTrue();
            assertThat(child.finish()).isZero();
        }
    }

    @Test
    void treatsAnotherUsersUnsharedLockFileAsHeld(@TempDir Path temp) throws Exception {
        assumeTrue(ChildJvm.otherUserAvailable(), "runs as root with setpriv, to start a child as user nobody");
        Path locks = temp.resolve("locks");
        int port = Held.freePort();
        PortRegistry.isHeld(port, LockDirectory.at(locks));
        Files.setPosixFilePermissions(locks.resolve(port + ".lock"), PosixFilePermissions.fromString("rw-------"));

        try (ChildJvm child = ChildJvm.startAsNobody(temp, List.of("-Dlocalport.range=" + port + "-" + port,
                "-Dlocalport.lock.dir=" + locks), ReserveAndHold.class, "1")) {
            assertThat(child.readLine()).isEqualTo("STARTED");
            child.send("go");
            assertThat(child.readLine()).contains("Port " + port + " (TCP) is not free")
                    .contains("another JVM or user holds it through localport");
        }
    }

    @Test
    void skipsPortsTheOsRefusesForReasonsOtherThanUse(@TempDir Path temp) throws Exception {
        assumeTrue(ChildJvm.otherUserAvailable(), "runs as root with setpriv, to start a child as user nobody");
        Path locks = LockDirectory.at(temp.resolve("locks")).path(); // shared, so that nobody can lock in it
        try (ChildJvm child = ChildJvm.startAsNobody(temp, List.of("-Dlocalport.lock.dir=" + locks), ProbeMain.class,
                "1023")) {
            assertThat(child.readLine()).isEqualTo("1023 free: false");
            assertThat(child.readLine()).startsWith("Port 1023 (TCP) is not free for reserve(1023) called at")
                    .endsWith(": the OS refuses to bind it (Permission denied).");
        }
        assertThat(PortProbe.isFree(1023, io.github.localport.core.Transport.TCP)).as("root may bind it").isTrue();
    }

    private static ChildJvm holding(int port) throws IOException {
        ChildJvm child = ChildJvm.start(List.of("-Dlocalport.range=" + port + "-" + port), ReserveAndHold.class, "1");
        assertThat(child.readLine()).isEqualTo("STARTED");
        child.send("go");
        assertThat(child.readUntil("READY")).containsExactly(String.valueOf(port));
        assertThat(Held.byLocalport(port)).isTrue();
        return child;
    }
}
