package io.github.localport.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import io.github.localport.LocalService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An external process on a reserved port, started fresh for each test: the port goes onto its
 * command line, localport waits until it listens, and stops it (and anything it started) after.
 * The server is a small main class run by this JVM's own java binary, so it runs on any machine.
 */
class ProcessSampleTest {

    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @RegisterExtension
    final LocalService<Process> echo = LocalService.process("echo", port -> new ProcessBuilder(
            JAVA, "-cp", System.getProperty("java.class.path"), EchoServer.class.getName(),
            String.valueOf(port.number())));

    @Test
    void answersOverTcp() throws IOException {
        try (Socket socket = new Socket(echo.address().getAddress(), echo.port());
                PrintWriter out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8);
                BufferedReader in = new BufferedReader(
                        new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))) {
            out.println("hello");
            assertThat(in.readLine()).isEqualTo("echo: hello");
        }
    }

    @Test
    void runsAsItsOwnProcess() {
        assertThat(echo.service().isAlive()).isTrue();
        assertThat(echo.service().pid()).isNotEqualTo(ProcessHandle.current().pid());
    }
}
