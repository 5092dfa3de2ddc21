package io.github.localport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;

/** Threads that accept connections, as servers run them, for the messages that name them. */
final class Acceptors {

    /** The accept and accept4 system calls on x86-64 and on AArch64. */
    private static final Set<String> ACCEPT_CALLS = Set.of("43", "288", "202", "242");

    private Acceptors() {
    }

    /**
     * Starts a daemon thread that accepts on the server until it is closed, and waits until the
     * thread is in accept: in the system call itself for a server without a timeout.
     */
    static void start(ServerSocket server, String name) throws IOException {
        Thread acceptor = new Thread(() -> {
            try {
                server.accept().close();
            }
            catch (IOException e) {
                // closed by the test class after the check
            }
        }, name);
        acceptor.setDaemon(true);
        acceptor.start();
        assertThat(Held.eventually(() -> Arrays.stream(acceptor.getStackTrace())
                .anyMatch(frame -> frame.getMethodName().startsWith("accept")), Duration.ofSeconds(10)))
                .as("thread '%s' in accept within 10 s", name).isTrue();
        if (server.getSoTimeout() == 0) {
            awaitInAccept(name);
        }
    }

    /** Waits until a thread of this name (as the OS knows it: 15 bytes) is blocked in the accept system call. */
    static void awaitInAccept(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        String osName = new String(bytes, 0, Math.min(bytes.length, 15), StandardCharsets.UTF_8);
        assertThat(Held.eventually(() -> inAcceptCall(osName), Duration.ofSeconds(10)))
                .as("thread '%s' blocked in the accept system call within 10 s", name).isTrue();
    }

    private static boolean inAcceptCall(String osName) {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                if (read(task.resolve("comm")).equals(osName + "\n")
                        && ACCEPT_CALLS.contains(read(task.resolve("syscall")).split(" ")[0])) {
                    return true;
                }
            }
        }
        catch (IOException e) {
            // a thread that ended while we looked: look again
        }
        return false;
    }

    private static String read(Path procFile) throws IOException {
        try (InputStream in = Files.newInputStream(procFile)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
