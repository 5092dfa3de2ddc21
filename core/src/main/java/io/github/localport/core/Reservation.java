package io.github.localport.core;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.channels.NetworkChannel;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;



/**
 * One held port. Closing it checks that nothing still uses the port, then releases it. Each
 * adapter hands it to its users in its own terms (the JUnit extension as a {@code ReservedPort}).
 */
public final class Reservation implements AutoCloseable {

    /** 127.0.0.1 itself: InetAddress.getLoopbackAddress() is [::1] under java.net.preferIPv6Addresses. */
    private static final InetAddress LOOPBACK = ipv4Loopback();

    private final int port;
    private final PortLock lock;
    private final NetworkChannel blocker;
    private final PortRequest request;
    private final String scope;
    private final Settings settings;
    /**
     * Whether the port is still held; set once, under the reservation's monitor. Not an
     * {@code AtomicBoolean}: linking its {@code VarHandle} costs a fresh JVM's first reservation
     * about a millisecond.
     */
    private volatile boolean held = true;

    Reservation(int port, PortLock lock, NetworkChannel blocker, PortRequest request, String scope,
            Settings settings) {
        this.port = port;
        this.lock = lock;
        this.blocker = blocker;
        this.request = request;
        this.scope = scope;
        this.settings = settings;
    }

    public String scope() {
        return scope;
    }

    public Settings settings() {
        return settings;
    }

    public PortRequest request() {
        return request;
    }

    public boolean isHeld() {
        return held;
    }

    public int number() {
        return port;
    }

    public Transport protocol() {
        return request.protocol();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(LOOPBACK, port);
    }

    public URI uri(String scheme) {
        Objects.requireNonNull(scheme, "scheme must not be null");
        return URI.create(scheme + "://127.0.0.1:" + port);
    }

    public boolean isListening() {
        return PortProbe.isListening(port, protocol());
    }

    public void awaitListening(Duration timeout) {
        if (!Poll.until(this::isListening, timeout)) {
            throw new AssertionError(String.format("Nothing listened on port %d (%s) within %s.", port,
                    protocol(), Durations.format(timeout)));
        }
    }

    public void awaitReleased(Duration timeout) {
        if (!Poll.until(() -> PortProbe.isReleased(port, protocol()), timeout)) {
            throw new AssertionError(String.format("Port %d (%s) was still in use after %s.", port, protocol(),
                    Durations.format(timeout)));
        }
    }

    @Override
    public void close() {
        close("the end of " + scope, "Stop what was started on the port before the scope ends (in a finally block,"
                + " @AfterEach or @AfterAll)");
    }

    /**
     * Checks, under the leak policy, that nothing uses the port any more, polling for up to the
     * grace period, then releases it in every case. Closing again does nothing.
     *
     * @param after what should have freed the port, for the message ("the end of test ...")
     * @param advice what to do about a leak, for the message
     */
    public void close(String after, String advice) {
        if (letGo()) {
            PortProbe.closeQuietly(blocker);
            try {
                checkReleased(after, advice);
            }
            finally {
                PortRegistry.release(port, lock);
            }
        }
    }

    /** Releases the port without the check, for a port never handed out (part of a block that could not be taken whole). */
    void releaseUnused() {
        if (letGo()) {
            PortProbe.closeQuietly(blocker);
            PortRegistry.release(port, lock);
        }
    }

    /** Marks the port no longer held; {@code true} for the one caller that did. */
    private synchronized boolean letGo() {
        boolean wasHeld = held;
        held = false;
        return wasHeld;
    }

    /**
     * Closes each reservation in order, every one even if an earlier one fails, and then throws
     * the first failure with the others suppressed.
     */
    static void closeAll(List<Reservation> reservations) {
        Throwable first = null;
        for (Reservation reservation : reservations) {
            try {
                reservation.close();
            }
            catch (RuntimeException | Error e) {
                if (first == null) {
                    first = e;
                }
                else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first instanceof RuntimeException e) {
            throw e;
        }
        if (first != null) {
            throw (Error) first;
        }
    }

    private void checkReleased(String after, String advice) {
        if (settings.leakPolicy() == Settings.LeakPolicy.OFF || PortProbe.isReleased(port, protocol())
                || Poll.until(() -> PortProbe.isReleased(port, protocol()), settings.leakGrace())) {
            return;
        }
        Optional<PortHolders.Holding> holding = PortHolders.holding(port, protocol());
        String message = String.format("Port %d (%s) is still in use %s after %s: something %s."
                + "%nHeld by: %s."
                + "%nIt was reserved for %s."
                + "%n%s%s",
                port, protocol(), Durations.format(settings.leakGrace()), after,
                protocol() == Transport.UDP ? "has it bound" : "listens on it or has it bound",
                holding.map(PortHolders.Holding::holders).orElse("holder not visible"), request.declaration(),
                holding.flatMap(PortHolders.Holding::framework).map(Reservation::frameworkAdvice).orElse(""),
                remedies(advice));
        if (settings.leakPolicy() == Settings.LeakPolicy.FAIL) {
            throw new PortStillInUseError(message);
        }
        PortRegistry.LOGGER.warning(message);
    }

    /** What to do about a leak, under the leak policy in force. */
    private String remedies(String advice) {
        return settings.leakPolicy() == Settings.LeakPolicy.FAIL
                ? String.format("%s, give it longer with configuration parameter '%s', or set '%s' to warn or off.",
                        advice, Settings.LEAK_GRACE, Settings.LEAK_POLICY)
                : String.format("%s, or give it longer with configuration parameter '%s'. (A warning rather than a"
                        + " failure, as '%s' is warn.)", advice, Settings.LEAK_GRACE, Settings.LEAK_POLICY);
    }

    /** For a port that a framework's server holds: it lives as long as the framework's application. */
    private static String frameworkAdvice(String framework) {
        return String.format("The threads that hold it run %s: a server that a framework started stops when its"
                + " application is closed, and an application that outlives the scope keeps it (a Spring application"
                + " context, for one, stays open in Spring's test context cache after its test class). Close the"
                + " application before the scope ends, or see the README's Spring Boot section.%n", framework);
    }

    private static InetAddress ipv4Loopback() {
        try {
            return InetAddress.getByAddress(new byte[] { 127, 0, 0, 1 });
        }
        catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("127.0.0.1 is an IPv4 address", e);
        }
    }

    @Override
    public String toString() {
        return "127.0.0.1:" + port + " (" + protocol() + (request.isNamed() ? ", '" + request.name() + "'" : "") + ")";
    }
}
