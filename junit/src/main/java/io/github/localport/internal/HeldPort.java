package io.github.localport.internal;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
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
    private static final String INTERNAL_PACKAGE = HeldPort.class.getPackageName() + ".";
    private static final String CORE_PACKAGE = Reservation.class.getPackageName() + ".";

    private final Reservation reservation;

    HeldPort(Reservation reservation) {
        this.reservation = reservation;
    }

    /** Backs {@link ReservedPort#reserve(Protocol)}: configured by system properties and junit-platform.properties. */
    public static ReservedPort reserveForCaller(Protocol protocol) {
        Objects.requireNonNull(protocol, "protocol must not be null");
        PortRequest request = new PortRequest("", transport(protocol), new Call("ReservedPort.reserve()"));
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
        PortRequest request = new PortRequest("", transport(protocol), new Call("ReservedPort.reserve(" + number + ")"));
        return new HeldPort(FixedPort.reserve(number, request, CALLER_SCOPE, Settings.fromSystemProperties(), wait));
    }

    static Transport transport(Protocol protocol) {
        return Transport.valueOf(protocol.name());
    }

    /**
     * A call of localport's API, for messages: "ReservedPort.reserve() called at
     * com.example.FooTest.serves(FooTest.java:42)". The stack is kept as a {@link Throwable}
     * keeps it, which costs little, and the caller's frame is found only when a message asks.
     */
    static final class Call {
        private final String method;
        private Throwable stack = new Throwable();
        private String text;

        Call(String method) {
            this.method = method;
        }

        @Override
        public synchronized String toString() {
            if (text == null) {
                text = method + " called at " + Arrays.stream(stack.getStackTrace())
                        .filter(frame -> !isLocalport(frame.getClassName())).findFirst().map(Object::toString)
                        .orElse("an unknown caller");
                stack = null;
            }
            return text;
        }

        private static boolean isLocalport(String className) {
            return className.equals(ReservedPort.class.getName()) || className.equals(ReservedPortBlock.class.getName())
                    || className.startsWith(INTERNAL_PACKAGE) || className.startsWith(CORE_PACKAGE);
        }
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
