package io.github.localport.internal;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;

import io.github.localport.Protocol;
import io.github.localport.ReservedPort;
import io.github.localport.ReservedPortBlock;
import io.github.localport.core.FixedPort;
import io.github.localport.core.PortRegistry;
import io.github.localport.core.PortRequest;
import io.github.localport.core.Reservation;
import io.github.localport.core.Settings;
import io.github.localport.core.Transport;

/**
 * A {@link ReservedPort}: the core's {@link Reservation} in the API's terms. Needs nothing but
 * the JDK and the core, so that {@link ReservedPort#reserve()} works without JUnit.
 */
public final class HeldPort implements ReservedPort {

    static final String CALLER_SCOPE = "its reservation (ReservedPort.close())";
    private static final boolean OPENTEST4J = opentest4jPresent();

    private final Reservation reservation;

    HeldPort(Reservation reservation) {
        this.reservation = reservation;
    }

    /** Backs {@link ReservedPort#reserve(Protocol)}: configured by system properties and junit-platform.properties. */
    public static ReservedPort reserveForCaller(Protocol protocol) {
        Objects.requireNonNull(protocol, "protocol must not be null");
        PortRequest request = new PortRequest("", transport(protocol), "ReservedPort.reserve() called at " + caller());
        return new HeldPort(PortRegistry.reserve(request, CALLER_SCOPE, Settings.fromSystemProperties()));
    }

    /**
     * Backs {@link ReservedPort#reserve(int, Protocol, Duration)}: exactly that port, once no
     * other holder has it, or a message naming its holder when the wait runs out (at once for a
     * wait of zero).
     */
    public static ReservedPort reserveNumberForCaller(int number, Protocol protocol, Duration wait) {
        Objects.requireNonNull(protocol, "protocol must not be null");
        Objects.requireNonNull(wait, "wait must not be null");
        PortRequest request = new PortRequest("", transport(protocol), "ReservedPort.reserve(" + number
                + ") called at " + caller());
        return new HeldPort(FixedPort.reserve(number, request, CALLER_SCOPE, Settings.fromSystemProperties(), wait));
    }

    static Transport transport(Protocol protocol) {
        return Transport.valueOf(protocol.name());
    }

    /** The first frame outside localport, for messages. */
    static String caller() {
        return StackWalker.getInstance().walk(frames -> frames
                .filter(frame -> !frame.getClassName().equals(ReservedPort.class.getName())
                        && !frame.getClassName().equals(ReservedPortBlock.class.getName())
                        && !frame.getClassName().startsWith(HeldPort.class.getPackageName() + ".")
                        && !frame.getClassName().startsWith(Reservation.class.getPackageName() + "."))
                .findFirst().map(Object::toString).orElse("an unknown caller"));
    }

    Reservation reservation() {
        return reservation;
    }

    @Override
    public int number() {
        return reservation.number();
    }

    @Override
    public Protocol protocol() {
        return Protocol.valueOf(reservation.protocol().name());
    }

    @Override
    public InetSocketAddress address() {
        return reservation.address();
    }

    @Override
    public URI uri(String scheme) {
        return reservation.uri(scheme);
    }

    @Override
    public boolean isListening() {
        return reservation.isListening();
    }

    @Override
    public void awaitListening(Duration timeout) {
        failingAsTestFrameworksDo(() -> reservation.awaitListening(timeout));
    }

    @Override
    public void awaitReleased(Duration timeout) {
        failingAsTestFrameworksDo(() -> reservation.awaitReleased(timeout));
    }

    @Override
    public void close() {
        failingAsTestFrameworksDo(reservation::close);
    }

    /**
     * Runs a check whose failure is an {@link AssertionError}; where opentest4j is on the class
     * path (JUnit, and most test frameworks), as its {@code AssertionFailedError}, which IDEs and
     * build tools report best.
     */
    static void failingAsTestFrameworksDo(Runnable check) {
        try {
            check.run();
        }
        catch (AssertionError e) {
            throw OPENTEST4J ? Opentest4j.assertionFailed(e) : e;
        }
    }

    /** Loaded only where opentest4j is present: HeldPort itself must load without it. */
    private static final class Opentest4j {

        static AssertionError assertionFailed(AssertionError e) {
            return e instanceof org.opentest4j.AssertionFailedError ? e
                    : new org.opentest4j.AssertionFailedError(e.getMessage(), e);
        }
    }

    private static boolean opentest4jPresent() {
        try {
            Class.forName("org.opentest4j.AssertionFailedError", false, HeldPort.class.getClassLoader());
            return true;
        }
        catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return reservation.toString();
    }
}
