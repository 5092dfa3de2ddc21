package io.github.localport.core;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One run of a service: started on its named port, verified to accept connections, and, when
 * closed, stopped, its processes ended and its port checked and released. A service object that
 * is a {@link Process} is a {@link ServiceProcess}: its output is kept, an early exit ends the
 * start-up wait, and every process it started is stopped after the stop action.
 *
 * @param <S> the type of the service object
 */
public final class ServiceRun<S> implements AutoCloseable {

    /** Where a run takes its ports: the named ports of one scope. */
    public interface Ports {

        /** The port of the request in this scope: the one held under its name, or a new one. */
        Reservation portFor(PortRequest request);

        /** The scope, for messages; a reservation made in it has this {@link Reservation#scope()}. */
        String label();
    }

    /** What a start action is given. */
    public record Launch(Reservation port, String marker) {

        /** Marks the processes the builder starts as this run's, so that stopping it finds them all. */
        public ProcessBuilder mark(ProcessBuilder builder) {
            builder.environment().put(ServiceProcess.MARKER, marker);
            return builder;
        }
    }

    /** Starts a service. */
    @FunctionalInterface
    public interface Start<S> {
        S start(Launch launch) throws Exception;
    }

    /** Stops a service. */
    @FunctionalInterface
    public interface Stop<S> {
        void stop(S service) throws Exception;
    }

    private final String name;
    private final Reservation port;
    private final S service;
    private final Stop<? super S> stopper;
    private final ServiceProcess process;
    private final AtomicBoolean open = new AtomicBoolean(true);

    private ServiceRun(String name, Reservation port, S service, Stop<? super S> stopper, ServiceProcess process) {
        this.name = name;
        this.port = port;
        this.service = service;
        this.stopper = stopper;
        this.process = process;
    }

    /**
     * Starts the service on the port named after it and waits until it accepts connections.
     *
     * @param timeout the service's own start-up timeout, or {@code null} for the configured one
     * @throws ConfigurationException if the port of that name is held by an enclosing scope
     * @throws IllegalStateException if the service did not start; whatever was started is stopped
     */
    public static <S> ServiceRun<S> start(String name, Start<? extends S> starter, Stop<? super S> stopper,
            Duration timeout, Ports ports) {
        Reservation port = ports.portFor(new PortRequest(name, Transport.TCP, "service '" + name + "'"));
        if (!port.scope().equals(ports.label())) {
            throw new ConfigurationException(String.format("Service '%s' runs for %s, but the port named"
                    + " '%s' is held for %s, by %s. A service needs a port of its own scope, or tests running at once"
                    + " would start it twice on one port: give the service another name, or declare it where that"
                    + " port is held.", name, ports.label(), name, port.scope(), port.request().declaration()));
        }
        String marker = UUID.randomUUID().toString();
        S service = callStarter(name, starter, new Launch(port, marker));
        ServiceRun<S> run = new ServiceRun<>(name, port, service, stopper,
                ServiceProcess.of(service, marker, name, port.settings().echoProcessOutput()));
        run.awaitListening(timeout != null ? timeout : port.settings().startupTimeout());
        return run;
    }

    private static <S> S callStarter(String name, Start<? extends S> starter, Launch launch) {
        S service;
        try {
            service = starter.start(launch);
        }
        catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException(String.format("Service '%s' could not start on port %d: its start action"
                    + " threw %s", name, launch.port().number(), e), e);
        }
        if (service == null) {
            throw new IllegalStateException(String.format("Service '%s' could not start on port %d: its start action"
                    + " returned null. Return the started service (for a process, the Process), so that it can be"
                    + " stopped.", name, launch.port().number()));
        }
        return service;
    }

    public S service() {
        return service;
    }

    public Reservation port() {
        return port;
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
                        Settings.STARTUP_TIMEOUT));
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

    /**
     * Stops the service, then checks that its port came back and releases it. Closing again does
     * nothing.
     *
     * @throws IllegalStateException if the stop action threw; the port is left to its scope, which releases it
     * @throws PortStillInUseError if the port did not come back and the leak policy is {@code fail}
     */
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
        port.close("service '" + name + "' was stopped at the end of " + port.scope(), "Make the stop action of"
                + " service '" + name + "' return only once the service has closed its listener");
    }

    /** The stop action; then, for a process, every process it started, whatever the stop action did. */
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
}
