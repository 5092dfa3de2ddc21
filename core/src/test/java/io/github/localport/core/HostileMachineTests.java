package io.github.localport.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The promise on real machines that misbehave: lock files deleted by tmp cleaners, the whole
 * lock directory deleted, things planted in it, a directory anyone may write to, ports taken
 * by programs outside localport in every way but listening. Real files, child JVMs and sockets.
 */
class HostileMachineTests {

    private static final Duration NEVER_BLOCKS = Duration.ofSeconds(10);

    @TempDir
    Path temp;
    private Path locks;
    private Held.Lease lease;
    private int port;

    /** Two adjacent ports, held in the machine's lock directory so that no one else uses them meanwhile. */
    @BeforeEach
    void twoPortsOfOurOwn() {
        locks = temp.resolve("locks");
        lease = Held.lease(2);
        port = lease.first();
    }

    @AfterEach
    void giveThemBack() {
        lease.close();
    }

    @Test
    void keepsAPortHeldWhenATmpCleanerDeletesItsLockFile() throws Exception {
        try (ChildJvm holder = holding(port)) {
            Files.delete(locks.resolve(port + ".lock"));

            assertThatThrownBy(() -> reserve(port, port)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("another JVM or user holds it through localport, held by pid "
                            + holder.process().pid());
            try (Reservation other = reserve(port, port + 1)) {
                assertThat(other.number()).as("the other port of the range").isEqualTo(port + 1);
            }
            assertThat(anotherJvmReserving(port)).contains("Port " + port + " (TCP) is not free");

            holder.send("release");
            List<String> output = holder.readUntil("DONE");
            assertThat(output).contains("RELEASED").anySatisfy(line -> assertThat(line)
                    .contains("The lock file " + locks.resolve(port + ".lock") + " of port " + port
                            + " was deleted or replaced while the port was held"));
        }
        try (Reservation after = reserve(port, port)) {
            assertThat(after.number()).as("free again once its holder let go").isEqualTo(port);
        }
    }

    /**
     * A lock file replaced by one with an old modification time. This JVM looked at /proc/locks
     * before the holder locked the port, so that look shows no holder; it must not answer for
     * the new file, whose ctime is newer. A fresh JVM's first look shows the holder's lock on
     * another file, and must refuse too.
     */
    @Test
    void keepsAPortHeldWhenItsLockFileIsReplacedByAFileThatLooksOld() throws Exception {
        assumeTrue(ProcLocks.AVAILABLE, "only /proc/locks shows locks on files no longer at their path");
        try (ChildJvm holder = holding(port)) {
            Path file = locks.resolve(port + ".lock");
            Path replacement = Files.createFile(locks.resolve("replacement"));
            Files.setLastModifiedTime(replacement, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
            Files.move(replacement, file, StandardCopyOption.REPLACE_EXISTING);

            assertThat(anotherJvmReserving(port)).as("a fresh JVM").contains("Port " + port + " (TCP) is not free");
            assertThatThrownBy(() -> reserve(port, port)).as("this JVM").isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("held by pid " + holder.process().pid());
        }
    }

    @Test
    void keepsAPortHeldWhenTheWholeLockDirectoryIsDeletedAndPreparesItAgain() throws Exception {
        try (ChildJvm holder = holding(port)) {
            deleteRecursively(locks);

            assertThatThrownBy(() -> reserve(port, port)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("held by pid " + holder.process().pid());
            assertThat(Files.getAttribute(locks, "unix:mode")).as("prepared again, shared and sticky")
                    .isEqualTo(041777);
            assertThat(anotherJvmReserving(port)).contains("Port " + port + " (TCP) is not free");
        }
    }

    /**
     * The owner of the lock directory can swap a new lock file for a link before its mode is set:
     * the mode is set without following it, so the file it points to is not made writable by all.
     */
    @Test
    void setsANewLockFilesModeWithoutFollowingALinkSwappedInForIt() throws IOException {
        Path victim = Files.createFile(temp.resolve("someone's file"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Path lockFile = Files.createSymbolicLink(Files.createDirectories(locks).resolve(port + ".lock"), victim);

        LockDirectory.shareWithAllUsers(lockFile);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(victim))).isEqualTo("rw-------");
        assertThat(lockFile).isSymbolicLink();
    }

    @Test
    void preparesTheLockDirectoryAgainWhenItIsDeletedBetweenReservations() throws IOException {
        reserve(port, port).close();
        deleteRecursively(locks);
        try (Reservation again = reserve(port, port)) {
            assertThat(again.number()).isEqualTo(port);
            assertThat(locks.resolve(port + ".lock")).isRegularFile();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "fifo", "socket", "device", "directory", "link" })
    void passesOverAnythingPlantedWhereALockFileBelongsWithoutBlocking(String planted) throws Exception {
        reserve(port, port).close(); // prepares the directory
        Path file = locks.resolve(port + ".lock");
        Files.delete(file);
        plant(planted, file);

        assertTimeoutPreemptively(NEVER_BLOCKS, () -> {
            try (Reservation other = reserve(port, port + 1)) {
                assertThat(other.number()).isEqualTo(port + 1);
            }
            assertThatThrownBy(() -> reserve(port, port)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("another JVM or user holds it through localport");
        });
    }

    @Test
    void locksTheNewFileWhenALockFileItLockedBeforeWasReplaced() throws Exception {
        reserve(port, port).close(); // this copy now opens the file without looking first
        Path file = locks.resolve(port + ".lock");
        Object before = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        Path replacement = Files.createFile(locks.resolve("replacement")); // made while the old one exists: another inode
        Files.move(replacement, file, StandardCopyOption.REPLACE_EXISTING);
        assertThat(Files.readAttributes(file, BasicFileAttributes.class).fileKey()).isNotEqualTo(before);

        try (Reservation again = reserve(port, port)) {
            assertThat(again.number()).isEqualTo(port);
            assertThat(anotherJvmReserving(port)).as("the lock is on the file the path names")
                    .contains("Port " + port + " (TCP) is not free");
        }
    }

    @Test
    void refusesALockDirectoryEveryoneMayWriteToWithoutTheStickyBit() throws IOException {
        Files.createDirectory(locks);
        Files.setPosixFilePermissions(locks, PosixFilePermissions.fromString("rwxrwxrwx"));

        assertThatThrownBy(() -> reserve(port, port)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("localport cannot use the lock directory " + locks)
                .hasMessageContaining("lacks the sticky bit")
                .hasMessageContaining("chmod +t " + locks)
                .hasMessageContaining("d " + locks + " 1777 root root -")
                .hasMessageContaining("'localport.lock.dir'");
        try (var files = Files.list(locks)) {
            assertThat(files).as("nothing reserved").isEmpty();
        }
    }

    @Test
    void sharesAStickyLockDirectoryOwnedByAnotherUser() throws IOException {
        assumeTrue(ChildJvm.otherUserAvailable(), "runs as root, so that the directory can belong to nobody");
        Files.createDirectory(locks);
        Files.setAttribute(locks, "unix:uid", 65534);
        Files.setAttribute(locks, "unix:mode", 01777);
        try (Reservation reservation = reserve(port, port)) {
            assertThat(reservation.number()).isEqualTo(port);
        }
    }

    @Test
    void doesNotTakeAPortThatIsBoundButNotListeningAsALastResort() throws IOException {
        try (SocketChannel bound = SocketChannel.open()) {
            bound.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            bound.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            assertThatThrownBy(() -> reserve(port, port)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Port " + port + " (TCP) is not free");
        }
    }

    @Test
    void doesNotTakeAPortWithAnEstablishedConnectionAsALastResort() throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(0, 50, loopback); Socket client = new Socket()) {
            client.setReuseAddress(true);
            client.bind(new InetSocketAddress(loopback, port));
            client.connect(server.getLocalSocketAddress());
            try (Socket accepted = server.accept()) {
                assertThatThrownBy(() -> reserve(port, port)).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("Port " + port + " (TCP) is not free");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "TCP [::1]", "TCP [::] IPv6 only", "UDP [::1]" })
    void aJvmWithoutIpv6SocketsSeesIpv6SocketsAsADefaultJvmDoes(String socket) throws Exception {
        assumeTrue(Held.ipv6(), "IPv6 loopback on this machine");
        String transport = socket.substring(0, 3);
        try (AutoCloseable ipv6 = openIpv6(socket, port)) {
            List<String> ipv4Only = probe(List.of("-Djava.net.preferIPv4Stack=true"), transport);
            assertThat(ipv4Only.get(0)).isEqualTo(port + " free: false");
            assertThat(ipv4Only.get(1)).startsWith("Port " + port + " (" + transport + ") is not free");
            assertThat(ipv4Only.subList(2, 4)).containsExactly(port + " listening: true", port + " released: false");
            assertThat(ipv4Only).as("what a default JVM sees").isEqualTo(probe(List.of(), transport));
        }
    }

    /** What a child JVM's probe and reservation say of the port. */
    private List<String> probe(List<String> options, String transport) throws IOException {
        List<String> properties = new java.util.ArrayList<>(options);
        properties.add("-Dlocalport.lock.dir=" + locks);
        try (ChildJvm child = ChildJvm.start(properties, ProbeMain.class, String.valueOf(port), transport)) {
            return List.of(child.readLine(), child.readLine(), child.readLine(), child.readLine());
        }
    }

    /** A socket on IPv6 only: Java has no IPV6_V6ONLY option, so the IPv6-only listener is Python's. */
    private static AutoCloseable openIpv6(String socket, int port) throws Exception {
        InetSocketAddress loopback6 = new InetSocketAddress(InetAddress.getByName("::1"), port);
        switch (socket) {
            case "TCP [::1]" -> {
                return new ServerSocket(port, 50, loopback6.getAddress());
            }
            case "UDP [::1]" -> {
                return new java.net.DatagramSocket(loopback6);
            }
            default -> {
                assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")) || Files.isExecutable(Path.of(
                        "/usr/local/bin/python3")), "python3, for a listener on IPv6 only");
                Process python = new ProcessBuilder("python3", "-c", "import socket, sys\n"
                        + "s = socket.socket(socket.AF_INET6)\n"
                        + "s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)\n"
                        + "s.bind(('::', " + port + "))\ns.listen()\nprint('listening', flush=True)\n"
                        + "sys.stdin.read()\n").redirectErrorStream(true).start();
                assertThat(new java.io.BufferedReader(new java.io.InputStreamReader(python.getInputStream()))
                        .readLine()).isEqualTo("listening");
                return () -> {
                    python.destroy();
                    python.waitFor(30, TimeUnit.SECONDS);
                };
            }
        }
    }

    /** Reserves a port of {@code first..last} in the test's lock directory. */
    private Reservation reserve(int first, int last) {
        Map<String, String> values = Map.of(Settings.RANGE, first + "-" + last, Settings.LOCK_DIRECTORY,
                locks.toString());
        return PortRegistry.reserve(new PortRequest("", Transport.TCP, "a test"), "a test",
                Settings.from(key -> Optional.ofNullable(values.get(key))));
    }

    /** A child JVM that holds the port through the test's lock directory until told to release it. */
    private ChildJvm holding(int held) throws IOException {
        ChildJvm child = ChildJvm.start(List.of("-Dlocalport.range=" + held + "-" + held,
                "-Dlocalport.lock.dir=" + locks), HoldUntilTold.class);
        assertThat(child.readLine()).isEqualTo("HELD " + held);
        return child;
    }

    /** What another JVM, started now, says when it reserves the port. */
    private String anotherJvmReserving(int wanted) throws IOException, InterruptedException {
        try (ChildJvm child = ChildJvm.start(List.of("-Dlocalport.range=" + wanted + "-" + wanted,
                "-Dlocalport.lock.dir=" + locks), HoldUntilTold.class)) {
            String line = child.readLine();
            child.process().waitFor(30, TimeUnit.SECONDS);
            return line;
        }
    }

    private static void plant(String what, Path file) throws Exception {
        switch (what) {
            case "fifo" -> assertThat(new ProcessBuilder("mkfifo", file.toString()).inheritIO().start().waitFor())
                    .isZero();
            case "socket" -> {
                ServerSocketChannel socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                socket.bind(UnixDomainSocketAddress.of(file));
                socket.close(); // the socket file stays
            }
            case "device" -> {
                assumeTrue(ChildJvm.otherUserAvailable(), "runs as root, which may make a device node");
                assertThat(new ProcessBuilder("mknod", file.toString(), "c", "1", "3").inheritIO().start().waitFor())
                        .as("mknod of a character device like /dev/null").isZero();
            }
            case "directory" -> Files.createDirectory(file);
            case "link" -> Files.createSymbolicLink(file, Path.of("/dev/zero"));
            default -> throw new IllegalArgumentException(what);
        }
    }

    private static void deleteRecursively(Path directory) throws IOException {
        try (var files = Files.walk(directory)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
