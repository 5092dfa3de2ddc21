package io.github.localport.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Outgoing TCP connections to a server of this JVM on 127.0.0.1, as a test suite's clients make
 * them: each takes a port from the kernel's ephemeral range, and as the client closes first,
 * keeps it in TIME_WAIT for a minute after. Paced at a fixed rate, and bounded in count and time.
 */
final class Churn implements AutoCloseable {

    private static final int CLIENT_THREADS = 2;

    private final ServerSocket server;
    private final ExecutorService handlers = Executors.newFixedThreadPool(4, daemon("churn-handler"));
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean stopped = new AtomicBoolean();
    final LongAdder connections = new LongAdder();
    final LongAdder errors = new LongAdder();

    /**
     * @param perSecond connections per second, all client threads together; 0 for none
     * @param deadline {@link System#nanoTime()} after which no connection is opened
     */
    Churn(int perSecond, long deadline) throws IOException {
        server = new ServerSocket(0, 500, Strategy.LOOPBACK);
        if (perSecond <= 0) {
            return;
        }
        threads.add(daemon("churn-acceptor").newThread(this::accept));
        long interval = TimeUnit.SECONDS.toNanos(1) * CLIENT_THREADS / perSecond;
        long maxConnections = (long) perSecond * TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime() + 1) + 1;
        for (int i = 0; i < CLIENT_THREADS; i++) {
            threads.add(daemon("churn-client").newThread(() -> connect(interval, maxConnections / CLIENT_THREADS + 1,
                    deadline)));
        }
        threads.forEach(Thread::start);
    }

    private void accept() {
        while (!stopped.get()) {
            try {
                Socket accepted = server.accept();
                handlers.execute(() -> answer(accepted));
            }
            catch (IOException | RejectedExecutionException e) {
                return; // closed
            }
        }
    }

    /** One byte back, then wait for the client to close first. */
    private static void answer(Socket accepted) {
        try (accepted) {
            accepted.setSoTimeout(5000);
            InputStream in = accepted.getInputStream();
            if (in.read() >= 0) {
                accepted.getOutputStream().write(1);
                in.read();
            }
        }
        catch (IOException e) {
            // the client gave up
        }
    }

    private void connect(long interval, long max, long deadline) {
        long next = System.nanoTime();
        for (long i = 0; i < max && !stopped.get() && System.nanoTime() < deadline; i++) {
            try (Socket client = new Socket()) {
                client.connect(new InetSocketAddress(Strategy.LOOPBACK, server.getLocalPort()), 1000);
                client.setSoTimeout(1000);
                client.getOutputStream().write(1);
                if (client.getInputStream().read() == 1) {
                    connections.increment();
                }
                else {
                    errors.increment();
                }
            }
            catch (IOException e) {
                if (!stopped.get()) {
                    errors.increment();
                }
            }
            next += interval;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            else if (wait < -TimeUnit.SECONDS.toNanos(1)) {
                next = System.nanoTime(); // fell behind: do not burst to catch up
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopped.set(true);
        try {
            server.close();
        }
        catch (IOException e) {
            // closing anyway
        }
        for (Thread thread : threads) {
            thread.join(3000);
        }
        handlers.shutdownNow();
        handlers.awaitTermination(3, TimeUnit.SECONDS);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
