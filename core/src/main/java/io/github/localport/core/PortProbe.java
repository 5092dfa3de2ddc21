package io.github.localport.core;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;



/**
 * Asks the OS about a port by binding it, without listening, so a probe is never mistaken for
 * a server and costs one bind and close.
 *
 * <p>On Linux one bind to the dual-stack wildcard [::] conflicts with a socket on any local
 * address, IPv4 or IPv6, so it is the only probe. A JVM without IPv6 sockets
 * ({@code -Djava.net.preferIPv4Stack=true}) binds 0.0.0.0 instead, which does not see sockets on
 * [::1] or IPv6-only ones on [::]: it also reads the kernel's IPv6 socket tables, so that it
 * answers as a default JVM does. Elsewhere (macOS lets a wildcard bind shadow a specific one)
 * each of 127.0.0.1, 0.0.0.0, [::1] and [::] is probed that the JVM can open.
 */
final class PortProbe {

    private static final String OS = System.getProperty("os.name", "");
    private static final boolean LINUX = OS.startsWith("Linux");
    /** Windows' SO_REUSEADDR lets a bind succeed over a listener, so probes there never set it. */
    private static final boolean BSD_REUSE_SEMANTICS = !OS.startsWith("Windows");
    /** Where the OS lets a wildcard bind shadow a specific one: each of these this machine has. */
    private static final List<InetAddress> SPECIFIC_ADDRESSES = LINUX ? List.of()
            : Stream.of("127.0.0.1", "0.0.0.0", "::1", "::").map(PortProbe::address)
                    .filter(address -> bindFailure(address, 0, true, false) == null).toList();
    private static final int CONNECT_TIMEOUT_MILLIS = 1000;
    /** Whether this JVM can open IPv6 sockets; not with -Djava.net.preferIPv4Stack=true. */
    private static final boolean IPV6 = canOpenIpv6();
    /** Where a bind cannot see IPv6 sockets but the kernel's tables can. */
    private static final boolean READ_IPV6_TABLES = LINUX && !IPV6 && SocketTable.isReadable();

    private PortProbe() {
    }

    /**
     * Whether any server could bind the port now, even one that does not set SO_REUSEADDR:
     * nothing listens or is bound on it, and no socket on it lingers in TIME_WAIT.
     */
    static boolean isFree(int port, Transport protocol) {
        return bindFailure(port, protocol, false).isEmpty();
    }

    /**
     * Whether what used the port has let go of it: nothing listens on it (for UDP: has it
     * bound). Sockets in TIME_WAIT, left by a server that did stop, do not count.
     */
    static boolean isReleased(int port, Transport protocol) {
        return bindFailure(port, protocol, BSD_REUSE_SEMANTICS).isEmpty();
    }

    /**
     * Whether the port is unusable only because of sockets in TIME_WAIT, which servers that set
     * SO_REUSEADDR (nearly all) can bind beside: on Linux every socket on the port is in
     * TIME_WAIT; elsewhere, a bind with SO_REUSEADDR succeeds.
     */
    static boolean isOnlyInTimeWait(int port, Transport protocol) {
        if (protocol != Transport.TCP && !isFree(port, Transport.UDP)) {
            return false;
        }
        if (!LINUX || !SocketTable.isReadable()) {
            return isReleased(port, protocol);
        }
        List<SocketTable.Socket> sockets = SocketTable.on(SocketTable.PROC, port, Transport.TCP, false);
        return !sockets.isEmpty() && sockets.stream().allMatch(SocketTable.Socket::isTimeWait);
    }

    /**
     * Whether a service listens on the port: for TCP, a connection to 127.0.0.1 or [::1] is
     * accepted; for UDP, a socket has it bound.
     */
    static boolean isListening(int port, Transport protocol) {
        return protocol == Transport.UDP ? bindFailure(port, Transport.UDP, false).isPresent() : acceptsConnection(port);
    }

