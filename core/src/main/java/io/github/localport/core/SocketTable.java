package io.github.localport.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Linux's tables of the sockets of this network namespace ({@code /proc/net/tcp}, {@code tcp6},
 * {@code udp}, {@code udp6}): what is bound to a port and in which state, whatever the JVM's
 * own network stack can see.
 */
final class SocketTable {

    static final Path PROC = Path.of("/proc");
    private static final String TCP_TIME_WAIT = "06";
    static final String LISTEN = "0A";

    /** One socket bound to the port: its table ({@code tcp6}), TCP state (hex), owner uid and inode. */
    record Socket(String table, String state, String uid, String inode) {

        boolean isTimeWait() {
            return table.startsWith("tcp") && state.equals(TCP_TIME_WAIT);
        }
    }

    private SocketTable() {
    }

    /**
     * The sockets whose local port is {@code port}, in the tables of the protocol; IPv6 tables
     * only if asked. A busy machine lists tens of thousands of sockets (most in TIME_WAIT), so
     * each line is first checked for the port where its local address ends, and split only then.
     */
    static List<Socket> on(Path proc, int port, Transport transport, boolean ipv6Only) {
        List<Socket> sockets = new ArrayList<>();
        byte[] hexPort = String.format(":%04X ", port).getBytes(StandardCharsets.US_ASCII);
        for (String table : tables(transport, ipv6Only)) {
            byte[] text = read(proc.resolve("net").resolve(table));
            for (int start = 0, end; start < text.length; start = end + 1) {
                end = indexOf(text, (byte) '\n', start);
                if (localPortIs(text, start, end, hexPort)) {
                    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
                    String[] fields = new String(text, start, end - start, StandardCharsets.US_ASCII).strip()
                            .split("\\s+");
                    if (fields.length > 9) {
                        sockets.add(new Socket(table, fields[3], fields[7], fields[9]));
                    }
                }
            }
        }
        return sockets;
    }

    /** Whether the line's second field, the local address, ends with {@code :PORT}. */
    private static boolean localPortIs(byte[] text, int start, int end, byte[] hexPort) {
        int field = 0;
        for (int i = start; i < end; i++) {
            if (text[i] != ' ' && (i == start || text[i - 1] == ' ') && ++field == 2) {
                int colon = indexOf(text, (byte) ' ', i) - (hexPort.length - 1);
                return colon > i && colon + hexPort.length <= end
                        && Arrays.equals(text, colon, colon + hexPort.length, hexPort, 0, hexPort.length);
            }
        }
        return false;
    }

    private static int indexOf(byte[] text, byte wanted, int from) {
        for (int i = from; i < text.length; i++) {
            if (text[i] == wanted) {
                return i;
            }
        }
        return text.length;
    }

    static boolean isReadable() {
        return Files.isReadable(PROC.resolve("net").resolve("tcp"));
    }

    private static List<String> tables(Transport transport, boolean ipv6Only) {
        List<String> tables = new ArrayList<>();
        if (transport != Transport.UDP) {
            tables.addAll(ipv6Only ? List.of("tcp6") : List.of("tcp", "tcp6"));
        }
        if (transport != Transport.TCP) {
            tables.addAll(ipv6Only ? List.of("udp6") : List.of("udp", "udp6"));
        }
        return tables;
    }

    private static byte[] read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readAllBytes(); // /proc files report a size of 0: read to the end
        }
        catch (IOException | RuntimeException e) {
            return new byte[0];
        }
    }
}
