package io.github.localport.core;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The directory of lock files shared by every JVM on the machine: one empty file per port,
 * {@code PORT.lock}, held with an OS file lock while the port is reserved. The OS drops the
 * lock when the JVM dies, however it dies.
 *
 * <h2>Against a hostile or unlucky machine</h2>
 * <ul>
 * <li><b>Nothing planted can block.</b> A lock file is opened without following links, for
 * reading and writing, which does not wait even for a FIFO; one this copy of localport has not
 * locked before is first looked at, and taken only if it is a regular file. Anything else counts
 * as held by someone else.</li>
 * <li><b>A lock is valid only while its path names the locked file.</b> After the lock, the path
 * must name the regular file looked at before the open (or, for a file this copy locked before,
 * that file), or the lock is dropped. A tmp cleaner, a
 * {@code rm -rf} or another user may still delete the file of a port held by a live JVM; a new
 * file of the same name would then lock for anyone. So each lock's byte range names the port
 * and the directory (see {@link #range}), and on Linux a file this JVM has not yet seen is only
 * taken if {@code /proc/locks} shows no lock of that range on another file: the old holder keeps
 * its port.</li>
 * <li><b>The directory is checked</b> when it is prepared, and prepared again when it was deleted:
 * a directory every user may write to must have the sticky bit, or anyone could delete others'
 * lock files. A new lock file's mode is set without following a link, so that the directory's
 * owner cannot swap it for a link and have another file made writable by everyone.</li>
 * <li><b>Two copies of localport in one JVM</b> (two class loaders) see each other's locks as
 * {@link OverlappingFileLockException}s. Closing a channel drops every POSIX lock the process
 * holds on the file, so such a channel is kept, one per file, and used again rather than closed
 * while the other copy may hold the lock; open, lock and close of one file take a monitor that
 * every copy in the JVM shares (an interned string).</li>
 * </ul>
 * Lock files are never deleted or written: deleting a file another JVM has locked would let a
 * third JVM lock a new file of the same name. In a machine-wide directory (as /tmp/localport), a
 * reservation that had to create its lock file has the range's other missing ones created in the
 * background ({@link #createMissingLockFilesAhead}), so that a new machine pays for new lock
 * files once rather than on each port's first reservation.
 */
final class LockDirectory {

    private static final ConcurrentMap<Path, LockDirectory> DIRECTORIES = new ConcurrentHashMap<>();

    private static final Set<OpenOption> CREATE_NEW = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS);
    /** Read and write: opening a FIFO that way does not wait for the other end. */
    private static final Set<OpenOption> OPEN_EXISTING = Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS);

    /** Like /tmp: everyone may create files, only a file's owner may delete or rename it. */
    private static final int SHARED_STICKY_MODE = 01777;
    private static final int STICKY = 01000;
    private static final int WRITABLE_BY_OTHERS = 0002;

    private final Path path;
    /**
     * Ports of this directory this copy of localport holds or is about to lock, and who asked:
     * the claim that comes before the lock file, so that threads of this JVM never share a port.
     */
    private final Map<Integer, PortRequest> claims = new ConcurrentHashMap<>();
    private volatile long rangeEnd;
    /** The directory's real path, as every copy of localport and every JVM names it. */
    private volatile String realPath;
    private volatile boolean prepared;
    /** Whether every user shares the directory, in a directory every user shares (as /tmp/localport in /tmp). */
    private volatile boolean machineWide;
    /** Whether a reservation created a lock file since {@link #createMissingLockFilesAhead} last asked. */
    private volatile boolean createdLockFile;
    /** The ranges (first and last port) whose missing lock files this copy has set out to create. */
    private final Set<List<Integer>> rangesCreatedAhead = ConcurrentHashMap.newKeySet();
    /** Channels this copy could not lock because another copy in this JVM held the file; never closed while it may. */
    private final Map<List<Object>, FileChannel> keptOpen = new ConcurrentHashMap<>();
    /** The lock files of ports this copy has asked about: each file's path, monitor and the file last locked there. */
    private final Map<Integer, PortFile> portFiles = new ConcurrentHashMap<>();

    private LockDirectory(Path path) {
        this.path = path;
    }

    /** The directory at this path, prepared (created and checked) if it was not, or is missing again. */
    static LockDirectory at(Path path) {
        LockDirectory directory = DIRECTORIES.computeIfAbsent(path.toAbsolutePath().normalize(), LockDirectory::new);
        if (!directory.prepared) {
            directory.prepare();
        }
        return directory;
    }

    Path path() {
        return path;
    }

    /** The directory's real path, as every copy of localport and every JVM names it. */
    String realPath() {
        return realPath;
    }

    Map<Integer, PortRequest> claims() {
        return claims;
    }

    Path file(int port) {
        return portFile(port).path;
    }

    private PortFile portFile(int port) {
        PortFile known = portFiles.get(port);
        return known != null ? known
                : portFiles.computeIfAbsent(port, p -> new PortFile(lockFile(path, p), monitor(realPath, p)));
    }

    /**
     * The monitor that every copy of localport in the JVM takes to open, lock or close the port's
     * lock file, whichever class loader loaded it and however it spells the directory: an interned
     * string of the real path, and interned strings are one object per JVM.
     */
    static Object monitor(String realPath, int port) {
        return ("io.github.localport lock file " + realPath + "/" + port + ".lock").intern();
    }

    static Path lockFile(Path directory, int port) {
        return directory.resolve(port + ".lock");
    }

    /**
     * One port's lock file, as this copy of localport knows it: worked out once, as every
     * reservation of the port needs them.
     */
    private static final class PortFile {
        final Path path;
        /** See {@link LockDirectory#monitor}. */
        final Object monitor;
        /**
         * The regular file this copy of localport last locked at the path
         * ({@link BasicFileAttributes#fileKey}), or {@code null}: while it is still there, a
         * reservation opens it without looking first, and checks after locking that the path still
         * names it, as any reservation does.
         */
        volatile Object lastLocked;

        PortFile(Path path, Object monitor) {
            this.path = path;
            this.monitor = monitor;
        }
    }

    /**
     * Which bytes of its file a port's lock covers: from the port to the port above a number drawn
     * from the directory's real path. Two locks of one file always overlap at the port, so they
     * exclude each other even where two JVMs spell the directory's path differently; and
     * {@code /proc/locks} tells which port of which directory a lock holds even after its file
     * was deleted.
     */
    ProcLocks.Range range(int port) {
        return new ProcLocks.Range(port, rangeEnd | port);
    }

    /**
     * Locks the port's file, or returns {@code null} if someone else holds it: another process,
     * another copy of localport in this JVM, another user (a private file), or whoever planted
     * something that is not a regular file.
     *
     * @throws ClosedByInterruptException if the thread was interrupted; nothing is held
     * @throws IOException if the lock file could not be opened or locked for another reason,
     *         such as too many open files or a file system without locks; nothing is held
     */
    PortLock tryLock(int port) throws IOException {
        PortFile file = portFile(port);
        synchronized (file.monitor) {
            Object known = file.lastLocked;
            if (known != null) {
                PortLock lock = lockKnown(port, file, known);
                if (lock != WRONG_FILE) {
                    return lock;
                }
                file.lastLocked = null; // deleted or replaced: look first, as for a file not seen before
            }
            BasicFileAttributes before = attributes(file.path);
            if (before == null) {
                createLockFile(file.path);
                before = attributes(file.path);
            }
            if (before == null || !before.isRegularFile()) {
                return null;
            }
            FileChannel channel = channel(file.path, before.fileKey());
            if (channel == null) {
                return null;
            }
            PortLock lock = lock(port, file, channel, before.fileKey());
            return lock == WRONG_FILE ? null : lock;
        }
    }

    /**
     * Opens and locks the file this copy locked before at the port's path without looking first;
     * {@link #WRONG_FILE} if it is not there any more, or whatever is there now cannot be opened
     * or locked (a FIFO cannot be locked on macOS, for one): the caller then looks first.
     */
    private PortLock lockKnown(int port, PortFile file, Object known) throws IOException {
        try {
            FileChannel channel = channel(file.path, known);
            return channel == null ? WRONG_FILE : lock(port, file, channel, known);
        }
        catch (ClosedByInterruptException e) {
            throw e;
        }
        catch (IOException e) {
            return WRONG_FILE; // lock() closed the channel
        }
    }

    /**
     * What {@link #lock} reads of the path once the file is locked, in one look: whether it names
     * the locked file and, where {@link #staleHolderExists} can tell, when its status last changed
     * and its inode.
     */
    private static final String AFTER_LOCK = ProcLocks.AVAILABLE ? "unix:isRegularFile,fileKey,ctime,ino"
            : "isRegularFile,fileKey";

    /** What {@link #lock} returns for a file that the path no longer named once it was locked. */
    private static final PortLock WRONG_FILE = new PortLock(null, 0, null, null, null);

    /**
     * The channel this copy kept open on the file because another copy of localport in the JVM
     * held it, or a new one; {@code null} if there is no regular file to open.
     */
    private FileChannel channel(Path file, Object fileKey) throws IOException {
        FileChannel kept = keptOpen.isEmpty() ? null : keptOpen.remove(Arrays.asList(file, fileKey));
        return kept != null ? kept : openExisting(file);
    }

    /**
     * Locks the port's range of the open file: the lock, if the path still names the file with
     * this key and no holder of the port's lock on another file is alive; {@code null} if
     * someone holds it; {@link #WRONG_FILE} if the file locked is not the one expected.
     */
    private PortLock lock(int port, PortFile file, FileChannel channel, Object fileKey) throws IOException {
        FileLock lock;
        try {
            ProcLocks.Range range = range(port);
            lock = channel.tryLock(range.start(), range.end() - range.start() + 1, false);
        }
        catch (OverlappingFileLockException heldByAnotherCopy) {
            keptOpen.put(Arrays.asList(file.path, fileKey), channel);
            return null;
        }
        catch (IOException e) {
            closeQuietly(channel);
            throw e;
        }
        if (lock == null) {
            closeQuietly(channel);
            return null;
        }
        PortLock taken = new PortLock(this, port, channel, lock, fileKey);
        try {
            Map<String, Object> after = attributesOrNull(file.path, AFTER_LOCK);
            if (after == null || !Boolean.TRUE.equals(after.get("isRegularFile"))
                    || !Objects.equals(after.get("fileKey"), fileKey)) {
                release(taken);
                return WRONG_FILE;
            }
            if (staleHolderExists(port, after)) {
                release(taken);
                return null;
            }
            file.lastLocked = fileKey;
            return taken;
        }
        catch (IOException | RuntimeException | Error e) {
            release(taken);
            throw e;
        }
    }

    void release(PortLock lock) {
        synchronized (portFile(lock.port()).monitor) {
            try {
                lock.lock().release();
            }
            catch (IOException e) {
                // Closing the channel below drops the lock as well.
            }
            closeQuietly(lock.channel());
        }
    }

    /**
     * Whether a lock of this port's range is held on some other file, one deleted or replaced
     * while its holder lived; where there is no {@code /proc/locks}, nothing can be told.
     *
     * <p>One look at {@code /proc/locks} answers for every lock file that was at its path before
     * it: a holder that came after locked that same file, and so excludes us by its lock. So the
     * last look is kept (the first is taken in the background when the registry is first used,
     * see {@link ProcLocks#lookAhead}), and taken again for a file whose status changed since, or
     * to confirm that a holder it showed is still there. A file's status change time (ctime) is
     * set when it is created, renamed or linked to its path, and setting its times does not set
     * it back. Moving a whole directory does not change its files' ctimes, so a lock directory
     * replaced by a directory of older lock files while a port is held is not noticed (the
     * README says so): the directory's own ctime would tell, but it also changes whenever a lock
     * file is created in it, and a look at /proc/locks on every reservation after each of those
     * costs a machine with a new lock directory milliseconds per reservation.
     *
     * @param ours the file's {@code ctime} and {@code ino}, read after the lock
     * @throws IOException if {@code /proc/locks} could not be read
     */
    private boolean staleHolderExists(int port, Map<String, Object> ours) throws IOException {
        if (!ProcLocks.AVAILABLE) {
            return false;
        }
        ProcLocks.Snapshot seen = ProcLocks.latest();
        if (!seen.isAfter((FileTime) ours.get("ctime"))) {
            seen = ProcLocks.fresh();
        }
        if (!seen.holdsOtherThan(range(port), null)) {
            return false;
        }
        String inode = String.valueOf(ours.get("ino"));
        if (!seen.holdsOtherThan(range(port), inode)) {
            return false; // only locks of this file: ours, or of a holder before us
        }
        return ProcLocks.fresh().holdsOtherThan(range(port), inode);
    }

    /** Creates a missing lock file readable and writable by every user; prepares the directory again if it was deleted. */
    private void createLockFile(Path file) throws IOException {
        for (int attempt = 0;; attempt++) {
            try {
                if (create(file)) {
                    createdLockFile = true;
                }
                return;
            }
            catch (NoSuchFileException directoryDeleted) {
                if (attempt > 0) {
                    throw directoryDeleted;
                }
                prepared = false;
                prepare();
            }
        }
    }

    /**
     * Creates the lock file, readable and writable by every user; {@code false} if it was there
     * already. Call it holding the file's {@link #monitor}: closing the new file, or the
     * descriptor that sets its mode, drops any lock this process holds on it.
     */
    static boolean create(Path file) throws IOException {
        try {
            FileChannel.open(file, CREATE_NEW).close();
        }
        catch (FileAlreadyExistsException createdMeanwhile) {
            return false;
        }
        shareWithAllUsers(file);
        return true;
    }

    /**
     * After a reservation had to create its lock file, creates the range's other missing lock
     * files in the background, then takes a look at {@code /proc/locks} late enough to answer for
     * all of them ({@link ProcLocks.Snapshot#isAfter}). Without it, on a machine that never ran
     * localport (a new CI runner), each reservation of a port not used before on the machine
     * takes a look of its own before it hands the port out, and after a quiet spell a look waits
     * milliseconds for the kernel. Only where looks are taken (Linux), in a machine-wide lock
     * directory (shared and sticky, in a directory that is too, as {@code /tmp/localport}), for
     * ranges of 2 to {@value #MAX_CREATED_AHEAD} ports, once per range while the directory lasts:
     * a private directory, such as a test's temporary one, is not filled behind its owner's back.
     * The thread itself works only in a directory of root's or this user's ({@link LockFilesAhead}).
     */
    void createMissingLockFilesAhead(PortRange range) {
        if (createdLockFile) {
            createdLockFile = false;
            if (machineWide && ProcLocks.AVAILABLE && range.size() > 1 && range.size() <= MAX_CREATED_AHEAD
                    && rangesCreatedAhead.add(List.of(range.first(), range.last()))) {
                LockFilesAhead.start(this, range);
            }
        }
    }

    static final int MAX_CREATED_AHEAD = 16_384;

    /** Opens an existing lock file, or returns {@code null} if it is another user's or a planted link. */
    private static FileChannel openExisting(Path file) throws IOException {
        try {
            return FileChannel.open(file, OPEN_EXISTING);
        }
        catch (AccessDeniedException | NoSuchFileException e) {
            return null; // another user's lock file that was not shared, or one deleted since we looked: theirs
        }
        catch (ClosedByInterruptException e) {
            throw e;
        }
        catch (IOException e) {
            BasicFileAttributes now = attributes(file);
            if (now == null || !now.isRegularFile()) {
                return null; // swapped for a link, a socket or a device: never followed, and held by someone
            }
            throw e;
        }
    }

    /** The file's own attributes, a link not followed; {@code null} if there is none or they cannot be read. */
    private static BasicFileAttributes attributesOrNull(Path file) {
        try {
            return attributes(file);
        }
        catch (IOException e) {
            return null;
        }
    }

    /** These attributes of the file itself, a link not followed; {@code null} if there is none. */
    private static Map<String, Object> attributesOrNull(Path file, String attributes) throws IOException {
        try {
            return Files.readAttributes(file, attributes, LinkOption.NOFOLLOW_LINKS);
        }
        catch (NoSuchFileException e) {
            return null;
        }
    }

    /** The file's own attributes, a link not followed; {@code null} if there is none. */
    private static BasicFileAttributes attributes(Path file) throws IOException {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        }
        catch (NoSuchFileException e) {
            return null;
        }
    }

    /**
     * Lets other users' builds lock the file too; the directory's sticky bit keeps it from being
     * deleted. The owner of the directory could still swap the new file for something else before
     * its mode is set: the mode is set without following a link (one there is left as it is,
     * never the file it points to), and only on a regular file, so that a FIFO swapped in before
     * the look cannot hold the open that sets the mode.
     */
    static void shareWithAllUsers(Path file) {
        try {
            PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS);
            BasicFileAttributes now = attributesOrNull(file);
            if (view != null && now != null && now.isRegularFile()) {
                view.setPermissions(PosixFilePermissions.fromString("rw-rw-rw-"));
            }
        }
        catch (IOException | UnsupportedOperationException e) {
            // Then only this user can lock it, and other users treat the port as held.
        }
    }

    /**
     * Creates the directory if it is missing and checks it. A directory deleted while it is
     * being checked (a cleaner, another JVM's {@code rm -rf}) is prepared again, a few times.
     */
    private synchronized void prepare() {
        for (int attempt = 1; !prepared; attempt++) {
            try {
                machineWide = check();
                rangesCreatedAhead.clear(); // prepared again after a deletion: missing files again
                realPath = realPath(path);
                rangeEnd = (long) (realPath.hashCode() & 0x7fffffff) << 16;
                prepared = true;
            }
            catch (ConfigurationException e) {
                if (attempt == 3 || Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                    throw e;
                }
            }
        }
    }

    /** Checks the directory, creating it if it is missing; whether it is machine-wide ({@link #createMissingLockFilesAhead}). */
    private boolean check() {
        if (Files.isSymbolicLink(path)) {
            throw unusable(path, "it is a symbolic link, and localport does not follow links in its lock directory");
        }
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            createDirectory(path);
        }
        if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            throw unusable(path, "it is not a directory");
        }
        checkMode(path);
        if (!Files.isWritable(path)) {
            throw unusable(path, "this user may not create files in it");
        }
        return isSharedAndSticky(path) && isSharedAndSticky(path.toAbsolutePath().getParent());
    }

    /** The directory's path with links in its parents resolved, so that every JVM names it alike. */
    private static String realPath(Path path) {
        try {
            return path.toRealPath().toString();
        }
        catch (IOException e) {
            return path.toString();
        }
    }

    /** A directory that every user may write to is only safe with the sticky bit, as /tmp has. */
    private static void checkMode(Path path) {
        int mode = mode(path);
        if ((mode & WRITABLE_BY_OTHERS) != 0 && (mode & STICKY) == 0) {
            throw new ConfigurationException(String.format("localport cannot use the lock directory %s: every user"
                    + " may write to it (mode %04o) but it lacks the sticky bit, so anyone could delete or plant other"
                    + " builds' lock files. Fix it with 'chmod +t %s'; on a shared machine, let systemd-tmpfiles own it"
                    + " with the lines 'd %s 1777 root root -' and 'x %s' in /etc/tmpfiles.d/localport.conf (which"
                    + " also keep tmp cleaners away). Or set configuration parameter '%s' to another directory"
                    + " that every build on this machine can write to.",
                    path, mode & 07777, path, path, path, Settings.LOCK_DIRECTORY));
        }
    }

    /** Whether every user may create files in the directory and only their owners may delete them, as in /tmp. */
    private static boolean isSharedAndSticky(Path directory) {
        return directory != null && (mode(directory) & (WRITABLE_BY_OTHERS | STICKY)) == (WRITABLE_BY_OTHERS | STICKY);
    }

    /** The file's mode bits, a link not followed; 0 where there are none. */
    private static int mode(Path path) {
        try {
            return ((Number) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS)).intValue();
        }
        catch (IOException | RuntimeException e) {
            return 0; // no POSIX modes here
        }
    }

    private static void createDirectory(Path path) {
        try {
            Files.createDirectories(path);
        }
        catch (FileAlreadyExistsException e) {
            if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                throw unusable(path, "it could not be created (" + e.getFile() + " is not a directory)");
            }
            return; // another JVM was first, or it is a file: prepare() tells which
        }
        catch (IOException e) {
            throw unusable(path, "it could not be created (" + reason(e) + ")");
        }
        try {
            Files.setAttribute(path, "unix:mode", SHARED_STICKY_MODE, LinkOption.NOFOLLOW_LINKS);
        }
        catch (IOException | RuntimeException e) {
            // No POSIX modes here: the directory stays private to this user, which is safe.
        }
    }

    static ConfigurationException unusable(Path path, String why) {
        return new ConfigurationException(String.format(
                "localport cannot use the lock directory %s: %s. Fix it, or set configuration parameter '%s'"
                        + " to a directory that every build on this machine can write to.",
                path, why, Settings.LOCK_DIRECTORY));
    }

    private static String reason(IOException e) {
        return e instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason() : e.toString();
    }

    static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        }
        catch (IOException e) {
            // The lock, if any, is gone with the channel.
        }
    }

    /** Whether the file at the path is the one with this key. */
    static boolean names(Path file, Object fileKey) {
        return isFile(attributesOrNull(file), fileKey);
    }

    /** Whether the attributes are those of the regular file with this key. */
    private static boolean isFile(BasicFileAttributes attributes, Object fileKey) {
        return attributes != null && attributes.isRegularFile() && Objects.equals(attributes.fileKey(), fileKey);
    }
}
