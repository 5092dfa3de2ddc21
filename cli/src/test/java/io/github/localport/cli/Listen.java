package io.github.localport.cli;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A child process's main: {@code Listen PORT READY_FILE} listens on 127.0.0.1:PORT, then writes
 * the ready file, and stays until it is killed.
 */
public final class Listen {

    private Listen() {
    }

    public static void main(String[] args) throws Exception {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), Integer.parseInt(args[0])));
            Files.writeString(Path.of(args[1]), "ready");
            while (true) {
                server.accept().close();
            }
        }
    }
}
