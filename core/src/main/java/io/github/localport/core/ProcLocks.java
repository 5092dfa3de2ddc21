package io.github.localport.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Linux's table of every file lock on the machine, {@code /proc/locks}: which process holds a
 * lock at which position of which file, whether or not that file still has a name.
 */
final class ProcLocks {

    private static final Path LOCKS = Path.of("/proc/locks");
    static final boolean AVAILABLE = Files.isReadable(LOCKS);

    /** A held lock: the holder's pid ({@code 0} where the OS hides it), the file's inode and where the lock starts. */
    record Lock(long pid, String inode, long start) {
    }

    private ProcLocks() {
    }

    /** The granted POSIX locks that start at this position; empty where there is no {@code /proc/locks}. */
    static List<Lock> at(long position) {
        return all().stream().filter(lock -> lock.start() == position).toList();
    }

    /** Every granted POSIX lock on the machine; empty where there is no {@code /proc/locks}. */
    static List<Lock> all() {
        List<Lock> locks = new ArrayList<>();
        try {
            for (String line : ProcFile.read(LOCKS).split("\n")) {
                // "1: POSIX  ADVISORY  WRITE 4242 fe:00:2155603 62000 62000"; waiters read "1: -> POSIX ..."
                String[] fields = line.strip().split("\\s+");
                if (fields.length >= 8 && fields[1].equals("POSIX")) {
                    String device = fields[5];
                    locks.add(new Lock(Long.parseLong(fields[4]), device.substring(device.lastIndexOf(':') + 1),
                            Long.parseLong(fields[6])));
                }
            }
        }
        catch (IOException | RuntimeException e) {
            // Not Linux, or not readable: nothing to tell.
        }
        return locks;
    }
}
