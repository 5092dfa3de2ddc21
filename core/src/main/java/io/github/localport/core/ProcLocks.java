package io.github.localport.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Linux's table of every file lock on the machine, {@code /proc/locks}: which process holds a
 * lock at which position of which file, whether or not that file still has a name.
 */
final class ProcLocks {

    private static final Path LOCKS = Path.of("/proc/locks");
    /** Only on Linux: elsewhere the path could name any file someone put there (on Windows, C:\proc\locks). */
    static final boolean AVAILABLE = System.getProperty("os.name", "").startsWith("Linux") && Files.isReadable(LOCKS);

    /**
     * The bytes a lock covers, first and last. Its own equals and hashCode: a record's are
     * linked by the JVM the first time they run, which costs a fresh JVM's first reservation
     * milliseconds.
     */
    record Range(long start, long end) {

        @Override
        public boolean equals(Object other) {
            return other instanceof Range range && range.start == start && range.end == end;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(start) * 31 + Long.hashCode(end);
        }
    }

    /** A held lock: the holder's pid ({@code 0} where the OS hides it), the file's inode and the range. */
    record Lock(long pid, String inode, Range range) {
    }

    /**
     * Every lock {@code /proc/locks} showed at one moment, by the range it covers, and when that
     * was, by the wall clock (to compare with file times) and by {@link System#nanoTime()}.
     */
    record Snapshot(long takenMillis, long takenNanos, Map<Range, List<Lock>> byRange) {

        /** Clock ticks of file times are coarse: a file this much older than the look was there for it. */
        static final long MARGIN_MILLIS = 2000;

        boolean isAfter(FileTime time) {
            return time.toMillis() < takenMillis - MARGIN_MILLIS;
        }

        /**
         * Whether the wall clock has moved with the monotonic one since the look: after a step
         * back (an NTP step, {@code date -s}, a resumed VM), files renamed since would look older
         * than the look.
         */
        boolean clockAgrees() {
            long wall = System.currentTimeMillis() - takenMillis;
            long monotonic = (System.nanoTime() - takenNanos) / 1_000_000;
            return Math.abs(wall - monotonic) < MARGIN_MILLIS;
        }

