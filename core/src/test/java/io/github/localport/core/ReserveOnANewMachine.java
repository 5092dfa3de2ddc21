package io.github.localport.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.stream.IntStream;

/**
 * A child JVM's main, on a machine where localport never ran (its lock directory does not exist
 * yet): reserves and releases one port, then, with {@code await}, polls until every lock file of
 * the range exists and the JVM's last look at /proc/locks answers for all of them; then reserves
 * and releases 20 more, and waits for any thread that creates lock files to end. Prints whether
 * every port of the range has its lock file, how many lock files there are, and whether those
 * 20 took a look of their own; then {@code DONE}.
 */
public final class ReserveOnANewMachine {

    private static final Duration WITHIN = Duration.ofSeconds(30);

    private ReserveOnANewMachine() {
    }

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.fromSystemProperties();
        Path locks = settings.lockDirectory();
        PortRange range = settings.range();
        long ports = IntStream.rangeClosed(range.first(), range.last()).filter(range::contains).count();
        Ports.reserve().close();
        if (args.length > 0 && args[0].equals("await")) {
            boolean filled = Poll.until(() -> lockFiles(locks) == ports && lastLookAnswersFor(locks), WITHIN);
            System.out.println("FILLED " + filled);
        }
        ProcLocks.Snapshot before = ProcLocks.latest();
        for (int i = 0; i < 20; i++) {
            Ports.reserve().close();
        }
        boolean lookedAgain = ProcLocks.latest() != before;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith("localport: lock files")) {
                thread.join(WITHIN.toMillis());
            }
        }
        System.out.println("ALL LOCK FILES " + (lockFiles(locks) == ports));
        System.out.println("LOCK FILES " + lockFiles(locks));
        System.out.println("LOOKED AGAIN " + lookedAgain);
        System.out.println("DONE");
    }

    private static int lockFiles(Path locks) {
        int count = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(locks, "*.lock")) {
            for (Path ignored : files) {
                count++;
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return count;
    }

    /** Whether the last look was taken late enough to answer for the newest lock file. */
    private static boolean lastLookAnswersFor(Path locks) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(locks, "*.lock")) {
            ProcLocks.Snapshot last = ProcLocks.latest();
            for (Path file : files) {
                if (!last.isAfter((FileTime) Files.getAttribute(file, "unix:ctime", LinkOption.NOFOLLOW_LINKS))) {
                    return false;
                }
            }
            return true;
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
