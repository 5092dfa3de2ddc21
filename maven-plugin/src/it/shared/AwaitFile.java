import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;

/**
 * {@code java AwaitFile.java FILE [SECONDS]}: waits until the file exists, at most SECONDS
 * (default 120), woken by the file system's events rather than by polling.
 */
public class AwaitFile {

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]).toAbsolutePath();
        long seconds = args.length > 1 ? Long.parseLong(args[1]) : 120;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Files.createDirectories(file.getParent());
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            file.getParent().register(watch, StandardWatchEventKinds.ENTRY_CREATE);
            while (!Files.exists(file)) { // looked at after registering, so no creation is missed
                long left = deadline - System.nanoTime();
                WatchKey key = left > 0 ? watch.poll(left, TimeUnit.NANOSECONDS) : null;
                if (key == null) {
                    if (Files.exists(file)) {
                        return;
                    }
                    throw new IllegalStateException(file + " did not appear within " + seconds + " s");
                }
                key.pollEvents();
                key.reset();
            }
        }
    }
}
