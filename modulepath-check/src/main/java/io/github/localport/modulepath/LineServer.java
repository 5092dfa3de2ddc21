package io.github.localport.modulepath;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A server the tests start on their reserved ports: answers each line with {@code echo: LINE}.
 * It is main code so that the module has the package its tests are patched into.
 */
public final class LineServer implements AutoCloseable {

    private final ServerSocket socket;
    private final Thread acceptor;

    private LineServer(ServerSocket socket) {
        this.socket = socket;
        this.acceptor = new Thread(this::serve, "line-server-" + socket.getLocalPort());
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    /** Listens on 127.0.0.1 at {@code port} until {@link #close()}. */
    public static LineServer start(int port) throws IOException {
        return new LineServer(new ServerSocket(port, 50, InetAddress.getLoopbackAddress()));
    }

    /** Sends this server one line over a new connection and returns its answer. */
    public String ask(String line) throws IOException {
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), socket.getLocalPort());
                BufferedReader in = new BufferedReader(
                        new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
                PrintWriter out = new PrintWriter(client.getOutputStream(), true, StandardCharsets.UTF_8)) {
            out.println(line);
            return in.readLine();
        }
    }

    private void serve() {
        while (!socket.isClosed()) {
            try (Socket client = socket.accept();
                    BufferedReader in = new BufferedReader(
                            new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
                    PrintWriter out = new PrintWriter(client.getOutputStream(), true, StandardCharsets.UTF_8)) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    out.println("echo: " + line);
                }
            }
            catch (IOException e) {
                // Closed by close(), or one client went away: the next accept() tells which.
            }
        }
    }

    /** Stops listening; the port is free again when this returns. */
    @Override
    public void close() throws IOException {
        socket.close();
    }
}
