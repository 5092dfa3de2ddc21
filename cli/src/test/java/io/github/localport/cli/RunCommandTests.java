package io.github.localport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.localport.core.HeldPorts;

/** {@code localport run} in a child JVM, with real commands, real servers and real signals. */
class RunCommandTests {

    @TempDir
    Path work;

    @Test
    void givesEachPortInItsVariableAndForwardsOutputAndExitCode() throws Exception {
        Path locks = work.resolve("locks");
        Process cli = Cli.start(locks, work, "run", "--port", "http.port", "--port", "admin-port", "--", "sh", "-c",
                "echo \"$HTTP_PORT $ADMIN_PORT\"; echo to-stderr >&2; exit 7");

        assertThat(Cli.finish(cli)).isEqualTo(7);
        String[] ports = Cli.read(work.resolve("out.txt")).strip().split(" ");
        assertThat(ports).hasSize(2).doesNotHaveDuplicates().allMatch(port -> port.matches("\\d+"));
        assertThat(Cli.read(work.resolve("err.txt"))).contains("to-stderr")
                .contains("localport: HTTP_PORT=" + ports[0]).contains("localport: ADMIN_PORT=" + ports[1]);
        assertThat(HeldPorts.in(locks)).as("released after the command exited").isEmpty();
    }

    @Test
    void holdsThePortsWhileTheCommandRunsAndListAndWhoShowTheHolder() throws Exception {
        Path locks = work.resolve("locks");
        Process cli = Cli.start(locks, work, "run", "--port", "web", "--", "sh", "-c", "echo $WEB; cat >/dev/null");
        try {
            int port = Integer.parseInt(Cli.firstLine(work.resolve("out.txt")));

            assertThat(HeldPorts.of(port, locks)).map(HeldPorts.Held::pid).contains(cli.pid());
            Cli.Result list = Cli.inThisJvm(java.util.Map.of("LOCALPORT_LOCK_DIR", locks.toString()), "list");
            assertThat(list.code()).isZero();
            assertThat(list.out()).startsWith(port + "\tpid " + cli.pid() + " (").contains(LocalPortCommand.class
                    .getName() + " run --port web");
            Cli.Result who = Cli.inThisJvm(java.util.Map.of("LOCALPORT_LOCK_DIR", locks.toString()), "who",
                    String.valueOf(port));
            assertThat(who.code()).isZero();
            assertThat(who.out()).contains("Port " + port + " is held through localport (lock directory " + locks
                    + ") by pid " + cli.pid());

            cli.getOutputStream().close();
            assertThat(Cli.finish(cli)).isZero();
            assertThat(HeldPorts.of(port, locks)).isEmpty();
        }
        finally {
            cli.destroyForcibly();
        }
    }

    @Test
    void sigtermStopsTheCommandAndEverythingItStarted() throws Exception {
        Process cli = Cli.start(work.resolve("locks"), work, "run", "--port", "web", "--", "sh", "-c",
                "sleep 300 & echo $!; echo $$; wait");
        try {
            List<Long> pids = List.of(Long.valueOf(Cli.firstLine(work.resolve("out.txt"))), waitForSecondLine());

            cli.destroy(); // SIGTERM

            assertThat(Cli.finish(cli)).isEqualTo(143);
            assertThat(pids).allSatisfy(pid -> assertThat(Cli.gone(pid)).as("pid %d stopped", pid).isTrue());
        }
        finally {
            cli.destroyForcibly();
        }
    }

    @Test
    void aServerLeftRunningFailsTheRunNamingItsHolderAndIsStopped() throws Exception {
        Path locks = work.resolve("locks");
        Path ready = work.resolve("ready");
        String server = Cli.JAVA + " -cp " + Cli.CLASS_PATH + " " + Listen.class.getName() + " $WEB " + ready;
        Process cli = Cli.start(locks, work, "run", "--port", "web", "--", "sh", "-c", server + " & echo $!;"
                + " for i in $(seq 600); do [ -s " + ready + " ] && exit 0; sleep 0.05; done; exit 1");

        assertThat(Cli.finish(cli)).as(Cli.read(work.resolve("err.txt"))).isEqualTo(LocalPortCommand.PORT_STILL_IN_USE);
        long serverPid = Long.parseLong(Cli.firstLine(work.resolve("out.txt")));
        String err = Cli.read(work.resolve("err.txt"));
        String port = err.replaceAll("(?s).*localport: WEB=(\\d+).*", "$1");
        assertThat(err).contains("localport: Port " + port + " (TCP) is still in use 2s after the command exited")
                .contains("Held by: pid " + serverPid + " (").contains(Listen.class.getName() + " " + port)
                .contains("It was reserved for --port web of localport run.");
        assertThat(Cli.gone(serverPid)).as("the server it left running was stopped").isTrue();
        assertThat(HeldPorts.in(locks)).isEmpty();
    }

    private long waitForSecondLine() {
        Path out = work.resolve("out.txt");
        if (!io.github.localport.core.Poll.until(() -> Cli.lines(out).size() > 1, java.time.Duration.ofSeconds(30))) {
            throw new AssertionError("no second line in " + out);
        }
        return Long.parseLong(Cli.lines(out).get(1));
    }
}
