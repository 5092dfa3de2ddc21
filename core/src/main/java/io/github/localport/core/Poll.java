package io.github.localport.core;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Polls a condition until it holds or a deadline passes: 1 ms between the first tries, then
 * doubling up to 50 ms, so a condition that already holds costs one check.
 *
 * <p>An interrupt does not cut the wait short (a release check must run to the end even in a
 * test that timed out); the thread's interrupt status is kept for its owner.
 */
public final class Poll {

    private static final long FIRST_PAUSE = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long MAX_PAUSE = TimeUnit.MILLISECONDS.toNanos(50);

    private Poll() {
    }

    /** Returns whether the condition held before the timeout. */
    public static boolean until(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = FIRST_PAUSE;
        boolean interrupted = Thread.interrupted();
        try {
            while (!condition.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                LockSupport.parkNanos(Math.min(pause, left));
                interrupted |= Thread.interrupted();
                pause = Math.min(pause * 2, MAX_PAUSE);
            }
            return true;
        }
        finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
