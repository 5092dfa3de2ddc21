package io.github.localport.internal;

import static io.github.localport.LocalService.STARTUP_TIMEOUT_PROPERTY_NAME;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.github.localport.LocalService;
import io.github.localport.Protocol;
import io.github.localport.ReservedPort;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One run of a {@link LocalService}: started on its named port in a scope, verified to accept
 * connections, and kept in the scope's store so that the end of the scope stops it and checks
 * that its port came back.
 *
 * <p>A service object that is a {@link Process} also gets its output kept for messages, an
 * early exit noticed during start-up, and is stopped with its whole process tree if the JVM
 * exits first.
 *
 * @param <S> the type of the service object
 */
public final class ServiceRun<S> implements ScopedResource {

    private static final Duration PROCESS_STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration PROCESS_KILL_TIMEOUT = Duration.ofSeconds(5);
    private static final Set<Process> LIVE_PROCESSES = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ServiceRun::killLiveProcesses, "localport-process-reaper"));
    }

    private final String name;
    private final Reservation port;
    private final S service;
    private final LocalService.Stopper<? super S> stopper;
    private final ProcessOutput output;
    private final Runnable onClose;

    private ServiceRun(String name, Reservation port, S service, LocalService.Stopper<? super S> stopper,
            ProcessOutput output, Runnable onClose) {
        this.name = name;
        this.port = port;
        this.service = service;
        this.stopper = stopper;
        this.output = output;
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
        Duration startupTimeout = timeout != null ? timeout : port.settings().startupTimeout();
        S service;
        try {
            service = starter.start(new View(port, scope, name));
        }
        catch (Exception e) {
            throw new IllegalStateException(String.format("Service '%s' could not start on port %d: its start action"
                    + " threw %s", name, port.number(), e), e);
        }
        ServiceRun<S> run = new ServiceRun<>(name, port, service, stopper,
                ProcessOutput.of(service, name, port.settings().echoProcessOutput()), onClose);
        run.awaitListening(startupTimeout);
        scope.keep(run, run);
        return run;
    }

    public S service() {
        return service;
    }

    public ReservedPort port() {
        return port;
    }

    private void awaitListening(Duration timeout) {
        long started = System.nanoTime();
        Process process = output == null ? null : output.process();
        Poll.until(() -> port.isListening() || process != null && !process.isAlive(), timeout);
        if (port.isListening()) {
            return;
        }
        String waited = Durations.format(Duration.ofNanos(System.nanoTime() - started));
        IllegalStateException failure = new IllegalStateException(process != null && !process.isAlive()
                ? String.format("Service '%s' exited with code %d before it listened on port %d (after %s).%s"
                        + "%nA service must keep running and listen on 127.0.0.1 (or 0.0.0.0) at the port it was given.",
                        name, process.exitValue(), port.number(), waited, output.describeLastLines())
                : String.format("Service '%s' did not listen on port %d within %s: nothing accepted a TCP connection"
                        + " on 127.0.0.1 or [::1].%s%nCheck that it listens on 127.0.0.1 (or 0.0.0.0) at the port it"
                        + " was given, or give it longer with startupTimeout(Duration) or configuration parameter"
                        + " '%s'.",
                        name, port.number(), waited, process == null ? ""
                                : " Its process (pid " + process.pid() + ") is still running." + output.describeLastLines(),
                        STARTUP_TIMEOUT_PROPERTY_NAME));
        try {
            stop();
        }
        catch (Exception | AssertionError e) {
            failure.addSuppressed(e);
        }
        throw failure;
    }

    /** Stops the service, then checks that its port came back. */
    @Override
    public void close() {
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
        port.checkReleased("service '" + name + "' was stopped at the end of " + port.scope());
    }

    private void stop() throws Exception {
        try {
            stopper.stop(service);
        }
        finally {
            if (output != null) {
                output.close();
            }
        }
    }

    /**
     * Stops a process and every process it started: SIGTERM to all, then, after 10 s, SIGKILL
     * to what is left. Descendants are collected first, because once their parent is gone they
     * can no longer be found from it.
     *
     * @throws IllegalStateException if some process is still alive after SIGKILL
     */
    public static void stopProcess(Process process) {
        List<ProcessHandle> tree = Stream.concat(process.descendants(), Stream.of(process.toHandle())).toList();
        tree.forEach(ProcessHandle::destroy);
        if (Poll.until(() -> tree.stream().noneMatch(ProcessHandle::isAlive), PROCESS_STOP_TIMEOUT)) {
            return;
        }
        List<ProcessHandle> stubborn = tree.stream().filter(ProcessHandle::isAlive).toList();
        PortRegistry.LOGGER.warning(() -> "Processes still alive " + Durations.format(PROCESS_STOP_TIMEOUT)
                + " after SIGTERM were killed: " + describe(stubborn));
        stubborn.forEach(ProcessHandle::destroyForcibly);
        if (!Poll.until(() -> stubborn.stream().noneMatch(ProcessHandle::isAlive), PROCESS_KILL_TIMEOUT)) {
            throw new IllegalStateException("Processes survived SIGKILL: " + describe(stubborn));
        }
    }

    static void register(Process process) {
        LIVE_PROCESSES.add(process);
        process.onExit().thenRun(() -> LIVE_PROCESSES.remove(process));
    }

    private static void killLiveProcesses() {
        for (Process process : LIVE_PROCESSES) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    private static String describe(List<ProcessHandle> handles) {
        return handles.stream().map(handle -> "pid " + handle.pid() + " ("
                + handle.info().commandLine().orElse("command line not visible") + ")")
                .collect(Collectors.joining(", "));
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
