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

    /** The bytes a lock covers, first and last. */
    record Range(long start, long end) {
    }

    /** A held lock: the holder's pid ({@code 0} where the OS hides it) and the file's inode. */
    record Lock(long pid, String inode) {
    }

    private ProcLocks() {
    }

    /** The granted POSIX locks of exactly this range; empty where there is no {@code /proc/locks}. */
    static List<Lock> of(Range range) {
        List<Lock> locks = new ArrayList<>();
        String start = Long.toString(range.start());
        String end = Long.toString(range.end());
        try {
            for (String line : ProcFile.read(LOCKS).split("\n")) {
                // "1: POSIX  ADVISORY  WRITE 4242 fe:00:2155603 62000 1234562000"; waiters read "1: -> POSIX ..."
                String[] fields = line.strip().split("\\s+");
                if (fields.length >= 8 && fields[1].equals("POSIX") && fields[6].equals(start) && fields[7].equals(end)) {
                    String device = fields[5];
                    locks.add(new Lock(Long.parseLong(fields[4]), device.substring(device.lastIndexOf(':') + 1)));
                }
            }
        }
        catch (IOException | RuntimeException e) {
            // Not Linux, or not readable: nothing to tell.
        }
        return locks;
    }
}
