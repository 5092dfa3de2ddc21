package io.github.localport.core;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.NetworkChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;



/**
 * Hands out ports, each to one holder on the whole machine.
 *
 * <p>A port is taken in three steps, each of which can only fail to take it, never take it
 * twice: claim it in this JVM (a concurrent map), lock its file in the shared lock directory
 * (other JVMs), then check with the OS that nothing else is bound to it (programs that do not
 * use localport). The search starts at a random port of the range and walks the range once, so
 * its cost does not grow with the number of ports held.
 */
public final class PortRegistry {

    static {
        ProcLocks.lookAhead(); // before the logger: a fresh JVM sets up logging meanwhile
    }

    static final Logger LOGGER = Logger.getLogger("io.github.localport");

    private static final Set<String> LOGGED_SETTINGS = ConcurrentHashMap.newKeySet();

    private PortRegistry() {
    }

    /**
     * Gets ready for a first reservation that is about to come: starts in the background the
     * slowest step of a JVM's first reservation, the first look at Linux's {@code /proc/locks},
     * so that the reservation does not wait for all of it. An adapter calls it as soon as it
     * knows a port will be asked for (the JUnit extension, when JUnit creates it); the first use
     * of the registry starts it anyway.
     */
    public static void prepare() {
        ProcLocks.lookAhead();
    }

    /**
     * Reserves a port for the request, held until the reservation is closed.
     *
     * @param scope how long it is held, for messages ("test com.example.FooTest > serves(int)")
     * @throws ConfigurationException if the lock directory cannot be used
     * @throws IllegalStateException if no port of the range is free; the message says why
     */
    public static Reservation reserve(PortRequest request, String scope, Settings settings) {
        LockDirectory directory = LockDirectory.at(settings.lockDirectory());
        PortRange range = settings.range();
        logOnce(range, directory);
        Taken taken = new Search(range, request, directory).run();
        directory.createMissingLockFilesAhead(range);
        if (LOGGER.isLoggable(Level.FINE)) {
            LOGGER.fine("Reserved port " + taken.port() + " (" + request.protocol() + ") for " + request.declaration()
                    + " in " + scope);
        }
        return new Reservation(taken.port(), taken.lock(), taken.blocker(), request, scope, settings);
    }

    /**
     * Takes exactly this port if nothing holds or uses it now (a port held only by sockets in
     * TIME_WAIT counts as free, as for a one-port range), or returns {@code null}: the claim,
     * lock and probe of {@link #reserve}, for one port, neither waiting nor naming holders. Ports
     * asked for by number ({@link FixedPort}) and blocks ({@link PortBlock}) are built on it.
     *
     * @throws ConfigurationException if the port's lock file cannot be opened or locked at all
     */
    static Reservation tryReserve(int port, PortRequest request, String scope, Settings settings) {
        LockDirectory directory = LockDirectory.at(settings.lockDirectory());
        Taken taken = new Search(PortRange.exactly(port), request, directory).run(false);
        return taken == null ? null
                : new Reservation(taken.port(), taken.lock(), taken.blocker(), request, scope, settings);
    }

    /** Whether localport holds the port in this lock directory: claimed in this JVM, or locked by another process. */
    public static boolean isHeld(int port, Path lockDirectory) {
        return isHeld(port, LockDirectory.at(lockDirectory));
    }

    static boolean isHeld(int port, LockDirectory directory) {
        if (directory.claims().putIfAbsent(port, new PortRequest("", Transport.TCP, "a check whether it is held"))
                != null) {
            return true;
        }
        try {
            PortLock lock = directory.tryLock(port);
            if (lock == null) {
                return true;
            }
            lock.release();
            return false;
        }
        catch (IOException e) {
            return true;
        }
        finally {
            directory.claims().remove(port);
        }
    }

