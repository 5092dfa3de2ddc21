package io.github.localport.benchmarks;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Constructor;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.SocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Collection;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.github.localport.ReservedPort;
import io.github.localport.core.Reservation;
import io.github.localport.core.Transport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;

/**
 * Where localport's allocate+release time goes: each step of {@code ReservedPort.reserve()} and
 * {@code close()} on Linux, measured alone, beside the whole and a bare {@code ServerSocket(0)}.
 * The steps reach into the core's package by reflection (it is not API): if the library's
 * internals change, these fail at setup and need the new names; the whole and the JDK-only steps
 * still run.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.localport.benchmarks.CostBreakdownBenchmark [JMH options]
 * </pre>
 * About 2 minutes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CostBreakdownBenchmark {

    private static final String INTERNAL = "io.github.localport.core.";

    private Path lockFile;
    private FileChannel keptChannel;
    private int port;
    private Object lockDirectory;
    private Object settings;
    private Object request;
    private MethodHandle settingsFromSystemProperties;
    private MethodHandle tryLock;
    private MethodHandle releaseLock;
    private MethodHandle isFree;
    private MethodHandle isReleased;
    private MethodHandle reserve;
    private Constructor<?> call;

    @Setup
    public void setUp() throws Throwable {
        Path directory = BenchmarkLockDirectory.useForThisJvm();
        try (ReservedPort reserved = ReservedPort.reserve()) {
            port = reserved.number(); // free now; this fork is the only user of the directory
        }
        lockFile = directory.resolve(port + ".lock");
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        Class<?> settingsClass = Class.forName(INTERNAL + "Settings");
        Class<?> lockDirectoryClass = Class.forName(INTERNAL + "LockDirectory");
        Class<?> portLockClass = Class.forName(INTERNAL + "PortLock");
        Class<?> probeClass = Class.forName(INTERNAL + "PortProbe");
        Class<?> requestClass = Class.forName(INTERNAL + "PortRequest");
        Class<?> registryClass = Class.forName(INTERNAL + "PortRegistry");
        settingsFromSystemProperties = lookup.unreflect(accessible(settingsClass.getDeclaredMethod("fromSystemProperties")));
        settings = settingsFromSystemProperties.invoke();
        lockDirectory = lookup.unreflect(accessible(lockDirectoryClass.getDeclaredMethod("at", Path.class)))
                .invoke(directory);
        tryLock = lookup.unreflect(accessible(lockDirectoryClass.getDeclaredMethod("tryLock", int.class)));
        releaseLock = lookup.unreflect(accessible(portLockClass.getDeclaredMethod("release")));
        isFree = lookup.unreflect(accessible(probeClass.getDeclaredMethod("isFree", int.class, Transport.class)));
        isReleased = lookup.unreflect(accessible(probeClass.getDeclaredMethod("isReleased", int.class, Transport.class)));
        Constructor<?> requestConstructor = requestClass.getDeclaredConstructor(String.class, Transport.class, Object.class);
        request = accessible(requestConstructor).newInstance("", Transport.TCP, "a benchmark");
        reserve = lookup.unreflect(accessible(registryClass.getDeclaredMethod("reserve", requestClass, String.class,
                settingsClass)));
        keptChannel = FileChannel.open(lockFile, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        call = accessible(Class.forName("io.github.localport.internal.HeldPort$Call").getDeclaredConstructor(
                String.class));
    }

    private static <T extends java.lang.reflect.AccessibleObject> T accessible(T member) {
        member.setAccessible(true);
        return member;
    }

    /** The whole: ReservedPort.reserve() and close(). */
    @Benchmark
    public int whole() {
        try (ReservedPort reserved = ReservedPort.reserve()) {
            return reserved.number();
        }
    }

    /** The whole, without finding the caller for messages and without reading the system properties. */
    @Benchmark
    public int wholeWithoutCallerAndSettings() throws Throwable {
        try (Reservation reserved = (Reservation) reserve.invoke(request, "a benchmark", settings)) {
            return reserved.number();
        }
    }

    @Benchmark
    public int serverSocket0() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** reserve(): the call, for messages; its stack is kept, and the caller's frame found only if a message needs it. */
    @Benchmark
    public Object stepCallerKept() throws ReflectiveOperationException {
        return call.newInstance("ReservedPort.reserve()");
    }

    /** reserve(): the localport.* system properties read, and parsed only if they changed. */
    @Benchmark
    public Object stepSettingsFromSystemProperties() throws Throwable {
        return settingsFromSystemProperties.invoke();
    }

    /**
     * reserve() and release: the port's lock file opened and locked, its path looked at once
     * more (it must still name the locked file), then unlocked and closed.
     */
    @Benchmark
    public Object stepLockFileLockAndRelease() throws Throwable {
        Object lock = tryLock.invoke(lockDirectory, port);
        if (lock != null) {
            releaseLock.invoke(lock);
        }
        return lock;
    }

    /** reserve(): the probe that nothing is bound to the port (one bind of [::], closed). */
    @Benchmark
    public boolean stepProbeIsFree() throws Throwable {
        return (boolean) isFree.invoke(port, Transport.TCP);
    }

    /** close(): the release check that nothing listens any more (one bind with SO_REUSEADDR, closed). */
    @Benchmark
    public boolean stepProbeIsReleased() throws Throwable {
        return (boolean) isReleased.invoke(port, Transport.TCP);
    }

    /** Inside the lock step: opening with CREATE_NEW a lock file that exists throws FileAlreadyExistsException. */
    @Benchmark
    public boolean jdkOpenCreateNewOfExistingFile() throws IOException {
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS)) {
            return true;
        }
        catch (FileAlreadyExistsException e) {
            return false;
        }
    }

    /**
     * Inside the lock step: the rest, open the existing file, lock, unlock, close. Also what the
     * lock step would cost if it opened the existing file first and created it only when missing.
     */
    @Benchmark
    public boolean jdkOpenLockUnlockClose() throws IOException {
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            FileLock lock = channel.tryLock();
            if (lock != null) {
                lock.release();
            }
            return lock != null;
        }
    }

    /** Inside a probe: a socket channel bound to the port and closed. */
    @Benchmark
    public boolean jdkSocketChannelBindClose() throws IOException {
        try (SocketChannel channel = SocketChannel.open()) {
            channel.bind(new InetSocketAddress(port));
            return true;
        }
    }

    /** Inside the lock step and the release: a look at the lock file's path, links not followed. */
    @Benchmark
    public Object jdkLookAtPath() throws IOException {
        return Files.readAttributes(lockFile, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    }

    // What a step could cost done another way.

    /** The lock file's channel kept open by the JVM between reservations: only lock and unlock. */
    @Benchmark
    public boolean ideaLockUnlockOnKeptChannel() throws IOException {
        FileLock lock = keptChannel.tryLock();
        if (lock != null) {
            lock.release();
        }
        return lock != null;
    }

    @TearDown
    public void closeKeptChannel() throws IOException {
        keptChannel.close();
    }

    public static void main(String[] args) throws Exception {
        Collection<RunResult> results = JmhMain.run(CostBreakdownBenchmark.class, args);
        RunResult whole = JmhMain.find(results, "whole");
        RunResult baseline = JmhMain.find(results, "serverSocket0");
        RunResult bind = JmhMain.find(results, "jdkSocketChannelBindClose");
        RunResult lock = JmhMain.find(results, "jdkOpenLockUnlockClose");
        RunResult look = JmhMain.find(results, "jdkLookAtPath");
        if (whole != null && baseline != null && bind != null && lock != null && look != null) {
            double floor = 2 * JmhMain.micros(bind) + JmhMain.micros(lock) + 2 * JmhMain.micros(look);
            double serverSocket0 = JmhMain.micros(baseline);
            System.out.printf(Locale.ROOT, "%nThe JDK calls the guarantee needs, alone: 2 binds (%.1f us each) + the lock"
                    + " file opened, locked, unlocked and closed (%.1f) + 2 looks at its path (%.1f each) = %.1f us ="
                    + " %.2fx new ServerSocket(0) (%.1f us).%nlocalport's whole: %.1f us = %.2fx; its own work beyond"
                    + " those calls: %.1f us.%n", JmhMain.micros(bind), JmhMain.micros(lock), JmhMain.micros(look),
                    floor, floor / serverSocket0, serverSocket0, JmhMain.micros(whole),
                    JmhMain.micros(whole) / serverSocket0, JmhMain.micros(whole) - floor);
        }
    }
}
