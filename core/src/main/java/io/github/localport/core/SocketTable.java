package io.github.localport.core;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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

    /** The sockets whose local port is {@code port}, in the tables of the protocol; IPv6 tables only if asked. */
    static List<Socket> on(Path proc, int port, Transport transport, boolean ipv6Only) {
        List<Socket> sockets = new ArrayList<>();
        String hexPort = String.format(":%04X", port);
        for (String table : tables(transport, ipv6Only)) {
            for (String line : lines(proc.resolve("net").resolve(table))) {
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
                String[] fields = line.strip().split("\\s+");
                if (fields.length > 9 && fields[1].toUpperCase(Locale.ROOT).endsWith(hexPort)) {
                    sockets.add(new Socket(table, fields[3], fields[7], fields[9]));
                }
            }
        }
        return sockets;
    }

    static boolean isReadable() {
        return java.nio.file.Files.isReadable(PROC.resolve("net").resolve("tcp"));
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

    private static List<String> lines(Path file) {
        try {
            return ProcFile.read(file).lines().skip(1).toList();
        }
        catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
