package io.github.localport.core;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.BindException;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;


/**
 * A child JVM's main for {@link ParallelBuildTests}: a build's test JVM whose threads each run
 * a server on a reserved port while its clients make outgoing connections.
 *
 * <p>Arguments: {@code THREADS ALLOCATIONS FILE [COPIES]}. With COPIES 2, the JVM also loads a
 * second copy of localport (the whole class path again, in a class loader of its own, as
 * application servers and plugin hosts do) and half the threads reserve through it. Prints {@code STARTED} and waits for a line,
 * so that several children start at once. Then each of THREADS threads, ALLOCATIONS times:
 * reserves a port with {@link Ports#reserve()}, waits 0-1 ms (a service starting), binds
 * a server on 127.0.0.1 at the port, holds it 0-2 ms, closes it and releases the port. A
 * {@link BindException} is a clash: something else had the port. Meanwhile one thread opens and
 * closes connections to a server of this JVM, which take ports from the kernel's ephemeral range
 * as a test's clients do.
 *
 * <p>Each hold is written to FILE as {@code port start end}: {@link System#nanoTime()} after
 * {@code reserve()} returned and before {@code close()} was called, so the line covers less
 * than the real hold and two overlapping lines for one port are two holders at once. (On Linux
 * nanoTime reads CLOCK_MONOTONIC, one clock for every process of the machine.) Finally prints
 * {@code RESULT allocations clashes errors connections}, {@code FILES N} (how many lock files
 * the JVM still has open once every port is released) and {@code DONE}. Every loop is bounded
 * in count and by a deadline.
 */
public final class ReserveBindAndChurn {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(40);
    private static final int MAX_CONNECTIONS = 20_000;

    private ReserveBindAndChurn() {
    }

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        int allocations = Integer.parseInt(args[1]);
        Path file = Path.of(args[2]);
        int copies = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("STARTED");
        in.readLine();

        long deadline = System.nanoTime() + DEADLINE_NANOS;
        List<String> holds = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger allocated = new AtomicInteger();
        AtomicInteger clashes = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger connections = new AtomicInteger();

        try (ServerSocket churnServer = new ServerSocket(0, 200, LOOPBACK)) {
            Thread acceptor = start("acceptor", () -> serve(churnServer, done));
            Thread churn = start("churn", () -> churn(churnServer.getLocalPort(), done, deadline, connections, errors));
            Method secondCopy = copies > 1 ? secondCopy() : null;
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                boolean throughSecondCopy = secondCopy != null && t % 2 == 1;
                workers.add(start("worker-" + t, () -> {
                    if (throughSecondCopy) {
                        invoke(secondCopy, allocations, deadline, holds, allocated, clashes, errors);
                    }
                    else {
                        allocateAndBind(allocations, deadline, holds, allocated, clashes, errors);
                    }
                }));
            }
            for (Thread worker : workers) {
                worker.join(TimeUnit.NANOSECONDS.toMillis(DEADLINE_NANOS) + 5_000);
            }
            done.set(true);
            churn.join(5_000);
            churnServer.close();
            acceptor.join(5_000);
        }

        Files.write(file, holds);
        System.out.println("RESULT " + allocated + " " + clashes + " " + errors + " " + connections);
        System.out.println("FILES " + openLockFiles());
        System.out.println("DONE");
    }

    /** This class as loaded again, with the whole class path, by a class loader of its own. */
    private static Method secondCopy() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            urls.add(Path.of(entry).toUri().toURL());
        }
        ClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
        Class<?> copy = Class.forName(ReserveBindAndChurn.class.getName(), true, loader);
        if (copy == ReserveBindAndChurn.class) {
            throw new IllegalStateException("not a second copy");
        }
        Method method = copy.getDeclaredMethod("allocateAndBind", int.class, long.class, List.class,
                AtomicInteger.class, AtomicInteger.class, AtomicInteger.class);
        method.setAccessible(true);
        return method;
    }

    private static void invoke(Method method, Object... args) {
        try {
            method.invoke(null, args);
        }
        catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long openLockFiles() throws IOException {
        String locks = Settings.fromSystemProperties().lockDirectory().toString();
        try (Stream<Path> files = Files.list(Path.of("/proc/self/fd"))) {
            return files.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith(locks);
                }
                catch (IOException e) {
                    return false;
                }
            }).count();
        }
    }

    private static void allocateAndBind(int allocations, long deadline, List<String> holds, AtomicInteger allocated,
            AtomicInteger clashes, AtomicInteger errors) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < allocations && System.nanoTime() < deadline; i++) {
            try (Reservation port = Ports.reserve()) {
                long start = System.nanoTime();
                allocated.incrementAndGet();
                LockSupport.parkNanos(random.nextLong(TimeUnit.MILLISECONDS.toNanos(1) + 1));
                try (ServerSocket server = new ServerSocket()) {
                    server.setReuseAddress(true); // as servers bind: Java's default on Linux, Netty's, Tomcat's
                    server.bind(new InetSocketAddress(LOOPBACK, port.number()), 50);
                    LockSupport.parkNanos(random.nextLong(TimeUnit.MILLISECONDS.toNanos(2) + 1));
                }
                catch (BindException e) {
                    clashes.incrementAndGet();
                    System.out.println("CLASH " + port.number() + ": " + e.getMessage() + "; held by "
                            + PortHolders.ofSocket(port.number(), Transport.TCP).orElse("nothing visible now"));
                }
                holds.add(port.number() + " " + start + " " + System.nanoTime());
            }
            catch (IOException | RuntimeException | AssertionError e) {
                errors.incrementAndGet();
                System.out.println("ERROR " + e);
            }
        }
    }

    /** Answers each connection with one byte and waits for the client to close first. */
    private static void serve(ServerSocket server, AtomicBoolean done) {
        while (!done.get()) {
            try (Socket accepted = server.accept()) {
                InputStream in = accepted.getInputStream();
                if (in.read() >= 0) {
                    accepted.getOutputStream().write(1);
                    in.read(); // -1 once the client has closed
                }
            }
            catch (SocketException e) {
                return; // closed at the end
            }
            catch (IOException e) {
                // a client gave up: go on
            }
        }
    }

    /**
     * Opens a connection, makes one round trip and closes it first, so the client's
     * ephemeral port stays in TIME_WAIT as after a real client; about one per millisecond.
     */
    private static void churn(int serverPort, AtomicBoolean done, long deadline, AtomicInteger connections,
            AtomicInteger errors) {
        for (int i = 0; i < MAX_CONNECTIONS && !done.get() && System.nanoTime() < deadline; i++) {
            try (Socket client = new Socket()) {
                client.connect(new InetSocketAddress(LOOPBACK, serverPort), 1000);
                client.setSoTimeout(1000);
                OutputStream out = client.getOutputStream();
                out.write(1);
                if (client.getInputStream().read() == 1) {
                    connections.incrementAndGet();
                }
            }
            catch (IOException e) {
                if (!done.get()) {
                    errors.incrementAndGet();
                    System.out.println("ERROR churn: " + e);
                }
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private static Thread start(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
