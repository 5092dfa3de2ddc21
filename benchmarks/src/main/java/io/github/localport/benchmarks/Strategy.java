package io.github.localport.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import io.github.localport.ReservedPort;
import org.springframework.test.util.TestSocketUtils;

/** The ways a test gets a port to start its server on: localport and the usual alternatives. */
public enum Strategy {

    /** localport: the port stays reserved (in-JVM claim, lock file) until {@code close()}. */
    LOCALPORT("localport", "localport ReservedPort.reserve()/close()") {
        @Override
        public Allocation allocate() {
            ReservedPort port = ReservedPort.reserve();
            return new Allocation(port.number(), port::close);
        }
    },

    /** The kernel picks a free port for a wildcard bind; the socket is closed and the number handed out. */
    SERVER_SOCKET_0("serversocket0", "new ServerSocket(0), closed") {
        @Override
        public Allocation allocate() {
            try (ServerSocket socket = new ServerSocket(0)) {
                return new Allocation(socket.getLocalPort(), NOTHING);
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    },

    /** spring-test's helper: a random port in 1024-65535 that a bind to localhost accepted, closed again. */
    SPRING("spring", "Spring TestSocketUtils.findAvailableTcpPort()") {
        @Override
        public Allocation allocate() {
            return new Allocation(TestSocketUtils.findAvailableTcpPort(), NOTHING);
        }
    },

    /** The hand-written helper: a random port of the IANA dynamic range that a wildcard bind accepted. */
    RANDOM("random", "random 49152-65535 + bind check") {
        @Override
        public Allocation allocate() {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            for (int attempt = 0; attempt < 1000; attempt++) {
                int port = 49152 + random.nextInt(65536 - 49152);
                try (ServerSocket socket = new ServerSocket(port)) {
                    return new Allocation(port, NOTHING);
                }
                catch (IOException e) {
                    // in use: try another
                }
            }
            throw new IllegalStateException("no free port in 49152-65535 after 1000 attempts");
        }
    },

    /**
     * Not an alternative: the JDK calls localport's guarantee needs, and nothing else
     * ({@link JdkCalls}), on localport's default range in the benchmarks' own lock directory.
     * Only with {@code --strategies floor}.
     */
    FLOOR("floor", "the JDK calls localport needs, alone") {
        @Override
        public Allocation allocate() {
            try {
                JdkCalls.Held held = JdkCalls.handOut(FloorDirectory.PATH, FloorDirectory.RANGE[0],
                        FloorDirectory.RANGE[1]);
                return new Allocation(held.port(), () -> {
                    try {
                        held.close();
                    }
                    catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    /** The lock directory and range of {@link #FLOOR}, prepared on first use. */
    private static final class FloorDirectory {
        static final Path PATH = BenchmarkLockDirectory.useForThisJvm();
        static final int[] RANGE = Machine.localportDefaultRange();
    }

    /** The strategies a run compares when it is not told which: the floor only when asked for. */
    static List<Strategy> alternatives() {
        return List.of(LOCALPORT, SERVER_SOCKET_0, SPRING, RANDOM);
    }

    private static final Runnable NOTHING = () -> {
    };

    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final String id;
    private final String label;

    Strategy(String id, String label) {
        this.id = id;
        this.label = label;
    }

    /** Gets a port; {@link Allocation#release()} gives it back (only localport holds anything). */
    public abstract Allocation allocate();

    public String id() {
        return id;
    }

    public String label() {
        return label;
    }

    public static Strategy byId(String id) {
        for (Strategy strategy : values()) {
            if (strategy.id.equals(id)) {
                return strategy;
            }
        }
        throw new IllegalArgumentException("Unknown strategy '" + id + "': expected one of localport, serversocket0,"
                + " spring, random, floor");
    }

    /** Binds a server on 127.0.0.1 at the port as a service would (SO_REUSEADDR, as Java, Netty and Tomcat set). */
    static ServerSocket bindServer(int port) throws IOException {
        ServerSocket server = new ServerSocket();
        try {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(LOOPBACK, port), 50);
            return server;
        }
        catch (IOException e) {
            server.close();
            throw e;
        }
    }

    /** A port handed out, and how to give it back. */
    public record Allocation(int port, Runnable releaser) {
        public void release() {
            releaser.run();
        }
    }
}
