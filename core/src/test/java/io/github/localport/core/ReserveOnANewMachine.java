package io.github.localport.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;

/**
 * A child JVM's main, on a machine where localport never ran (its lock directory does not exist
 * yet): reserves and releases one port, then, with {@code await}, polls until every lock file of
 * the range exists and the JVM's last look at /proc/locks answers for all of them; then reserves
 * and releases 20 more. Prints how many lock files there are, whether those 20 took a look of
 * their own, and whether a thread still creates lock files; then {@code DONE}.
 */
public final class ReserveOnANewMachine {

    private static final Duration FILLED_WITHIN = Duration.ofSeconds(30);

    private ReserveOnANewMachine() {
    }

    public static void main(String[] args) throws IOException {
        Settings settings = Settings.fromSystemProperties();
        Path locks = settings.lockDirectory();
        Ports.reserve().close();
        if (args.length > 0 && args[0].equals("await")) {
            boolean filled = Poll.until(() -> lockFiles(locks) == settings.range().size() && lastLookAnswersFor(locks),
                    FILLED_WITHIN);
            System.out.println("FILLED " + filled);
        }
        ProcLocks.Snapshot before = ProcLocks.latest();
        for (int i = 0; i < 20; i++) {
            Ports.reserve().close();
        }
        System.out.println("LOCK FILES " + lockFiles(locks));
        System.out.println("LOOKED AGAIN " + (ProcLocks.latest() != before));
        System.out.println("CREATING " + Thread.getAllStackTraces().keySet().stream()
                .anyMatch(thread -> thread.getName().startsWith("localport: lock files")));
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
