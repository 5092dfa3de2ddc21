package io.github.localport.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Ports asked for by number, for code that cannot use another port (a client hard-wired to
 * 8080, a port in a checked-in configuration file): each waits until no other holder on the
 * machine has the port, and is then held and released like any {@link Reservation}. A port
 * asked for by number is a machine-wide mutex.
 *
 * <h2>Who is waited for, and in what order</h2>
 * <ul>
 * <li>Threads of this JVM that wait for the port queue first come, first served; only the
 * first of them polls.</li>
 * <li>The first waiter of each JVM polls every 2 ms, from a random start, whoever holds the port:
 * a thread of this JVM (its claim), another JVM through localport (its lock file), or a program
 * that does not use localport (the probe). So a released port is taken within about 2 ms, and
 * each JVM that waits has about the same chance to take it next, however many waiters it has.
 * For that, a JVM that released the port less than 2 ms ago does not take it again at once: it
 * polls like everyone else, so one JVM running its tests back to back cannot keep the port
 * from another for all of them.</li>
 * </ul>
 * Each try is {@link PortRegistry#tryReserve}: the claim, lock and probe of every reservation.
 * The wait is bounded ({@link Settings#FIXED_WAIT}, or the caller's); when it runs out, the
 * failure names who holds the port, as a one-port range does. A wait of zero tries once.
 *
 * <h2>Parallel executors</h2>
 * A thread of a {@link ForkJoinPool} (JUnit Jupiter runs parallel tests in one) waits through
 * {@link ForkJoinPool#managedBlock}, so the pool may start another thread for other work while
 * it waits: waiters do not starve the executor.
 *
 * <h2>Several ports by number: one order</h2>
 * Two holders that each want two ports by number, each taking one and waiting for the other,
 * would wait for each other until their waits run out. {@link #reserveAll} takes one holder's
 * ports in ascending order, the one order every holder uses, so that cannot happen.
 *
 * <p>An interrupt does not cut the wait short (reserving ignores interrupts throughout the
 * core); the thread's interrupt status is kept for its owner.
 */
public final class FixedPort {

    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    /** Per port, the turn among this JVM's waiters: a fair semaphore, first come, first served. */
    private static final Map<Integer, Semaphore> TURNS = new ConcurrentHashMap<>();
    /** Per port asked for by number, when this JVM last released it ({@link System#nanoTime()}). */
    private static final Map<Integer, Long> RELEASED_HERE = new ConcurrentHashMap<>();

    private FixedPort() {
    }

    /**
     * Reserves exactly this port, waiting up to {@link Settings#fixedWait()} for its holders.
     *
     * @param number the port, from 1 to 65535; the settings' range does not apply
     * @param request what asked for it, for messages
     * @param scope how long it is held, for messages
     * @param settings the lock directory, the release check and the wait
     * @return the reservation, held until it is closed
     * @throws ConfigurationException if the number is not a port number, or the lock directory
     *         cannot be used
     * @throws IllegalStateException if the port is still not free when the wait runs out; the
     *         message names who holds it
     */
    public static Reservation reserve(int number, PortRequest request, String scope, Settings settings) {
        return reserve(number, request, scope, settings, settings.fixedWait(),
                "give it longer with configuration parameter '" + Settings.FIXED_WAIT + "'");
    }

    /**
     * {@link #reserve(int, PortRequest, String, Settings)} with the caller's own wait.
     *
     * @param number the port, from 1 to 65535; the settings' range does not apply
     * @param request what asked for it, for messages
     * @param scope how long it is held, for messages
     * @param settings the lock directory and the release check
     * @param wait how long to wait at most; zero tries once
     * @return the reservation, held until it is closed
     */
    public static Reservation reserve(int number, PortRequest request, String scope, Settings settings,
            Duration wait) {
        return reserve(number, request, scope, settings, wait, "wait longer");
    }

    /**
     * Reserves each port by number in ascending order, whatever the map's order, each waiting
     * up to {@link Settings#fixedWait()}. If one fails, those already taken are released.
     *
     * @param requests what asked for each port, by port number
     * @param scope how long they are held, for messages
     * @param settings the lock directory, the release check and the wait
     * @return the reservations, in ascending order of their numbers
     */
    public static List<Reservation> reserveAll(Map<Integer, PortRequest> requests, String scope, Settings settings) {
        List<Reservation> taken = new ArrayList<>();
        try {
            for (Map.Entry<Integer, PortRequest> request : new TreeMap<>(requests).entrySet()) {
                taken.add(reserve(request.getKey(), request.getValue(), scope, settings));
            }
            return taken;
        }
        catch (RuntimeException | Error e) {
            taken.forEach(Reservation::releaseUnused);
            throw e;
        }
    }

    private static Reservation reserve(int number, PortRequest request, String scope, Settings settings,
            Duration wait, String waitLonger) {
        if (number < 1 || number > 65535) {
            throw new ConfigurationException("A port number is between 1 and 65535, but was " + number + " ("
                    + request.declaration() + ")");
        }
        if (wait.isNegative()) {
            throw new ConfigurationException("A wait is zero or positive, but was " + wait + " ("
                    + request.declaration() + ")");
        }
        Settings exactly = settings.withRange(PortRange.exactly(number));
        if (wait.isZero()) {
            return PortRegistry.reserve(request, scope, exactly);
        }
        Waiter waiter = new Waiter(number, request, scope, settings, System.nanoTime() + wait.toNanos());
        try {
            Reservation taken = waiter.await();
            if (taken != null) {
                return taken;
            }
            try {
                return PortRegistry.reserve(request, scope, exactly); // a last try, which names who holds it
            }
            catch (IllegalStateException e) {
                throw new IllegalStateException(e.getMessage() + " localport waited " + Durations.format(wait)
                        + " for it: stop what holds it, or " + waitLonger + ".");
            }
        }
        finally {
            waiter.giveUpTurn();
        }
    }

    /** Called after a port of this JVM was released: notes when, for a port that was ever asked for by number. */
    static void released(int port) {
        if (TURNS.containsKey(port)) {
            RELEASED_HERE.put(port, System.nanoTime());
        }
    }

    /** Whether this JVM released the port so recently that other JVMs' waiters may not have polled since. */
    private static boolean releasedHereJustNow(int port) {
        Long at = RELEASED_HERE.get(port);
        return at != null && System.nanoTime() - at < POLL_NANOS;
    }

    /** One thread's wait: first for its turn among this JVM's waiters, then polling the port. */
    private static final class Waiter implements ForkJoinPool.ManagedBlocker {

        private final int number;
        private final PortRequest request;
        private final String scope;
        private final Settings settings;
        private final long deadline;
        private final Semaphore turn;
        private boolean hasTurn;
        private boolean finished;
        private boolean interrupted;
        private Reservation taken;

        Waiter(int number, PortRequest request, String scope, Settings settings, long deadline) {
            this.number = number;
            this.request = request;
            this.scope = scope;
            this.settings = settings;
            this.deadline = deadline;
            this.turn = TURNS.computeIfAbsent(number, port -> new Semaphore(1, true));
        }

        /**
         * The reservation, or {@code null} if the wait ran out. Tries at once, before anything
         * blocks, if no other thread of this JVM waits and this JVM did not just release the port.
         */
        Reservation await() {
            interrupted = Thread.interrupted();
            try {
                hasTurn = takeTurn(false);
                taken = hasTurn && !releasedHereJustNow(number)
                        ? PortRegistry.tryReserve(number, request, scope, settings) : null;
                while (taken == null && !finished) {
                    try {
                        ForkJoinPool.managedBlock(this);
                    }
                    catch (InterruptedException e) {
                        interrupted = true; // block() never throws it, but a pool may before it calls block()
                    }
                }
                return taken;
            }
            finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public boolean block() {
            try {
                if (!hasTurn) {
                    hasTurn = takeTurn(true);
                }
                if (hasTurn) {
                    taken = poll();
                }
            }
            finally {
                finished = true;
            }
            return true;
        }

        @Override
        public boolean isReleasable() {
            return finished;
        }

        /** Tries every 2 ms from a random start until the deadline, so that every JVM's first waiter has a like chance. */
        private Reservation poll() {
            long pause = 1 + ThreadLocalRandom.current().nextLong(POLL_NANOS);
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                LockSupport.parkNanos(this, Math.min(pause, left));
                interrupted |= Thread.interrupted();
                Reservation reservation = PortRegistry.tryReserve(number, request, scope, settings);
                if (reservation != null) {
                    return reservation;
                }
                pause = POLL_NANOS;
            }
        }

        /** Takes this JVM's turn for the port, in arrival order: at once, or waiting until the deadline. */
        private boolean takeTurn(boolean wait) {
            while (true) {
                try {
                    return turn.tryAcquire(wait ? Math.max(0, deadline - System.nanoTime()) : 0, TimeUnit.NANOSECONDS);
                }
                catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }

        void giveUpTurn() {
            if (hasTurn) {
                hasTurn = false;
                turn.release();
            }
        }
    }
}
