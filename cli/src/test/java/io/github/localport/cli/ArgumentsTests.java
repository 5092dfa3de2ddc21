package io.github.localport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.github.localport.core.HeldPorts;

/** What scripts see when they call the command line wrongly, and what {@code who} tells. */
class ArgumentsTests {

    @TempDir
    Path locks;

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            ""                                   | no command given
            frobnicate                           | unknown command 'frobnicate'
            run                                  | run: give at least one --port NAME
            run --port                           | run: --port needs a name
            run --port web                       | run: give the command after --
            run --port web --                    | run: give the command after --
            run web -- true                      | run: unexpected 'web': give --port NAME for each port, then -- and the command
            run --port 1web -- true              | run: '1web' is not a port name: use letters, digits, '_', '-' and '.', starting with a letter or '_'
            run --port a-b --port a.b -- true    | run: --port a-b and --port a.b would both be A_B: give each port its own name
            list now                             | list takes no arguments
            who                                  | who takes one port number
            who http                             | 'http' is not a port number (1-65535)
            who 70000                            | '70000' is not a port number (1-65535)
            """)
    void badArgumentsExit64WithTheProblemAndTheUsage(String args, String problem) {
        Cli.Result result = Cli.inThisJvm(environment(), args.isEmpty() ? new String[0] : args.split(" "));

        assertThat(result.code()).isEqualTo(LocalPortCommand.USAGE);
        assertThat(result.err()).startsWith("localport: " + problem + ".").contains("Usage: java -jar localport-cli.jar");
        assertThat(HeldPorts.in(locks)).isEmpty();
    }

    @Test
    void helpPrintsTheUsageAndExits0() {
        Cli.Result result = Cli.inThisJvm(environment(), "--help");

        assertThat(result.code()).isZero();
        assertThat(result.out()).startsWith("Usage: java -jar localport-cli.jar COMMAND").contains("Exit codes:");
    }

    @Test
    void aCommandThatDoesNotExistExits127AndHoldsNothing() {
        Cli.Result result = Cli.inThisJvm(environment(), "run", "--port", "web", "--", "/nonexistent/command");

        assertThat(result.code()).isEqualTo(LocalPortCommand.NOT_FOUND);
        assertThat(result.err()).contains("localport: cannot run /nonexistent/command: ");
        assertThat(HeldPorts.in(locks)).isEmpty();
    }

    @Test
    void aBadSettingExits78() {
        Cli.Result result = Cli.inThisJvm(Map.of("LOCALPORT_RANGE", "oops"), "run", "--port", "web", "--", "true");

        assertThat(result.code()).isEqualTo(LocalPortCommand.BAD_SETTING);
        assertThat(result.err()).startsWith("localport: Invalid value 'oops' for configuration parameter 'localport.range'");
    }

    @Test
    void anExhaustedRangeExits69AndHoldsNothing() throws Exception {
        try (ServerSocket taken = listenOnAnyPort()) {
            int port = taken.getLocalPort();
            Map<String, String> environment = Map.of("LOCALPORT_LOCK_DIR", locks.toString(), "LOCALPORT_RANGE",
                    port + "-" + port);

            Cli.Result result = Cli.inThisJvm(environment, "run", "--port", "web", "--", "true");

            assertThat(result.code()).isEqualTo(LocalPortCommand.NO_PORT);
            assertThat(result.err()).startsWith("localport: Port " + port + " (TCP) is not free for --port web of"
                    + " localport run: it is in use by a program that does not use localport");
            assertThat(HeldPorts.in(locks)).isEmpty();
        }
    }

    @Test
    void whoNamesAProgramThatDoesNotUseLocalportAndExits1ForAFreePort() throws Exception {
        int port;
        try (ServerSocket taken = listenOnAnyPort()) {
            port = taken.getLocalPort();
            Cli.Result who = Cli.inThisJvm(environment(), "who", String.valueOf(port));

            assertThat(who.code()).isZero();
            assertThat(who.out()).startsWith("Port " + port + " is bound by this JVM (pid " + ProcessHandle.current()
                    .pid() + ", the test's own process)").endsWith(".%n".formatted());
        }
        Cli.Result free = Cli.inThisJvm(environment(), "who", String.valueOf(port));

        assertThat(free.code()).isEqualTo(1);
        assertThat(free.out()).startsWith("Port " + port + " is free: nobody holds it through localport");
    }

    private Map<String, String> environment() {
        return Map.of("LOCALPORT_LOCK_DIR", locks.toString());
    }

    private static ServerSocket listenOnAnyPort() throws Exception {
        ServerSocket socket = new ServerSocket();
        socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        return socket;
    }
}
