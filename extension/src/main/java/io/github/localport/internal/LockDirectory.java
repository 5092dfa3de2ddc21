package io.github.localport.internal;

import static io.github.localport.LocalPort.LOCK_DIRECTORY_PROPERTY_NAME;

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
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * The directory of lock files shared by every JVM on the machine: one empty file per port,
 * {@code PORT.lock}, held with an OS file lock while the port is reserved. The OS drops the
 * lock when the JVM dies, however it dies.
 *
 * <p>Lock files are never deleted: deleting a file another JVM has open and locked would let a
 * third JVM lock a new file of the same name and hand the port out twice. They are opened
 * without following symbolic links and never written to.
 */
final class LockDirectory {

    private static final ConcurrentMap<Path, LockDirectory> PREPARED = new ConcurrentHashMap<>();

    /**
     * Channels to files this JVM had already locked through another class loader's copy of
     * localport. Closing them would drop that lock too (a POSIX lock belongs to the process,
     * not to the channel), so they stay open.
     */
    private static final List<FileChannel> KEPT_OPEN = new CopyOnWriteArrayList<>();

    private static final Set<OpenOption> CREATE_NEW = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS);
    private static final Set<OpenOption> OPEN_EXISTING = Set.of(StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);

    /** Like /tmp: everyone may create files, only a file's owner may delete or rename it. */
    private static final int SHARED_STICKY_MODE = 01777;

    private final Path path;

    private LockDirectory(Path path) {
        this.path = path;
    }

    /** The prepared directory at this path; created on first use. */
    static LockDirectory at(Path path) {
        return PREPARED.computeIfAbsent(path.toAbsolutePath().normalize(), LockDirectory::prepare);
    }

    Path path() {
        return path;
    }

    /**
     * Locks the port's file, or returns {@code null} if another process holds it or it is a
     * file this user may not lock (another user's, or a planted link).
     *
     * @throws ClosedByInterruptException if the thread was interrupted; nothing is held
     * @throws IOException if the lock file could not be opened or locked for another reason,
     *         such as too many open files or a file system without locks; nothing is held
     */
    PortLock tryLock(int port) throws IOException {
        FileChannel channel = open(path.resolve(port + ".lock"));
        if (channel == null) {
            return null;
        }
        try {
            FileLock lock = channel.tryLock();
            if (lock != null) {
                return new PortLock(channel, lock);
            }
        }
        catch (OverlappingFileLockException e) {
            KEPT_OPEN.add(channel);
            return null;
        }
        catch (IOException e) {
            closeQuietly(channel);
            throw e;
        }
        closeQuietly(channel);
        return null;
    }

    /**
     * Opens the port's lock file, creating it if it is missing. Lock files are created once and
     * then found on every later use, so opening comes first and creating second.
     */
    private static FileChannel open(Path file) throws IOException {
        try {
            return openExisting(file);
        }
        catch (NoSuchFileException missing) {
            try {
                FileChannel channel = FileChannel.open(file, CREATE_NEW);
                shareWithAllUsers(file);
                return channel;
            }
            catch (FileAlreadyExistsException createdMeanwhile) {
                return openExisting(file);
            }
        }
    }

    /** Opens an existing lock file, or returns {@code null} if it is another user's or a planted link. */
    private static FileChannel openExisting(Path file) throws IOException {
        try {
            return FileChannel.open(file, OPEN_EXISTING);
        }
        catch (AccessDeniedException e) {
            return null; // another user's lock file that was not shared: theirs
        }
        catch (IOException e) {
            if (Files.isSymbolicLink(file)) {
                return null; // planted: never followed, and the port counts as held
            }
            throw e;
        }
    }

    /** Lets other users' builds lock the file too; the directory's sticky bit keeps it from being deleted. */
    private static void shareWithAllUsers(Path file) {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        try {
            if (view != null) {
                view.setPermissions(PosixFilePermissions.fromString("rw-rw-rw-"));
            }
        }
        catch (IOException | UnsupportedOperationException e) {
            // Then only this user can lock it, and other users treat the port as held.
        }
    }

    private static LockDirectory prepare(Path path) {
        if (Files.isSymbolicLink(path)) {
            throw unusable(path, "it is a symbolic link, and localport does not follow links in its lock directory");
        }
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            create(path);
        }
        if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            throw unusable(path, "it is not a directory");
        }
        if (!Files.isWritable(path)) {
            throw unusable(path, "this user may not create files in it");
        }
        return new LockDirectory(path);
    }

    private static void create(Path path) {
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

    static ExtensionConfigurationException unusable(Path path, String why) {
        return new ExtensionConfigurationException(String.format(
                "localport cannot use the lock directory %s: %s. Fix it, or set configuration parameter '%s'"
                        + " to a directory that every build on this machine can write to.",
                path, why, LOCK_DIRECTORY_PROPERTY_NAME));
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
}
