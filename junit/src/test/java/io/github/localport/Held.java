package io.github.localport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;

import io.github.localport.core.Poll;
import io.github.localport.core.PortRange;
import io.github.localport.core.PortRegistry;
import io.github.localport.core.Settings;

/** Observes reservations from outside the extension. */
final class Held {

    private Held() {
    }

    /** Whether localport holds the port: claimed in this JVM, or locked by another process. */
    static boolean byLocalport(int port) {
        return PortRegistry.isHeld(port, Settings.fromSystemProperties().lockDirectory());
    }

    /** Polls the condition until it holds or the timeout passes, as localport itself polls. */
    static boolean eventually(BooleanSupplier condition, Duration timeout) {
        return Poll.until(condition, timeout);
    }

    /** Whether this machine has IPv6 loopback, for tests that bind [::1] or [::]. */
    static boolean ipv6() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            return true;
        }
        catch (IOException e) {
            return false;
        }
    }

    /**
     * The first of {@code count} consecutive ports of the default range that nobody holds or uses
     * now, the first a multiple of {@code count}. Searched from the top of the range: tests keep
     * narrow ranges with lock directories of their own at its bottom, where localport's locks do
     * not keep them off.
     */
    static int freePorts(int count) {
        PortRange range = PortRange.systemDefault();
        for (int first = (range.last() - count + 1) / count * count; first >= range.first(); first -= count) {
            if (IntStream.range(first, first + count).allMatch(port -> range.contains(port) && !byLocalport(port)
                    && bindable(port))) {
                return first;
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free ports in " + range);
    }

    /**
     * Holds {@code count} adjacent ports of the default range, so that no localport user on the
     * machine gets them, until closed: for tests that use them on a lock directory of their own.
     */
    static Lease lease(int count) {
        PortRange range = PortRange.systemDefault();
        for (int attempt = 0; attempt < 200; attempt++) {
            int first = range.first() + java.util.concurrent.ThreadLocalRandom.current()
                    .nextInt(range.last() - range.first() + 1 - count);
            java.util.List<ReservedPort> held = new java.util.ArrayList<>();
            try {
                for (int port = first; port < first + count; port++) {
                    held.add(ReservedPort.reserve(port));
                }
                if (held.stream().allMatch(port -> bindable(port.number()))) {
                    return new Lease(first, held);
                }
            }
            catch (IllegalStateException taken) {
                // try other ports
            }
            held.forEach(ReservedPort::close);
        }
        throw new IllegalStateException("no " + count + " adjacent free ports in " + range);
    }

    /** Adjacent ports held for a test, from {@code first}. */
    record Lease(int first, java.util.List<ReservedPort> held) implements AutoCloseable {

        @Override
        public void close() {
            held.forEach(ReservedPort::close);
        }
    }

    /** A port nobody holds now; whoever wants it next must still reserve it. */
    static int freePort() {
        try (ReservedPort port = ReservedPort.reserve()) {
            return port.number();
        }
    }

    /** Whether a server without SO_REUSEADDR could bind the port on every address now. */
    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(port));
            return true;
        }
        catch (IOException e) {
            return false;
        }
    }
}
