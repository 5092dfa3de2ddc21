package io.github.localport.internal;

import static io.github.localport.LocalService.STARTUP_TIMEOUT_PROPERTY_NAME;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.localport.LocalService;
import io.github.localport.Protocol;
import io.github.localport.ReservedPort;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One run of a {@link LocalService}: started on its named port in a scope, verified to accept
 * connections, and kept in the scope's store so that the end of the scope stops it and checks
 * that its port came back. A service object that is a {@link Process} is a
 * {@link ServiceProcess}: its output is kept, an early exit ends the start-up wait, and its
 * whole process tree is stopped after the stop action.
 *
 * @param <S> the type of the service object
 */
public final class ServiceRun<S> implements ScopedResource {

    private final String name;
    private final ExtensionContext owner;
    private final Reservation port;
    private final S service;
    private final LocalService.Stopper<? super S> stopper;
    private final ServiceProcess process;
    private final Runnable onClose;
    private final AtomicBoolean open = new AtomicBoolean(true);

    private ServiceRun(String name, ExtensionContext owner, Reservation port, S service,
            LocalService.Stopper<? super S> stopper, ServiceProcess process, Runnable onClose) {
        this.name = name;
        this.owner = owner;
        this.port = port;
        this.service = service;
        this.stopper = stopper;
        this.process = process;
        this.onClose = onClose;
    }

    /**
     * Starts the service in the context's scope and waits until it accepts connections.
     *
     * @param timeout the service's own start-up timeout, or {@code null} for the configured one
     * @param onClose runs when the run has been stopped, so the service can start again
     * @throws IllegalStateException if the service did not start; whatever was started is stopped
     */
    public static <S> ServiceRun<S> start(String name, LocalService.Starter<? extends S> starter,
            LocalService.Stopper<? super S> stopper, Duration timeout, ExtensionContext context, Runnable onClose) {
        PortScope scope = PortScope.of(context);
        Reservation port = scope.portFor(new PortRequest(name, Protocol.TCP, "service '" + name + "'"));
        if (!port.scope().equals(scope.label())) {
            throw new ExtensionConfigurationException(String.format("Service '%s' runs for %s, but the port named"
                    + " '%s' is held for %s, by %s. A service needs a port of its own scope, or tests running at once"
                    + " would start it twice on one port: give the service another name, or declare it where that"
                    + " port is held.", name, scope.label(), name, port.scope(), port.request().declaration()));
        }
        S service = callStarter(name, starter, port, scope);
        ServiceRun<S> run = new ServiceRun<>(name, context, port, service, stopper,
                ServiceProcess.of(service, name, port.settings().echoProcessOutput()), onClose);
        run.awaitListening(timeout != null ? timeout : port.settings().startupTimeout());
        scope.keep(run, run);
        return run;
    }

    private static <S> S callStarter(String name, LocalService.Starter<? extends S> starter, Reservation port,
            PortScope scope) {
        S service;
        try {
            service = starter.start(new View(port, scope, name));
        }
        catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException(String.format("Service '%s' could not start on port %d: its start action"
                    + " threw %s", name, port.number(), e), e);
        }
        if (service == null) {
            throw new IllegalStateException(String.format("Service '%s' could not start on port %d: its start action"
                    + " returned null. Return the started service (for a process, the Process), so that it can be"
                    + " stopped.", name, port.number()));
        }
        return service;
    }

    public S service() {
        return service;
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
        for (ExtensionContext scope = context; scope != null; scope = scope.getParent().orElse(null)) {
            if (scope == owner) {
                return true;
            }
        }
        return false;
    }

    /** The scope the run belongs to, for messages. */
    public String scope() {
        return port.scope();
    }

    private void awaitListening(Duration timeout) {
        long started = System.nanoTime();
        Poll.until(() -> port.isListening() || exited(), timeout);
        if (port.isListening()) {
            return;
        }
        String waited = Durations.format(Duration.ofNanos(System.nanoTime() - started));
        IllegalStateException failure = new IllegalStateException(exited()
                ? String.format("Service '%s' exited with code %d before it listened on port %d (after %s).%s"
                        + "%nA service must keep running and listen on 127.0.0.1 (or 0.0.0.0) at the port it was given;"
                        + " a server that puts itself in the background must be run in the foreground.",
                        name, process.process().exitValue(), port.number(), waited, process.describeLastLines())
                : String.format("Service '%s' did not listen on port %d within %s: nothing accepted a TCP connection"
                        + " on 127.0.0.1 or [::1].%s%nCheck that it listens on 127.0.0.1 (or 0.0.0.0) at the port it"
                        + " was given, or give it longer with startupTimeout(Duration) or configuration parameter"
                        + " '%s'.",
                        name, port.number(), waited, process == null ? "" : " Its process (pid "
                                + process.process().pid() + ") is still running." + process.describeLastLines(),
                        STARTUP_TIMEOUT_PROPERTY_NAME));
        try {
            stop();
        }
        catch (Exception | AssertionError e) {
            failure.addSuppressed(e);
        }
        throw failure;
    }

    /** A process service's exit ends the wait; descendants are collected on the way. */
    private boolean exited() {
        if (process == null) {
            return false;
        }
        process.refreshDescendants();
        return !process.process().isAlive();
    }

    /** Stops the service, then checks that its port came back and releases it. Closing again does nothing. */
    @Override
    public void close() {
        if (!open.compareAndSet(true, false)) {
            return;
        }
        try {
            stop();
        }
        catch (Exception e) {
            throw new IllegalStateException("Service '" + name + "' on port " + port.number()
                    + " could not be stopped: its stop action threw " + e, e);
        }
        finally {
            onClose.run();
        }
        port.close("service '" + name + "' was stopped at the end of " + port.scope(), "Make the stop action of"
                + " service '" + name + "' return only once the service has closed its listener");
    }

    /** The stop action; then, for a process, its whole tree, whatever the stop action did. */
    private void stop() throws Exception {
        try {
            stopper.stop(service);
        }
        finally {
            if (process != null) {
                process.stop();
            }
        }
    }

    /** What a starter sees: its own port, and the other named ports of the scope. */
    private record View(Reservation port, PortScope scope, String service) implements LocalService.ServicePort {

        @Override
        public int number() {
            return port.number();
        }

        @Override
        public InetSocketAddress address() {
            return port.address();
        }

        @Override
        public URI uri(String scheme) {
            return port.uri(scheme);
        }

        @Override
        public int portOf(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("portOf needs the name of a service or @LocalPort");
            }
            return scope.portFor(new PortRequest(name, Protocol.TCP,
                    "portOf(\"" + name + "\") in the start action of service '" + service + "'")).number();
        }
    }
}
