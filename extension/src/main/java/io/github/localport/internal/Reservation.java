package io.github.localport.internal;

import static io.github.localport.LocalPort.LEAK_GRACE_PROPERTY_NAME;
import static io.github.localport.LocalPort.LEAK_POLICY_PROPERTY_NAME;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.channels.NetworkChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.localport.Protocol;
import io.github.localport.ReservedPort;
import org.opentest4j.AssertionFailedError;

/** One held port. Closing it checks that nothing still uses the port, then releases it. */
final class Reservation implements ReservedPort, ScopedResource {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final int port;
    private final PortLock lock;
    private final NetworkChannel blocker;
    private final PortRequest request;
    private final String scope;
    private final Settings settings;
    private final AtomicBoolean held = new AtomicBoolean(true);
    private volatile boolean leakReported;

    Reservation(int port, PortLock lock, NetworkChannel blocker, PortRequest request, String scope,
            Settings settings) {
        this.port = port;
        this.lock = lock;
        this.blocker = blocker;
        this.request = request;
        this.scope = scope;
        this.settings = settings;
    }

    String scope() {
        return scope;
    }

    Settings settings() {
        return settings;
    }

    PortRequest request() {
        return request;
    }

    boolean isHeld() {
        return held.get();
    }

    @Override
    public int number() {
        return port;
    }

    @Override
    public Protocol protocol() {
        return request.protocol();
    }

    @Override
    public InetSocketAddress address() {
        return new InetSocketAddress(LOOPBACK, port);
    }

    @Override
    public URI uri(String scheme) {
        Objects.requireNonNull(scheme, "scheme must not be null");
        return URI.create(scheme + "://127.0.0.1:" + port);
    }

    @Override
    public boolean isListening() {
        return PortProbe.isListening(port, protocol());
    }

    @Override
    public void awaitListening(Duration timeout) {
        if (!Poll.until(this::isListening, timeout)) {
            throw new AssertionFailedError(String.format("Nothing listened on port %d (%s) within %s.", port,
                    protocol(), Durations.format(timeout)));
        }
    }

    @Override
    public void awaitReleased(Duration timeout) {
        if (!Poll.until(() -> PortProbe.isReleased(port, protocol()), timeout)) {
            throw new AssertionFailedError(String.format("Port %d (%s) was still in use after %s.", port, protocol(),
                    Durations.format(timeout)));
        }
    }

    @Override
    public void close() {
        if (held.compareAndSet(true, false)) {
            PortProbe.closeQuietly(blocker);
            try {
                checkReleased("the end of " + scope);
            }
            finally {
                PortRegistry.release(port, lock);
            }
        }
    }

    /**
     * Checks, under the leak policy, that nothing uses the port any more, polling for up to the
     * grace period. A leak is reported once: later checks of the same port pass.
     *
     * @param after what should have freed the port, for the message ("the end of test ...")
     */
    void checkReleased(String after) {
        if (settings.leakPolicy() == Settings.LeakPolicy.OFF || leakReported
                || Poll.until(() -> PortProbe.isReleased(port, protocol()), settings.leakGrace())) {
            return;
        }
        leakReported = true;
        String holds = protocol() == Protocol.UDP ? "has it bound" : "listens on it";
        String message = String.format("Port %d (%s) is still in use %s after %s: something %s."
                + "%nHeld by: %s."
                + "%nIt was reserved for %s."
                + "%nStop what was started on the port before the scope ends (in a finally block, @AfterEach or"
                + " @AfterAll), give it longer with configuration parameter '%s', or set '%s' to warn or off.",
                port, protocol(), Durations.format(settings.leakGrace()), after, holds,
                PortHolders.ofSocket(port, protocol()), request.declaration(),
                LEAK_GRACE_PROPERTY_NAME, LEAK_POLICY_PROPERTY_NAME);
        if (settings.leakPolicy() == Settings.LeakPolicy.FAIL) {
            throw new AssertionFailedError(message);
        }
        PortRegistry.LOGGER.warning(message);
    }

    @Override
    public String toString() {
        return "127.0.0.1:" + port + " (" + protocol() + (request.isNamed() ? ", '" + request.name() + "'" : "") + ")";
    }
}
