package io.github.localport.internal;

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

import io.github.localport.Protocol;

/**
 * Asks the OS about a port by binding it, without listening, so a probe is never mistaken for
 * a server and costs one bind and close.
 *
 * <p>On Linux one bind to the dual-stack wildcard [::] conflicts with a socket on any local
 * address, IPv4 or IPv6, so it is the only probe. Elsewhere (macOS lets a wildcard bind shadow
 * a specific one) each of 127.0.0.1, 0.0.0.0, [::1] and [::] is probed.
 */
final class PortProbe {

    private static final String OS = System.getProperty("os.name", "");
    private static final boolean LINUX = OS.startsWith("Linux");
    /** Windows' SO_REUSEADDR lets a bind succeed over a listener, so probes there never set it. */
    private static final boolean BSD_REUSE_SEMANTICS = !OS.startsWith("Windows");
    /** Where the OS lets a wildcard bind shadow a specific one: each of these this machine has. */
    private static final List<InetAddress> SPECIFIC_ADDRESSES = LINUX ? List.of()
            : Stream.of("127.0.0.1", "0.0.0.0", "::1", "::").map(PortProbe::address)
                    .filter(address -> bindFailure(address, 0, true, false).isEmpty()).toList();
    private static final int CONNECT_TIMEOUT_MILLIS = 1000;

    private PortProbe() {
    }

    /**
     * Whether any server could bind the port now, even one that does not set SO_REUSEADDR:
     * nothing listens or is bound on it, and no socket on it lingers in TIME_WAIT.
     */
    static boolean isFree(int port, Protocol protocol) {
        return bindFailure(port, protocol, false).isEmpty();
    }

    /**
     * Whether what used the port has let go of it: nothing listens on it (for UDP: has it
     * bound). Sockets in TIME_WAIT, left by a server that did stop, do not count.
     */
    static boolean isReleased(int port, Protocol protocol) {
        return bindFailure(port, protocol, BSD_REUSE_SEMANTICS).isEmpty();
    }

    /**
     * Whether a service listens on the port: for TCP, a connection to 127.0.0.1 or [::1] is
     * accepted; for UDP, a socket has it bound.
     */
    static boolean isListening(int port, Protocol protocol) {
        return protocol == Protocol.UDP ? bindFailure(port, Protocol.UDP, false).isPresent() : acceptsConnection(port);
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
    static Optional<String> bindError(int port, Protocol protocol) {
        return bindFailure(port, protocol, false).map(IOException::getMessage);
    }

    /** The first bind of the probe that fails, TCP then UDP as the protocol asks, or empty. */
    private static Optional<IOException> bindFailure(int port, Protocol protocol, boolean reuseAddress) {
        Optional<IOException> tcp = protocol != Protocol.UDP ? bindFailure(port, true, reuseAddress) : Optional.empty();
        // UDP has no TIME_WAIT, and SO_REUSEADDR on UDP would bind beside a socket that also set it.
        return tcp.isPresent() || protocol == Protocol.TCP ? tcp : bindFailure(port, false, false);
    }

    private static Optional<IOException> bindFailure(int port, boolean tcp, boolean reuseAddress) {
        if (LINUX) {
            return bindFailure(null, port, tcp, reuseAddress);
        }
        return SPECIFIC_ADDRESSES.stream().map(address -> bindFailure(address, port, tcp, reuseAddress))
                .flatMap(Optional::stream).findFirst();
    }

    /** {@code address} null: the wildcard of the JDK's default stack, dual-stack [::] where IPv6 is on. */
    private static Optional<IOException> bindFailure(InetAddress address, int port, boolean tcp, boolean reuseAddress) {
        try (NetworkChannel channel = open(address, tcp)) {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, reuseAddress);
            channel.bind(new InetSocketAddress(address, port));
            return Optional.empty();
        }
        catch (IOException e) {
            return Optional.of(e); // in use, or refused for another reason (an excluded range): not ours to use
        }
        catch (UnsupportedOperationException e) {
            return Optional.of(new IOException(e.getMessage(), e));
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
        return connects("127.0.0.1", port) || connects("::1", port);
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
