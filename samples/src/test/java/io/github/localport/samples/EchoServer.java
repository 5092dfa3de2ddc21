package io.github.localport.samples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A small line-echo server for ProcessSampleTest, run as its own process: {@code EchoServer PORT}.
 * Answers each line with {@code echo: LINE}. It stops when it is sent SIGTERM, or by itself after
 * a minute without a connection.
 */
public final class EchoServer {

    private EchoServer() {
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        try (ServerSocket server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(60_000);
            System.out.println("echo server listening on 127.0.0.1:" + port);
            while (true) {
                try (Socket client = server.accept();
                        BufferedReader in = new BufferedReader(
                                new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
                        PrintWriter out = new PrintWriter(client.getOutputStream(), true, StandardCharsets.UTF_8)) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        out.println("echo: " + line);
                    }
                }
            }
        }
    }
}
