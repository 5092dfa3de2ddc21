package io.github.localport.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading /proc, on a copy laid out as Linux lays it out, with the cases a live machine does not
 * show at will: IPv4 and IPv6 tables, TIME_WAIT, inode 0, and sockets of processes we cannot see.
 * (OtherProcessesTests and DiagnosticsTests read the real /proc.)
 */
class PortHoldersTests {

    private static final String TCP_HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt"
            + "   uid  timeout inode";

    @TempDir
    Path proc;

    @BeforeEach
    void emptyTables() throws IOException {
        Files.createDirectories(proc.resolve("net"));
        for (String table : new String[] { "tcp", "tcp6", "udp", "udp6" }) {
            Files.writeString(proc.resolve("net").resolve(table), TCP_HEADER + "\n");
        }
    }

    @Test
    void namesTheProcessListeningOnAnIpv4PortWithItsClassPathElided() throws IOException {
        table("tcp", "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4711 1");
        process(4242, 4711, "java", "-cp", "/a/very/long/class/path/that/says/nothing/useful.jar:/and/more.jar",
                "com.example.Server", "8080");

        assertThat(holders().socketHolders(8080, Transport.TCP))
                .hasValue("pid 4242 (java -cp ... com.example.Server 8080)");
    }

    @Test
    void readsIpv6AndUdpTablesForTheirProtocols() throws IOException {
        table("tcp6", "   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A"
                + " 00000000:00000000 00:00000000 00000000     0        0 100 1");
        table("udp", "  12: 0100007F:1F90 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 200 2");
        process(1, 100, "tcp-server");
        process(2, 200, "udp-server");

        assertThat(holders().socketHolders(8080, Transport.TCP)).hasValue("pid 1 (tcp-server)");
        assertThat(holders().socketHolders(8080, Transport.UDP)).hasValue("pid 2 (udp-server)");
        assertThat(holders().socketHolders(8080, Transport.TCP_AND_UDP)).hasValue("pid 1 (tcp-server); pid 2 (udp-server)");
    }

    @Test
    void leavesOutTimeWaitAndSocketsWithoutAnInode() throws IOException {
        table("tcp", "   0: 0100007F:1F90 0100007F:D431 06 00000000:00000000 03:00000436 00000000     0        0 0 3",
                "   1: 0100007F:1F90 0100007F:D432 01 00000000:00000000 00:00000000 00000000     0        0 0 1");

        assertThat(holders().socketHolders(8080, Transport.TCP)).isEmpty();
    }

    @Test
    void countsABoundSocketThatDoesNotListen() throws IOException {
        table("tcp", "   0: 00000000:1F90 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 300 1");
        process(3, 300, "binder");

        assertThat(holders().socketHolders(8080, Transport.TCP)).hasValue("pid 3 (binder)");
    }

    @Test
    void saysWhoseSocketItIsWhenTheProcessCannotBeSeen() throws IOException {
        table("tcp", "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1001        0 400 1");

        assertThat(holders().socketHolders(8080, Transport.TCP))
                .hasValue("a process this user cannot see (socket owned by uid 1001)");
    }

    @Test
    void matchesTheWholePortNotAPartOfIt() throws IOException {
        table("tcp", "   0: 0100007F:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 500 1",
                "   1: 01001F90:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 600 1");
        process(5, 500, "other");

        assertThat(holders().socketHolders(8081, Transport.TCP)).hasValue("pid 5 (other)");
        assertThat(holders().socketHolders(8080, Transport.TCP)).isEmpty();
    }

    @Test
    void namesTheThreadOfThisJvmBlockedInAcceptOnThePortAndNotOneAcceptingElsewhere() throws IOException {
        assumeThat(System.getProperty("os.arch")).as("x86-64 system call numbers").isIn("amd64", "x86_64");
        long own = ProcessHandle.current().pid();
        table("tcp", "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 700 1");
        process(own, 700, "java");
        task(own, 11, "no-java-thread", "288 0x3 0x7f00 0x7f08 0x80000 0x0 0x0 0x7f10 0x7f20"); // accept4, fd 3
        task(own, 12, "elsewhere", "43 0x9 0x7f00 0x7f08 0xc 0x0 0x0 0x7f10 0x7f20"); // accept, fd 9
        task(own, 13, "sleeper", "202 0x7f00 0x189 0x0 0x0 0x0 0xffffffff 0x7f10 0x7f20"); // futex

        assertThat(new PortHolders(proc, own).socketHolders(8080, Transport.TCP)).hasValue("this JVM (pid " + own
                + ", the test's own process), whose thread 'no-java-thread' (its name to the OS) is blocked in accept"
                + " on the port");
    }

    private void task(long pid, long tid, String name, String syscall) throws IOException {
        Path task = Files.createDirectories(proc.resolve(Long.toString(pid)).resolve("task").resolve(Long.toString(tid)));
        Files.writeString(task.resolve("comm"), name + "\n");
        Files.writeString(task.resolve("syscall"), syscall + "\n");
    }

    private PortHolders holders() {
        return new PortHolders(proc, 999_999);
    }

    private void table(String name, String... lines) throws IOException {
        Files.writeString(proc.resolve("net").resolve(name), TCP_HEADER + "\n" + String.join("\n", lines) + "\n");
    }

    private void process(long pid, long socketInode, String... commandLine) throws IOException {
        Path fd = Files.createDirectories(proc.resolve(Long.toString(pid)).resolve("fd"));
        Files.createSymbolicLink(fd.resolve("3"), Path.of("socket:[" + socketInode + "]"));
        Files.writeString(proc.resolve(Long.toString(pid)).resolve("cmdline"), String.join("\0", commandLine) + "\0");
    }
}
