package io.github.localport.core;


/** Observes reservations from outside the extension. */
public final class Held {

    private Held() {
    }

    /** Whether localport holds the port: claimed in this JVM, or locked by another process. */
    public static boolean byLocalport(int port) {
        return PortRegistry.isHeld(port, LockDirectory.at(Settings.fromSystemProperties().lockDirectory()));
    }

    /** Polls the condition until it holds or the timeout passes, as localport itself polls. */
    public static boolean eventually(java.util.function.BooleanSupplier condition, java.time.Duration timeout) {
        return Poll.until(condition, timeout);
    }

    /** Whether this machine has IPv6 loopback, for tests that bind [::1] or [::]. */
    public static boolean ipv6() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("::1"))) {
            return true;
        }
        catch (java.io.IOException e) {
            return false;
        }
    }

    /**
     * The first of {@code count} consecutive ports of the default range that nobody holds or uses
     * now, the first a multiple of {@code count}. Searched from the top of the range: tests keep
     * narrow ranges with lock directories of their own at its bottom, where localport's locks do
     * not keep them off.
     */
    public static int freePorts(int count) {
        PortRange range = PortRange.systemDefault();
        for (int first = (range.last() - count + 1) / count * count; first >= range.first(); first -= count) {
            int start = first;
            if (java.util.stream.IntStream.range(start, start + count).allMatch(port -> range.contains(port)
                    && !byLocalport(port) && PortProbe.isFree(port, Transport.TCP))) {
                return start;
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free ports in " + range);
    }

    /** A port nobody holds now; whoever wants it next must still reserve it. */
    public static int freePort() {
        try (Reservation reservation = PortRegistry.reserve(new PortRequest("", Transport.TCP, "Held.freePort"),
                "a check", Settings.fromSystemProperties())) {
            return reservation.number();
        }
    }
}
