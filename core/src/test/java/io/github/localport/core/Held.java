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

    /**
     * The first port of a range for tests that run on a lock directory of their own: 1,000 ports
     * below the kernel's ephemeral range, outside localport's default range and the range its
     * messages suggest, so that builds running on the machine at the same time cannot bind a port
     * such a test handed out.
     */
    public static int privateRangeFirst() {
        return Integer.parseInt(PortRange.example().split("-")[0]) - 3000;
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

    /**
     * Holds {@code count} adjacent ports of the default range in the default lock directory, so
     * that no localport user on the machine (another test JVM, another build) gets them, until
     * closed: for tests that use them on a lock directory of their own.
     */
    public static Lease lease(int count) {
        PortRange range = PortRange.systemDefault();
        for (int attempt = 0; attempt < 200; attempt++) {
            int first = range.first() + java.util.concurrent.ThreadLocalRandom.current().nextInt(range.size() - count);
            java.util.List<Reservation> held = new java.util.ArrayList<>();
            try {
                for (int port = first; port < first + count; port++) {
                    held.add(PortRegistry.reserve(new PortRequest("", Transport.TCP, "Held.lease"), "a test",
                            Settings.fromSystemProperties().withRange(PortRange.exactly(port))));
                }
                if (held.stream().allMatch(reservation -> PortProbe.isFree(reservation.number(), Transport.TCP))) {
                    return new Lease(first, held);
                }
            }
            catch (IllegalStateException taken) {
                // try other ports
            }
            held.forEach(Reservation::close);
        }
        throw new IllegalStateException("no " + count + " adjacent free ports in " + range);
    }

    /** Adjacent ports held for a test, from {@code first}. */
    public record Lease(int first, java.util.List<Reservation> held) implements AutoCloseable {

        @Override
        public void close() {
            held.forEach(Reservation::close);
        }
    }

    /** A port nobody holds now; whoever wants it next must still reserve it. */
    public static int freePort() {
        try (Reservation reservation = PortRegistry.reserve(new PortRequest("", Transport.TCP, "Held.freePort"),
                "a check", Settings.fromSystemProperties())) {
            return reservation.number();
        }
    }
}