    /**
     * Binds the port for TCP on the dual-stack wildcard without listening and without
     * SO_REUSEADDR, and returns the socket: while it is open, connections to the port are
     * refused and no server can bind it. Returns {@code null} if the port cannot be bound.
     */
    static NetworkChannel bindWithoutListening(int port) {
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open();
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, false);
            channel.bind(new InetSocketAddress(port));
            return channel;
        }
        catch (IOException e) {
            closeQuietly(channel);
            return null;
        }
    }

    static void closeQuietly(NetworkChannel channel) {
        try {
            if (channel != null) {
                channel.close();
            }
        }
        catch (IOException e) {
            // Closing a socket that never listened: nothing to recover.
        }
    }

    /**
     * Why a server that does not set SO_REUSEADDR could not bind the port now ("Address already
     * in use", "Permission denied"), for messages; empty if it could.
     */
    static Optional<String> bindError(int port, Transport protocol) {
        return bindFailure(port, protocol, false).map(IOException::getMessage);
    }

    /** The first bind of the probe that fails, TCP then UDP as the protocol asks, or empty. */
    private static Optional<IOException> bindFailure(int port, Transport protocol, boolean reuseAddress) {
        IOException tcp = protocol != Transport.UDP ? bindFailure(port, true, reuseAddress) : null;
        // UDP has no TIME_WAIT, and SO_REUSEADDR on UDP would bind beside a socket that also set it.
        return Optional.ofNullable(tcp != null || protocol == Transport.TCP ? tcp : bindFailure(port, false, false));
    }

    /** Why the bind failed, or {@code null}: plain code, since every reservation runs it twice, mostly not yet compiled. */
    private static IOException bindFailure(int port, boolean tcp, boolean reuseAddress) {
        if (LINUX) {
            IOException failure = bindFailure(null, port, tcp, reuseAddress);
            return failure != null || !READ_IPV6_TABLES ? failure : ipv6SocketOn(port, tcp, reuseAddress).orElse(null);
        }
        for (InetAddress address : SPECIFIC_ADDRESSES) {
            IOException failure = bindFailure(address, port, tcp, reuseAddress);
            if (failure != null) {
                return failure;
            }
        }
        return null;
    }

    /**
     * For a JVM without IPv6 sockets: a socket in the kernel's IPv6 tables that a dual-stack
     * bind would have run into (for a bind with SO_REUSEADDR, one not in TIME_WAIT).
     */
    private static Optional<IOException> ipv6SocketOn(int port, boolean tcp, boolean reuseAddress) {
        return SocketTable.on(SocketTable.PROC, port, tcp ? Transport.TCP : Transport.UDP, true).stream()
                .filter(socket -> !(reuseAddress && socket.isTimeWait())).findFirst()
                .map(socket -> new IOException("Address already in use (an IPv6 socket, seen in /proc/net/"
                        + socket.table() + ")"));
    }

    private static boolean canOpenIpv6() {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.INET6)) {
            return channel.isOpen();
        }
        catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * {@code address} null: the wildcard of the JDK's default stack, dual-stack [::] where IPv6 is
     * on. A new socket does not reuse addresses, so SO_REUSEADDR is set only to turn it on.
     */
    private static IOException bindFailure(InetAddress address, int port, boolean tcp, boolean reuseAddress) {
        try (NetworkChannel channel = open(address, tcp)) {
            if (reuseAddress) {
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            }
            channel.bind(new InetSocketAddress(address, port));
            return null;
        }
        catch (IOException e) {
            return e; // in use, or refused for another reason (an excluded range): not ours to use
        }
        catch (UnsupportedOperationException e) {
            return new IOException(e.getMessage(), e);
        }
    }

    private static NetworkChannel open(InetAddress address, boolean tcp) throws IOException {
        if (address == null) {
            return tcp ? SocketChannel.open() : DatagramChannel.open();
        }
        ProtocolFamily family = address instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
        return tcp ? SocketChannel.open(family) : DatagramChannel.open(family);
    }

    private static boolean acceptsConnection(int port) {
        return connects("127.0.0.1", port) || (IPV6 ? connects("::1", port) : READ_IPV6_TABLES && listensOnIpv6(port));
    }

    /** Without IPv6 sockets, a listener on [::1] cannot be connected to, but the kernel's table shows it. */
    private static boolean listensOnIpv6(int port) {
        return SocketTable.on(SocketTable.PROC, port, Transport.TCP, true).stream()
                .anyMatch(socket -> socket.state().equals(SocketTable.LISTEN));
    }

    private static boolean connects(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getByName(host), port), CONNECT_TIMEOUT_MILLIS);
            return true;
        }
        catch (SocketTimeoutException e) {
            return true; // on loopback only a listener with a full backlog leaves a connection pending
        }
        catch (IOException e) {
            return false;
        }
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        }
        catch (UnknownHostException e) {
            throw new IllegalStateException(literal + " is an IP literal", e);
        }
    }
}
