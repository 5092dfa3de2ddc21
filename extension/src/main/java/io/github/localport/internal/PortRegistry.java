package io.github.localport.internal;

import static io.github.localport.LocalPort.RANGE_PROPERTY_NAME;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Logger;

import io.github.localport.Protocol;
import io.github.localport.ReservedPort;

/**
 * Hands out ports, each to one holder on the whole machine.
 *
 * <p>A port is taken in three steps, each of which can only fail to take it, never take it
 * twice: claim it in this JVM (a concurrent set), lock its file in the shared lock directory
 * (other JVMs), then check with the OS that nothing else is bound to it (programs that do not
 * use localport). The search starts at a random port of the range and walks the range once, so
 * its cost does not grow with the number of ports held.
 */
public final class PortRegistry {

    static final Logger LOGGER = Logger.getLogger("io.github.localport");

    /** Ports this JVM holds or is about to lock: the claim that comes before the lock file. */
    static final Set<Integer> HELD_HERE = ConcurrentHashMap.newKeySet();
    private static final Set<String> LOGGED_SETTINGS = ConcurrentHashMap.newKeySet();

    private PortRegistry() {
    }

    /** Backs {@link ReservedPort#reserve(Protocol)}: configured by system properties. */
    public static ReservedPort reserveForCaller(Protocol protocol) {
        Objects.requireNonNull(protocol, "protocol must not be null");
        String caller = StackWalker.getInstance().walk(frames -> frames
                .filter(frame -> !frame.getClassName().equals(PortRegistry.class.getName())
                        && !frame.getClassName().equals(ReservedPort.class.getName()))
                .findFirst().map(Object::toString).orElse("an unknown caller"));
        PortRequest request = new PortRequest("", protocol, "ReservedPort.reserve() called at " + caller);
        return reserve(request, "its reservation (ReservedPort.close())", Settings.fromSystemProperties());
    }

    static Reservation reserve(PortRequest request, String scope, Settings settings) {
        LockDirectory directory = LockDirectory.at(settings.lockDirectory());
        PortRange range = settings.range();
        logOnce(range, directory);
        // File channels close on interrupt; a reservation must not depend on the caller's interrupt status.
        boolean interrupted = Thread.interrupted();
        try {
            Taken taken = search(range, request.protocol(), directory, request);
            LOGGER.fine(() -> "Reserved port " + taken.port() + " (" + request.protocol() + ") for "
                    + request.declaration() + " in " + scope);
            return new Reservation(taken.port(), taken.lock(), request, scope, settings);
        }
        finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Walks the range once from a random start. A port whose only user is a socket in
     * TIME_WAIT is kept as a fallback: servers that set SO_REUSEADDR (nearly all) can bind it,
     * but a fully free port is better, and TIME_WAIT must not exhaust the range of a suite that
     * closes many connections server-side.
     */
    private static Taken search(PortRange range, Protocol protocol, LockDirectory directory, PortRequest request) {
        Census census = new Census();
        Taken fallback = null;
        int size = range.size();
        int start = ThreadLocalRandom.current().nextInt(size);
        for (int i = 0; i < size; i++) {
            int port = range.first() + (start + i) % size;
            PortLock lock = claimAndLock(port, range, directory, census);
            if (lock == null) {
                continue;
            }
            if (PortProbe.isFree(port, protocol)) {
                if (fallback != null) {
                    release(fallback.port(), fallback.lock());
                }
                return new Taken(port, lock);
            }
            if (fallback == null && PortProbe.isReleased(port, protocol)) {
                fallback = new Taken(port, lock);
            }
            else {
                census.inUse++;
                release(port, lock);
            }
        }
        if (fallback != null) {
            return fallback;
        }
        throw census.exhausted(range, directory, request);
    }

    /** Claims the port in this JVM and locks its file, or returns {@code null} if someone holds it. */
    private static PortLock claimAndLock(int port, PortRange range, LockDirectory directory, Census census) {
        if (!range.contains(port)) {
            census.reservedByOs++;
            return null;
        }
        if (!HELD_HERE.add(port)) {
            census.heldHere++;
            return null;
        }
        PortLock lock = directory.tryLock(port);
        if (lock == null) {
            census.heldElsewhere++;
            HELD_HERE.remove(port);
        }
        return lock;
    }

    private record Taken(int port, PortLock lock) {
    }

    /** Drops the file lock first: only then may another thread of this JVM open the file. */
    static void release(int port, PortLock lock) {
        boolean interrupted = Thread.interrupted();
        try {
            lock.release();
            HELD_HERE.remove(port);
        }
        finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void logOnce(PortRange range, LockDirectory directory) {
        String settings = "localport takes ports from " + range.describe() + ", locked in " + directory.path();
        if (LOGGED_SETTINGS.add(settings)) {
            LOGGER.config(settings);
        }
    }

    /** Why each port of the range was passed over, for the message when none is left. */
    private static final class Census {
        int heldHere;
        int heldElsewhere;
        int inUse;
        int reservedByOs;

        IllegalStateException exhausted(PortRange range, LockDirectory directory, PortRequest request) {
            return new IllegalStateException(String.format(
                    "No free port in %s for %s: %d held by this JVM, %d held by other JVMs or users (lock files in %s),"
                            + " %d in use by programs that do not use localport, %d reserved by the OS."
                            + " Hold ports for shorter scopes, or widen the range with configuration parameter '%s'"
                            + " (for example 40000-49999).",
                    range.describe(), request.declaration(), heldHere, heldElsewhere, directory.path(), inUse,
                    reservedByOs, RANGE_PROPERTY_NAME));
        }
    }
}
