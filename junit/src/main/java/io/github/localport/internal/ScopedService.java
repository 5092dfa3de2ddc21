package io.github.localport.internal;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;

import io.github.localport.LocalService;
import io.github.localport.ReservedPort;
import io.github.localport.core.PortRequest;
import io.github.localport.core.ServiceRun;
import io.github.localport.core.Transport;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@link LocalService}'s run in one JUnit scope: the core's {@link ServiceRun}, started on
 * the scope's named port and kept in the scope's store, so that the end of the scope stops it
 * even if the after-callback did not run.
 *
 * @param <S> the type of the service object
 */
public final class ScopedService<S> implements ScopedResource {

    private final ServiceRun<S> run;
    private final HeldPort port;
    private final ExtensionContext owner;
    private final Runnable onClose;

    private ScopedService(ServiceRun<S> run, ExtensionContext owner, Runnable onClose) {
        this.run = run;
        this.port = new HeldPort(run.port());
        this.owner = owner;
        this.onClose = onClose;
    }

    /**
     * Starts the service in the context's scope and waits until it accepts connections.
     *
     * @param timeout the service's own start-up timeout, or {@code null} for the configured one
     * @param onClose runs when the run has been stopped, so the service can start again
     * @throws IllegalStateException if the service did not start; whatever was started is stopped
     */
    public static <S> ScopedService<S> start(String name, LocalService.Starter<? extends S> starter,
            LocalService.Stopper<? super S> stopper, Duration timeout, ExtensionContext context, Runnable onClose) {
        PortScope scope = PortScope.of(context);
        ServiceRun<S> run = JUnitFailures.translate(() -> ServiceRun.<S>start(name,
                launch -> starter.start(new View(launch, scope, name)), stopper::stop, timeout, scope));
        ScopedService<S> scoped = new ScopedService<>(run, context, onClose);
        scope.keep(scoped, scoped);
        return scoped;
    }

    /** Marks the processes a {@link LocalService#process} command starts, so that stopping finds them all. */
    public static ProcessBuilder mark(LocalService.ServicePort port, ProcessBuilder builder) {
        return port instanceof View view ? view.launch().mark(builder) : builder;
    }

    public S service() {
        return run.service();
    }

    public ReservedPort port() {
        return port;
    }

    /** Whether this run was started for exactly this context. */
    public boolean isOwnedBy(ExtensionContext context) {
        return owner == context;
    }

    /** Whether this run serves the context: it runs for that context or one that encloses it. */
    public boolean serves(ExtensionContext context) {
        return PortScope.encloses(owner, context);
    }

    /** The scope the run belongs to, for messages. */
    public String scope() {
        return run.port().scope();
    }

    /** Stops the service, then checks that its port came back and releases it. Closing again does nothing. */
    @Override
    public void close() {
        try {
            JUnitFailures.translate(run::close);
        }
        finally {
            onClose.run();
        }
    }

    /** What a starter sees: its own port, and the other named ports of the scope. */
    private record View(ServiceRun.Launch launch, PortScope scope, String service) implements LocalService.ServicePort {

        @Override
        public int number() {
            return launch.port().number();
        }

        @Override
        public InetSocketAddress address() {
            return launch.port().address();
        }

        @Override
        public URI uri(String scheme) {
            return launch.port().uri(scheme);
        }

        @Override
        public int portOf(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("portOf needs the name of a service or @LocalPort");
            }
            return scope.heldPortFor(new PortRequest(name, Transport.TCP,
                    "portOf(\"" + name + "\") in the start action of service '" + service + "'")).number();
        }
    }
}
