package io.github.localport.benchmarks;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The JDK calls that localport's guarantee needs for one port, and nothing else: what a
 * reservation would cost if localport's own work were free (no settings, caller, look at
 * {@code /proc/locks}, messages or bookkeeping). Hand-out: claim the port in this JVM (closing
 * any channel of a file drops every lock the process holds on it, so two threads must never
 * open one lock file at once), open the port's existing lock file without following links, lock
 * it, look at its path, bind a probe socket to the port and close it. Give back: bind a probe
 * with SO_REUSEADDR and close it, look at the path, unlock and close the file, drop the claim. The floor beside localport in {@link FirstReservationBenchmark} and
 * {@link ClashBenchmark} ({@code --strategies floor}); {@link CostBreakdownBenchmark} times the
 * same calls one by one.
 */
final class JdkCalls {

    private static final Set<Integer> CLAIMED = ConcurrentHashMap.newKeySet();

    private JdkCalls() {
    }

    /** A port handed out: its locked file, until {@link #close()} gives it back. */
    record Held(int port, Path file, FileChannel channel, FileLock lock) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try {
                bind(port, true);
                Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                lock.release();
            }
            finally {
                try {
                    channel.close();
                }
                finally {
                    CLAIMED.remove(port);
                }
            }
        }
    }

    /** The first port of the range, from a random one, whose lock file no one holds and that nothing has bound. */
    static Held handOut(Path lockDirectory, int first, int last) throws IOException {
        int size = last - first + 1;
        int start = ThreadLocalRandom.current().nextInt(size);
        for (int i = 0; i < size; i++) {
            Held held = handOut(lockDirectory, first + (start + i) % size);
            if (held != null) {
                return held;
            }
        }
        throw new IllegalStateException("no free port in " + first + "-" + last);
    }

    /** The port, or {@code null} if another holder has its lock file or something has it bound. */
    static Held handOut(Path lockDirectory, int port) throws IOException {
        if (!CLAIMED.add(port)) {
            return null;
        }
        Path file = lockDirectory.resolve(port + ".lock");
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
            FileLock lock = channel.tryLock(port, 1, false);
            if (lock != null) {
                Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (bind(port, false)) {
                    return new Held(port, file, channel, lock);
                }
            }
        }
        catch (IOException | RuntimeException e) {
            release(channel, port);
            throw e;
        }
        release(channel, port);
        return null;
    }

    private static void release(FileChannel channel, int port) throws IOException {
        try {
            if (channel != null) {
                channel.close();
            }
        }
        finally {
            CLAIMED.remove(port);
        }
    }

    /** Whether a socket could be bound to the port (on every address), closed at once. */
    private static boolean bind(int port, boolean reuseAddress) {
        try (SocketChannel probe = SocketChannel.open()) {
            if (reuseAddress) {
                probe.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            }
            probe.bind(new InetSocketAddress(port));
            return true;
        }
        catch (IOException e) {
            return false;
        }
    }
}
