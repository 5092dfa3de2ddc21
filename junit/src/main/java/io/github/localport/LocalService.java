package io.github.localport;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;

import io.github.localport.core.Settings;
import io.github.localport.internal.ScopedService;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * {@code LocalService} is used to run a service on its own reserved port around each test or
 * each test class: it starts the service, waits until it accepts connections before the test
 * runs, stops it afterwards (even when the test failed) and checks that the port came back.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final LocalService<HttpServer> web = LocalService.of("web", port -> {
 *     HttpServer server = HttpServer.create(port.address(), 0);
 *     server.start();
 *     return server;
 * }, server -> server.stop(0));
 *
 * @Test
 * void serves() {
 *     ... web.uri("http") ...   // or web.port(), web.address(), web.service()
 * }
 * }</pre>
 *
 * <h2>Scope</h2>
 * A {@code static} field runs the service once for the class (and its {@code @Nested}
 * classes), from before {@code @BeforeAll} until after {@code @AfterAll}. An instance field
 * runs it for each test, from before {@code @BeforeEach} until after {@code @AfterEach}; under
 * {@code @TestInstance(PER_CLASS)} an instance field runs it once for the class.
 *
 * <h2>Ports</h2>
 * The service's port is the {@link LocalPort @LocalPort} port named after the service, so
 * {@code @LocalPort("web") int port} in a test or lifecycle method is the same port. A service
 * that needs another service's port before either starts (a cluster's member list, a proxy
 * and its backend) asks for it by name with {@link ServicePort#portOf(String)}: the port is
 * reserved then, and the other service starts on it, whichever is declared first. Services
 * start in the order they are registered and stop in reverse order.
 *
 * <h2>Start-up</h2>
 * After the start action returns, localport polls until a TCP connection to the port on
 * 127.0.0.1 or [::1] is accepted, for up to the start-up timeout ({@value #STARTUP_TIMEOUT_PROPERTY_NAME},
 * default 30 s, or {@link #startupTimeout(Duration)}). If the start action throws, the service
 * does not listen in time, or its process exits, the test (or class) fails before it runs,
 * with an {@link IllegalStateException} that says what was waited for, how long, and what was
 * seen; whatever was started is stopped and the port released.
 *
 * <h2>Stop</h2>
 * The stop action runs at the end of the scope, whether the test passed or failed. Then the
 * port must come back within the leak grace period, as for {@code @LocalPort}; otherwise the
 * test or class fails naming the service and the port.
 *
 * <h2>Processes</h2>
 * {@link #process(String, Starter)} runs a command line. A service that is a {@link Process},
 * whichever way it was started: its output (standard output and error, unless the
 * {@link ProcessBuilder} redirects them) is kept for failure messages; a process that exits
 * before it listens fails start-up with its exit code and last output lines; and after the stop
 * action, the process and every descendant seen since it started get SIGTERM, then SIGKILL
 * after 10 s, so no child or grandchild outlives the scope. Processes still running when the
 * JVM exits are killed.
 *
 * <h2>One object, one class</h2>
 * A {@code LocalService} object runs for one scope at a time. Declare one per test class (a
 * {@code static} field in a base class is shared by its subclasses, which may run at the same
 * time: give each subclass its own, from a factory method); using one object for two classes
 * at once fails with a message that says so.
 *
 * @param <S> the type of the service object
 * @since 0.1.0
 */
public final class LocalService<S> implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback,
        AfterAllCallback {

    /**
     * Configuration key of how long a service may take to accept connections after its start
     * action returned: {@value}. Same form as {@link LocalPort#LEAK_GRACE_PROPERTY_NAME}, from
     * 0 to 10 minutes; default {@code 30s}.
     *
     * @since 0.1.0
     */
    public static final String STARTUP_TIMEOUT_PROPERTY_NAME = Settings.STARTUP_TIMEOUT;

    /**
     * Configuration key that copies the output of {@linkplain #process(String, Starter)
     * process services} to the test JVM's standard output, each line prefixed with the service
     * name: {@value}. Values {@code true} or {@code false} (default); the output is kept for
     * failure messages either way.
     *
     * @since 0.1.0
     */
    public static final String PROCESS_ECHO_PROPERTY_NAME = Settings.PROCESS_ECHO;

    /**
     * Starts a service on the port it is given.
     *
     * @param <S> the type of the service object
     * @since 0.1.0
     */
    @FunctionalInterface
    public interface Starter<S> {

        /**
         * Starts the service on {@code port} and returns it, or throws if it cannot.
         *
         * @param port the service's port, and the ports of other named services
         * @return the started service
         * @throws Exception if the service could not be started
         */
        S start(ServicePort port) throws Exception;
    }

    /**
     * Stops a service.
     *
     * @param <S> the type of the service object
     * @since 0.1.0
     */
    @FunctionalInterface
    public interface Stopper<S> {

        /**
         * Stops the service.
         *
         * @param service what the starter returned
         * @throws Exception if stopping failed
         */
        void stop(S service) throws Exception;
    }

    /**
     * What a {@link Starter} is given: the service's reserved port, and the ports of other
     * named ports in the same scope.
     *
     * @since 0.1.0
     */
    public interface ServicePort {

        /**
         * Returns the service's port number.
         *
         * @return the port number
         */
        int number();

        /**
         * Returns 127.0.0.1 and the service's port.
         *
         * @return the socket address
         */
        InetSocketAddress address();

        /**
         * Returns {@code scheme://127.0.0.1:PORT} for the service's port.
         *
         * @param scheme the URI scheme
         * @return the URI
         */
        URI uri(String scheme);

        /**
         * Returns the port named {@code name} in this scope, the port of the service of that
         * name, reserving it now if nothing has yet.
         *
         * @param name a service name or {@code @LocalPort} name
         * @return the port number
         */
        int portOf(String name);
    }

    private final String name;
    private final Starter<? extends S> starter;
    private final Stopper<? super S> stopper;
    private final Duration startupTimeout;
    private volatile ScopedService<S> running;

    private LocalService(String name, Starter<? extends S> starter, Stopper<? super S> stopper, Duration startupTimeout) {
        this.name = requireName(name);
        this.starter = Objects.requireNonNull(starter, "starter must not be null");
        this.stopper = Objects.requireNonNull(stopper, "stopper must not be null");
        this.startupTimeout = startupTimeout;
    }

    /**
     * Declares a service that is stopped by closing it.
     *
     * @param <S> the type of the service object
     * @param name the service's name: in messages, and the name of its port
     * @param starter starts the service on the port it is given
     * @return the service, to register with {@code @RegisterExtension}
     */
    public static <S extends AutoCloseable> LocalService<S> of(String name, Starter<S> starter) {
        return new LocalService<>(name, starter, AutoCloseable::close, null);
    }

    /**
     * Declares a service with a stop action.
     *
     * @param <S> the type of the service object
     * @param name the service's name: in messages, and the name of its port
     * @param starter starts the service on the port it is given
     * @param stopper stops the service
     * @return the service, to register with {@code @RegisterExtension}
     */
    public static <S> LocalService<S> of(String name, Starter<S> starter, Stopper<? super S> stopper) {
        return new LocalService<>(name, starter, stopper, null);
    }

    /**
     * Declares a service that is an operating-system process, such as a database server or a
     * server in a child JVM.
     *
     * <pre>{@code
     * @RegisterExtension
     * static final LocalService<Process> redis = LocalService.process("redis",
     *         port -> new ProcessBuilder("redis-server", "--port", String.valueOf(port.number())));
     * }</pre>
     *
     * @param name the service's name: in messages, and the name of its port
     * @param command builds the command line for the port it is given
     * @return the service, to register with {@code @RegisterExtension}
     */
    public static LocalService<Process> process(String name, Starter<ProcessBuilder> command) {
        Objects.requireNonNull(command, "command must not be null");
        return new LocalService<>(name, port -> ScopedService.mark(port, command.start(port)).start(), process -> { },
                null);
    }

    /**
     * Returns a copy of this service that waits up to {@code timeout} for the service to accept
     * connections, instead of {@value #STARTUP_TIMEOUT_PROPERTY_NAME}.
     *
     * @param timeout how long start-up may take
     * @return a new {@code LocalService}
     */
    public LocalService<S> startupTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout must not be null");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("startupTimeout must not be negative, but was " + timeout);
        }
        return new LocalService<>(name, starter, stopper, timeout);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        startIn(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        startIn(context);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        stopIn(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stopIn(context);
    }

    /**
     * Stops the run of this very scope. In an after-callback, so that a failure to stop is
     * reported as it is; the scope's store would stop it too, should the callback not run.
     */
    private void stopIn(ExtensionContext context) {
        ScopedService<S> run = running;
        if (run != null && run.isOwnedBy(context)) {
            run.close();
        }
    }

    /** Starts in the first scope that reaches it; an enclosing scope's run serves nested ones. */
    private synchronized void startIn(ExtensionContext context) {
        ScopedService<S> run = running;
        if (run == null) {
            running = ScopedService.start(name, starter, stopper, startupTimeout, context, () -> running = null);
        }
        else if (!run.serves(context)) {
            throw new ExtensionConfigurationException(String.format("LocalService '%s' already runs for %s, so it"
                    + " cannot also run for %s. One LocalService object serves one test class and its @Nested"
                    + " classes: give each class its own, for example from a static factory method.", name,
                    run.scope(), context.getRequiredTestClass().getName()));
        }
    }

    /**
     * Returns the service's name, which is also the name of its port.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Returns the running service: what the starter returned.
     *
     * @return the service object
     * @throws IllegalStateException if the service is not running in this scope
     */
    public S service() {
        return run().service();
    }

    /**
     * Returns the service's port number.
     *
     * @return the port number
     * @throws IllegalStateException if the service is not running in this scope
     */
    public int port() {
        return run().port().number();
    }

    /**
     * Returns 127.0.0.1 and the service's port.
     *
     * @return the socket address
     * @throws IllegalStateException if the service is not running in this scope
     */
    public InetSocketAddress address() {
        return run().port().address();
    }

    /**
     * Returns {@code scheme://127.0.0.1:PORT} for the service's port.
     *
     * @param scheme the URI scheme
     * @return the URI
     * @throws IllegalStateException if the service is not running in this scope
     */
    public URI uri(String scheme) {
        return run().port().uri(scheme);
    }

    private ScopedService<S> run() {
        ScopedService<S> run = running;
        if (run == null) {
            throw new IllegalStateException("Service '" + name + "' is not running. A LocalService in a static field"
                    + " runs from before @BeforeAll to after @AfterAll; in an instance field, from before @BeforeEach"
                    + " to after @AfterEach. Register it with @RegisterExtension. In another service's start action,"
                    + " ask for its port with port.portOf(\"" + name + "\").");
        }
        return run;
    }

    @Override
    public String toString() {
        return "LocalService '" + name + "'";
    }

    private static String requireName(String name) {
        Objects.requireNonNull(name, "name must not be null");
        if (name.isBlank()) {
            throw new IllegalArgumentException("A LocalService needs a name: it names its port and its messages");
        }
        return name;
    }
}
