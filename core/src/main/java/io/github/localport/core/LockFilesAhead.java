package io.github.localport.core;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The thread that creates a range's missing lock files in a machine-wide lock directory and then
 * takes a look at /proc/locks that answers for all of them, started by
 * {@link LockDirectory#createMissingLockFilesAhead} on a machine that never ran localport. Only a
 * head start: if it fails or the JVM ends first, reservations create and look for themselves.
 * Each file is created holding the monitor under which reservations open, lock and close it
 * (closing the new file would drop a lock this JVM just took on it). It works only in a directory
 * of root's or this user's (by user id), and stops if the directory is replaced: in another
 * user's directory that user could swap the files it creates for something else. Creating a
 * file costs the kernel about 0.1 ms, so it pauses after every few files (a few thousand files
 * take about 6 s and a few percent of one processor), not to slow a build that has just started.
 */
final class LockFilesAhead extends Thread {

    private static final int FILES_BETWEEN_PAUSES = 16;
    private static final long PAUSE_MILLIS = 20;

    private final LockDirectory directory;
    private final PortRange range;

    private LockFilesAhead(LockDirectory directory, PortRange range) {
        super(null, null, "localport: lock files of " + range + " in " + directory.path(), 0, false);
        this.directory = directory;
        this.range = range;
        setDaemon(true);
        setContextClassLoader(null);
    }

    static void start(LockDirectory directory, PortRange range) {
        try {
            new LockFilesAhead(directory, range).start();
        }
        catch (RuntimeException | OutOfMemoryError e) {
            // No thread to spare: each reservation creates its own lock file and looks, as before.
        }
    }

    @Override
    public void run() {
        try {
            Object directoryKey = directoryKey();
            if (directoryKey == null || !isOwnedByRootOrThisUser(directory.path())) {
                return; // in another user's directory, that user could swap the files it creates
            }
            Set<Path> present = new HashSet<>();
            try (DirectoryStream<Path> files = Files.newDirectoryStream(directory.path(), "*.lock")) {
                files.forEach(present::add);
            }
            int created = 0;
            for (int port = range.first(); port <= range.last(); port++) {
                Path file = LockDirectory.lockFile(directory.path(), port);
                if (range.contains(port) && !present.contains(file) && create(port, file)
                        && ++created % FILES_BETWEEN_PAUSES == 0
                        && (!pause(PAUSE_MILLIS) || !directoryKey.equals(directoryKey()))) {
                    return; // interrupted, or the directory was replaced meanwhile
                }
            }
            // Only a look taken a margin after a file's ctime answers for the file.
            if (pause(ProcLocks.Snapshot.MARGIN_MILLIS + 100)) {
                ProcLocks.fresh();
            }
        }
        catch (IOException | RuntimeException e) {
            // The directory was deleted, a file could not be created, or the look failed:
            // reservations create and look for themselves, as without this thread.
        }
    }

    private boolean create(int port, Path file) throws IOException {
        synchronized (LockDirectory.monitor(directory.realPath(), port)) {
            return LockDirectory.create(file);
        }
    }

    /**
     * Whether the directory belongs to root or to the user this JVM runs as, by user id (Linux:
     * the owner of {@code /proc/self}); {@code false} where that cannot be told.
     */
    private static boolean isOwnedByRootOrThisUser(Path directory) {
        try {
            int owner = ((Number) Files.getAttribute(directory, "unix:uid", LinkOption.NOFOLLOW_LINKS)).intValue();
            return owner == 0 || owner == ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue();
        }
        catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Which directory is at the lock directory's path now; {@code null} if none. */
    private Object directoryKey() throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(directory.path(), BasicFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS);
        return attributes.isDirectory() ? attributes.fileKey() : null;
    }

    /** Waits, unless interrupted; whether it waited the whole time. */
    private boolean pause(long millis) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (long left; (left = end - System.nanoTime()) > 0 && !isInterrupted();) {
            LockSupport.parkNanos(left);
        }
        return !isInterrupted();
    }
}