        /** Whether a lock of the range is held on a file other than the inode; any file, for {@code null}. */
        boolean holdsOtherThan(Range range, String inode) {
            for (Lock lock : byRange.getOrDefault(range, List.of())) {
                if (!lock.inode().equals(inode)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The last look this copy of localport took; {@code null} before the first. */
    private static volatile Snapshot last;
    /** The first look, taken in the background; {@code null} if none was started. */
    private static volatile LookAhead ahead;

    /**
     * Starts the first look in the background, if none was taken or started: the kernel makes the
     * first read of {@code /proc/locks} after a quiet spell wait for an RCU grace period (10-20 ms),
     * which would otherwise be the largest part of a fresh JVM's first reservation.
     */
    static void lookAhead() {
        if (!AVAILABLE || last != null || ahead != null) {
            return;
        }
        synchronized (ProcLocks.class) {
            if (last == null && ahead == null) {
                try {
                    LookAhead look = new LookAhead();
                    look.start();
                    ahead = look;
                }
                catch (RuntimeException | OutOfMemoryError e) {
                    // No thread to spare, or not allowed: the first reservation looks itself.
                }
            }
        }
    }

    /**
     * The last look, the look ahead once it is done, or a new look. A look answers for every
     * lock file that was at its path before it ({@link Snapshot#isAfter}), however long ago it
     * was taken; /proc/locks is the machine's, so one look serves every lock directory.
     */
    static Snapshot latest() throws IOException {
        Snapshot seen = last;
        if (seen == null) {
            LookAhead look = ahead;
            Snapshot lookedAhead = look == null ? null : look.await();
            seen = last; // one taken meanwhile, by a reservation or the thread that creates lock files, is newer
            if (seen == null && lookedAhead != null) {
                last = seen = lookedAhead;
            }
            ahead = null; // the ended thread would keep class loaders reachable
        }
        return seen != null && seen.clockAgrees() ? seen : fresh();
    }

    /**
     * A new look, kept as the last.
     *
     * @throws IOException if {@code /proc/locks} could not be read: a failed look tells nothing,
     *         so it is never kept
     */
    static Snapshot fresh() throws IOException {
        Snapshot seen = snapshot();
        last = seen;
        ahead = null; // a look-ahead still under way is not needed any more
        return seen;
    }

    /** A daemon thread that takes one look and ends; the look is {@code null} if it failed. */
    private static final class LookAhead extends Thread {
        private Snapshot seen;

        LookAhead() {
            super(null, null, "localport: first look at /proc/locks", 0, false);
            setDaemon(true);
            setContextClassLoader(null);
        }

        @Override
        public void run() {
            try {
                seen = snapshot();
            }
            catch (IOException | RuntimeException e) {
                // The reservation that needs a look takes one itself, and reports why it failed.
            }
        }

        /** The look, once the thread has ended (an interrupt meanwhile is kept for the caller). */
        Snapshot await() {
            boolean interrupted = false;
            while (isAlive()) {
                try {
                    join();
                }
                catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return seen; // join() makes the thread's write visible
        }
    }

    /**
     * A look: {@code /proc/locks} read twice, and every lock either read shows. The kernel writes
     * the file a page at a time, from a position in its list of locks: a lock released between
     * two pages shifts the list, and one lock can be missed in that read. Two reads miss one lock
     * only if both are shifted at it; a lock released between them shows as held, which only
     * makes the reservation look once more.
     */
    private static Snapshot snapshot() throws IOException {
        long now = System.currentTimeMillis();
        long nanos = System.nanoTime();
        try {
            return fromReads(now, nanos, ProcFile.read(LOCKS), ProcFile.read(LOCKS));
        }
        catch (IOException e) {
            throw new IOException("localport could not read " + LOCKS + " (" + e + "), which tells it which ports"
                    + " holders of deleted lock files still hold; free file descriptors, or make " + LOCKS
                    + " readable again", e);
        }
    }

    /** The look that these reads of {@code /proc/locks}, taken at that time, show together. */
    static Snapshot fromReads(long takenMillis, long takenNanos, String... reads) {
        Map<Range, List<Lock>> byRange = new HashMap<>();
        for (String read : reads) {
            for (Lock lock : parse(read)) {
                List<Lock> ofRange = byRange.get(lock.range());
                if (ofRange == null) {
                    byRange.put(lock.range(), ofRange = new ArrayList<>(1));
                }
                if (!ofRange.contains(lock)) {
                    ofRange.add(lock);
                }
            }
        }
        return new Snapshot(takenMillis, takenNanos, byRange);
    }

    private ProcLocks() {
    }

    /** The granted POSIX locks of exactly this range; empty where there is no {@code /proc/locks}. */
    static List<Lock> of(Range range) {
        return all().stream().filter(lock -> lock.range().equals(range)).toList();
    }

    /**
     * Every granted POSIX lock with a bounded range, for listings and messages; empty where there
     * is no {@code /proc/locks} or it cannot be read.
     */
    static List<Lock> all() {
        if (!AVAILABLE) {
            return List.of();
        }
        try {
            return parse(ProcFile.read(LOCKS));
        }
        catch (IOException e) {
            return List.of();
        }
    }

    /** The granted POSIX locks with a bounded range in the text of {@code /proc/locks}; a line that does not parse is passed over. */
    static List<Lock> parse(String text) {
        List<Lock> locks = new ArrayList<>();
        for (String line : text.split("\n")) {
            // "1: POSIX  ADVISORY  WRITE 4242 fe:00:2155603 62000 1234562000"; waiters read "1: -> POSIX ..."
            String[] fields = ProcFile.fields(line);
            if (fields.length >= 8 && fields[1].equals("POSIX") && !fields[7].equals("EOF")) {
                try {
                    String file = fields[5];
                    locks.add(new Lock(Long.parseLong(fields[4]), file.substring(file.lastIndexOf(':') + 1),
                            new Range(Long.parseLong(fields[6]), Long.parseLong(fields[7]))));
                }
                catch (NumberFormatException e) {
                    // Not a lock line as this kernel is known to write them: the others still count.
                }
            }
        }
        return locks;
    }
}