    /**
     * Drops the file lock first: only then may another thread of this JVM open the file. Says
     * so if the lock file was deleted or replaced while the port was held: the port stayed held
     * (on Linux, other JVMs see the lock in /proc/locks), but a cleaner is at work.
     */
    static void release(int port, PortLock lock) {
        boolean interrupted = Thread.interrupted();
        try {
            if (!lock.isStillNamedByItsPath()) {
                LOGGER.warning(() -> "The lock file " + lock.file() + " of port " + port + " was deleted or replaced"
                        + " while the port was held. localport kept the port held, but something cleans the lock"
                        + " directory: exclude it from tmp cleaners (an 'x " + lock.file().getParent() + "' line in"
                        + " /etc/tmpfiles.d/localport.conf).");
            }
            lock.release();
            lock.directory().claims().remove(port);
            FixedPort.released(port);
        }
        finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void logOnce(PortRange range, LockDirectory directory) {
        if (LOGGER.isLoggable(Level.CONFIG) && LOGGED_SETTINGS.add(range + " " + directory.path())) {
            LOGGER.config(() -> "localport takes ports from " + range.describe() + ", locked in " + directory.path());
        }
    }

    /** A port taken by a search: its lock, and for a dead port the socket that keeps it bound. */
    private record Taken(int port, PortLock lock, NetworkChannel blocker) {
    }

    /**
     * One walk over the range, from a random start. Only if it finds no free port does it go
     * back to the ports in use and take the first whose only sockets are in TIME_WAIT: servers
     * that set SO_REUSEADDR (nearly all) can bind it, and TIME_WAIT must not exhaust the range of
     * a suite that closes many connections server-side; but a fully free port is better, and
     * telling TIME_WAIT apart costs a read of the kernel's socket tables. Counts why each port was
     * passed over, for the message when none is left.
     */
    private static final class Search {
        private static final int RETRIES_AFTER_INTERRUPT = 3;

        private final PortRange range;
        private final PortRequest request;
        private final LockDirectory directory;
        private final List<Integer> inUse = new ArrayList<>();
        private boolean interrupted;
        private int heldHere;
        private int heldElsewhere;
        private int reservedByOs;
        private int lockFailures;
        private IOException firstLockFailure;

        Search(PortRange range, PortRequest request, LockDirectory directory) {
            this.range = range;
            this.request = request;
            this.directory = directory;
        }

        /**
         * Interrupts are set aside during the walk (a file channel closes itself on one) and
         * restored after; whatever happens, nothing but the port returned stays held.
         */
        Taken run() {
            return run(true);
        }

        /** With {@code throwIfNone} false, {@code null} when no port is free, unless lock files failed. */
        Taken run(boolean throwIfNone) {
            interrupted = Thread.interrupted();
            try {
                Taken taken = walk();
                if (taken == null && !request.dead()) {
                    taken = onlyInTimeWait();
                }
                if (taken == null && (throwIfNone || lockFailures > 0)) {
                    throw exhausted();
                }
                return taken;
            }
            finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        /** Visits every port of the range once, in a {@link RandomWalk}, and takes the first free one. */
        private Taken walk() {
            RandomWalk walk = RandomWalk.over(range.size());
            for (int i = 0; i < walk.size(); i++) {
                int port = range.first() + walk.step(i);
                PortLock lock = claimAndLock(port, true);
                if (lock == null) {
                    continue;
                }
                Taken taken = probe(port, lock, false);
                if (taken != null) {
                    return taken;
                }
                inUse.add(port);
            }
            return null;
        }

        /** After a walk that found no free port: the first port in use whose only sockets are in TIME_WAIT. */
        private Taken onlyInTimeWait() {
            for (int port : inUse) {
                PortLock lock = claimAndLock(port, false);
                Taken taken = lock == null ? null : probe(port, lock, true);
                if (taken != null) {
                    return taken;
                }
            }
            return null;
        }

        /**
         * Probes a locked port: returns it if it is free (with {@code timeWaitIsFine}, also if only
         * sockets in TIME_WAIT are on it), or else releases it. A dead port is bound on the spot,
         * which is its probe.
         */
        private Taken probe(int port, PortLock lock, boolean timeWaitIsFine) {
            boolean free;
            NetworkChannel blocker = null;
            try {
                if (request.dead()) {
                    blocker = PortProbe.bindWithoutListening(port);
                    free = blocker != null;
                }
                else {
                    free = PortProbe.isFree(port, request.protocol())
                            || timeWaitIsFine && PortProbe.isOnlyInTimeWait(port, request.protocol());
                }
            }
            catch (RuntimeException | Error e) {
                release(port, lock);
                throw e;
            }
            if (free) {
                return new Taken(port, lock, blocker);
            }
            release(port, lock);
            return null;
        }

        /**
         * Claims the port in this JVM and locks its file, or returns {@code null} if someone holds
         * it; {@code count}s why not, for the message when no port is left.
         */
        private PortLock claimAndLock(int port, boolean count) {
            if (!range.contains(port)) {
                reservedByOs += count ? 1 : 0;
                return null;
            }
            if (directory.claims().putIfAbsent(port, request) != null) {
                heldHere += count ? 1 : 0;
                return null;
            }
            PortLock lock = null;
            try {
                lock = lockRetryingAfterInterrupts(port);
                if (lock == null) {
                    heldElsewhere += count ? 1 : 0;
                }
            }
            catch (IOException e) {
                lockFailures += count ? 1 : 0;
                firstLockFailure = firstLockFailure == null ? e : firstLockFailure;
            }
            finally {
                if (lock == null) {
                    directory.claims().remove(port);
                }
            }
            return lock;
        }

        private PortLock lockRetryingAfterInterrupts(int port) throws IOException {
            for (int attempt = 0;; attempt++) {
                try {
                    return directory.tryLock(port);
                }
                catch (ClosedByInterruptException e) {
                    interrupted |= Thread.interrupted();
                    if (attempt == RETRIES_AFTER_INTERRUPT) {
                        throw e;
                    }
                }
            }
        }

        private RuntimeException exhausted() {
            if (lockFailures > 0 && heldElsewhere + inUse.size() == 0) {
                return LockDirectory.unusable(directory.path(),
                        "no lock file in it could be opened and locked (" + firstLockFailure + ")");
            }
            if (range.size() == 1) {
                return new IllegalStateException(String.format("Port %d (%s) is not free for %s: %s.%s", range.first(),
                        request.protocol(), request.declaration(), whoHolds(range.first()), range.isExactlyAsked() ? ""
                                : " Widen the range with configuration parameter '" + Settings.RANGE + "'."));
            }
            return new IllegalStateException(String.format(
                    "No free port in %s for %s: %d held by this JVM, %d held by other JVMs or users (lock files in %s),"
                            + " %d in use by programs that do not use localport, %d reserved by the OS%s."
                            + " Hold ports for shorter scopes, or widen the range with configuration parameter '%s'"
                            + " (for example %s).",
                    range.describe(), request.declaration(), heldHere, heldElsewhere, directory.path(), inUse.size(),
                    reservedByOs, lockFailures == 0 ? ""
                            : ", " + lockFailures + " whose lock file failed (" + firstLockFailure + ")",
                    Settings.RANGE, PortRange.example()));
        }

        /** Why the one port of a one-port range was passed over, naming the holder where visible. */
        private String whoHolds(int port) {
            if (reservedByOs > 0) {
                return "the OS reserves it (ip_local_reserved_ports)";
            }
            if (heldHere > 0) {
                PortRequest holder = directory.claims().get(port);
                return "this JVM holds it for " + (holder == null ? "another declaration" : holder.declaration());
            }
            if (heldElsewhere > 0) {
                return "another JVM or user holds it through localport, "
                        + PortHolders.ofLock(directory.range(port)).map(holder -> "held by " + holder)
                                .orElse("holder not visible to this user")
                        + " (lock file " + directory.file(port) + ")";
            }
            if (lockFailures > 0) {
                return "its lock file failed (" + firstLockFailure + ")";
            }
            Optional<String> holder = PortHolders.ofSocket(port, request.protocol());
            if (holder.isPresent()) {
                return "it is in use by a program that does not use localport, held by " + holder.get();
            }
            if (PortProbe.isReleased(port, request.protocol())) {
                return "only sockets in TIME_WAIT are left on it, from connections a server closed there in the last"
                        + " minute or so, and a dead port cannot be bound beside them";
            }
            return "the OS refuses to bind it (" + PortProbe.bindError(port, request.protocol())
                    .orElse("it can be bound now: try again") + ")";
        }
    }
}
