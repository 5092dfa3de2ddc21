package io.github.localport.core;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The ports held through one lock directory and who holds them, for tools that show them (the
 * command line's {@code list} and {@code who}). On Linux every lock of the directory is in
 * {@code /proc/locks}, over a range that names the port and the directory ({@link LockDirectory#range}), with
 * its holder's pid, even when its lock file was deleted; elsewhere each lock file is tried, and
 * holders are not visible.
 */
public final class HeldPorts {

    private static final int PORT_BITS = 0xFFFF;

    /**
     * A port held through localport.
     *
     * @param port the port
     * @param pid the holder's process id, or {@code 0} where the OS does not show it
     * @param holder the holder for people: {@code pid 4242 (java -jar app.jar)}, or why it is not visible
     */
    public record Held(int port, long pid, String holder) {
    }

    private HeldPorts() {
    }

    /**
     * Every port held through the lock directory.
     *
     * @param lockDirectory the lock directory, as {@link Settings#lockDirectory()} gives it
     * @return the held ports, by port; none if the directory does not exist
     */
    public static List<Held> in(Path lockDirectory) {
        if (!Files.isDirectory(lockDirectory, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        LockDirectory directory = LockDirectory.at(lockDirectory);
        List<Held> held = ProcLocks.AVAILABLE ? fromProcLocks(directory) : byTryingLockFiles(directory);
        held.sort(Comparator.comparingInt(Held::port).thenComparingLong(Held::pid));
        return held;
    }

    /**
     * Who holds the port through the lock directory.
     *
     * @param port the port
     * @param lockDirectory the lock directory
     * @return its holder, or empty if nobody holds it through localport
     */
    public static Optional<Held> of(int port, Path lockDirectory) {
        return in(lockDirectory).stream().filter(held -> held.port() == port).findFirst();
    }

    /**
     * Who has the port bound, localport or not (TCP sockets in TIME_WAIT aside).
     *
     * @param port the port
     * @param protocol which sockets to look at
     * @return the holders for people, or empty where nothing has it bound or the OS does not tell
     */
    public static Optional<String> bound(int port, Transport protocol) {
        return PortHolders.ofSocket(port, protocol);
    }

    private static List<Held> fromProcLocks(LockDirectory directory) {
        long directoryMark = directory.range(0).end();
        PortHolders holders = new PortHolders(Path.of("/proc"), ProcessHandle.current().pid());
        List<Held> held = new ArrayList<>();
        for (ProcLocks.Lock lock : ProcLocks.all()) {
            ProcLocks.Range range = lock.range();
            if ((range.end() & ~PORT_BITS) == directoryMark && range.start() == (range.end() & PORT_BITS)) {
                held.add(new Held((int) range.start(), lock.pid(),
                        lock.pid() > 0 ? holders.describeProcess(lock.pid()) : "holder not visible to this user"));
            }
        }
        return held;
    }

    private static List<Held> byTryingLockFiles(LockDirectory directory) {
        List<Held> held = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory.path(), "*.lock")) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                int port = parsePort(name.substring(0, name.length() - ".lock".length()));
                if (port > 0 && PortRegistry.isHeld(port, directory)) {
                    held.add(new Held(port, 0, "holder not visible on this operating system"));
                }
            }
        }
        catch (IOException e) {
            // An unreadable directory: nothing to tell.
        }
        return held;
    }

    private static int parsePort(String digits) {
        try {
            int port = Integer.parseInt(digits);
            return port >= 1 && port <= PORT_BITS ? port : -1;
        }
        catch (NumberFormatException e) {
            return -1;
        }
    }
}
