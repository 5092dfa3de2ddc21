package io.github.localport.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Who has a local TCP port, from Linux's socket tables; read only after a clash. */
final class SocketTable {

    private static final String LISTEN = "0A";

    private SocketTable() {
    }

    /**
     * {@code listener} (a connection to it is accepted at once), {@code connection} (the socket
     * tables show it in another state: SYN_SENT, ESTABLISHED, TIME_WAIT...) or {@code unknown}
     * (gone before we looked: reading the tables takes tens of milliseconds when they are long).
     */
    static String holderOf(int port) {
        try (Socket probe = new Socket()) {
            probe.connect(new InetSocketAddress(Strategy.LOOPBACK, port), 100);
            return "listener";
        }
        catch (IOException e) {
            // nothing listens: look further
        }
        String hexPort = ":" + String.format(Locale.ROOT, "%04X", port);
        boolean connection = false;
        for (Path table : List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"))) {
            try (BufferedReader in = Files.newBufferedReader(table, StandardCharsets.US_ASCII)) {
                in.readLine(); // header
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    String[] fields = line.trim().split("\\s+");
                    if (fields.length > 3 && fields[1].endsWith(hexPort)) {
                        if (fields[3].equals(LISTEN)) {
                            return "listener";
                        }
                        connection = true;
                    }
                }
            }
            catch (IOException | RuntimeException e) {
                // not Linux
            }
        }
        return connection ? "connection" : "unknown";
    }
}
