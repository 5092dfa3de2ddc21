package io.github.localport;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import io.github.localport.core.Settings;
import io.github.localport.internal.LocalPortExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code @LocalPort} is used to give a test a port on 127.0.0.1 that no other test, thread,
 * JVM or build on the same machine gets while the test holds it, and to check that whatever
 * the test started on the port has stopped when the test is done.
 *
 * <p>Annotate a test method, lifecycle method or constructor parameter, or a field. No
 * {@code @ExtendWith} is needed.
 *
 * <pre>{@code
 * @Test
 * void serves(@LocalPort int port) throws IOException {
 *     HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
 *     server.start();
 *     try { ... } finally { server.stop(0); }
 * }
 * }</pre>
 *
 * <h2>Supported types</h2>
 * <ul>
 * <li>{@code int} and {@link Integer}: the port number;</li>
 * <li>{@link java.net.InetSocketAddress}: 127.0.0.1 and the port;</li>
 * <li>{@link java.net.URI}: {@code http://127.0.0.1:PORT};</li>
 * <li>{@link ReservedPort}: the reservation itself, with the number, the address, URIs for
 * other schemes, and checks a test can call ({@link ReservedPort#isListening()},
 * {@link ReservedPort#awaitListening(java.time.Duration)},
 * {@link ReservedPort#awaitReleased(java.time.Duration)}).</li>
 * </ul>
 * A block ({@link #consecutive()}) is injected as {@code int[]} (the port numbers, in order)
 * or as a {@link ReservedPortBlock}. Any other type fails the test with an
 * {@link org.junit.jupiter.api.extension.ExtensionConfigurationException} naming the supported
 * types, and reserves nothing. A {@code final} field fails with one saying to remove
 * {@code final}, and reserves nothing either.
 *
 * <h2>Scope</h2>
 * A port is held for the scope in which it is resolved, as for {@code @TempDir}: a
 * {@code static} field or a {@code @BeforeAll} parameter holds it for the test class (and its
 * {@code @Nested} classes); an instance field, a constructor parameter, or a
 * {@code @BeforeEach}, {@code @Test} or {@code @AfterEach} parameter holds it for one test.
 * Under {@code @TestInstance(PER_CLASS)}, and on JUnit 5.11 under either lifecycle, a
 * constructor parameter is held for the class.
 *
 * <h2>Fields</h2>
 * Fields are set before any other extension's callbacks run: a {@code static} field before
 * any {@code beforeAll}, an instance field before any {@code beforeEach}, so that an extension
 * that starts a server on the field's value starts it on the reserved port. (localport sets them
 * from an {@code ExecutionCondition}; where {@code junit.jupiter.conditions.deactivate} turns it
 * off, from its own {@code beforeAll} and {@code beforeEach}, in registration order.) A field holds one
 * port at a time: when a {@code static} field of a base class would be set for two subclasses
 * running at the same time, or an instance field shared by tests running at the same time
 * ({@code @TestInstance(PER_CLASS)}, {@code @Nested}), the second fails at once with an
 * {@link org.junit.jupiter.api.extension.ExtensionConfigurationException} naming the field,
 * both scopes and the fix.
 *
 * <h2>Names</h2>
 * A plain {@code @LocalPort} always gives a port of its own. {@code @LocalPort("db")} gives
 * the same port wherever the name {@code "db"} is used in one scope, for example in a
 * {@code @BeforeEach} parameter and a {@code @Test} parameter of the same test; a test that
 * uses a name its class already holds gets the class's port.
 *
 * <h2>Ports by number</h2>
 * {@code @LocalPort(number = 8080)} is for code that cannot use another port (a client
 * hard-wired to a port, a port in a checked-in configuration file): it holds exactly that port
 * for its scope, as any {@code @LocalPort}, once no other holder on the machine has it. Until
 * then it waits: for other tests of this JVM (first come, first served), other JVMs and builds
 * that hold it through localport, and programs that do not use localport, for up to
 * {@value #FIXED_WAIT_PROPERTY_NAME} (default 1 minute); then it fails naming who holds the
 * port. While a test waits, JUnit's parallel executor may run other tests in its place. Every
 * declaration of one number in a scope gets the same port, and a test gets the port its class
 * already holds.
 *
 * <p>So that two scopes that each want two ports by number never wait for each other, a scope
 * takes all its ports by number at its first one, in ascending order: a class its
 * {@code static} fields and {@code @BeforeAll}/{@code @AfterAll} parameters (and, under
 * {@code PER_CLASS}, constructor parameters); a test its instance fields, constructor
 * parameters, {@code @BeforeEach}/{@code @AfterEach} parameters and its own parameters. A
 * class's ports by number are taken before its tests' ones: keep a test's numbers above its
 * class's, or declare them all in one scope.
 *
 * <h2>Blocks of consecutive ports</h2>
 * {@code @LocalPort(consecutive = 2, alignedTo = 2, protocol = Protocol.UDP) ReservedPortBlock rtp}
 * holds two consecutive ports of the range, the first even (an RTP/RTCP pair), each checked and
 * released as a single port is. A block is declared once per scope (a field, or a parameter) and
 * has no name.
 *
 * <h2>Release</h2>
 * At the end of its scope, whether the test passed, failed or was aborted, the port is
 * checked: if something still listens on it (for UDP: still has it bound) once the grace
 * period ({@value #LEAK_GRACE_PROPERTY_NAME}, default 2 s) has passed, the test or class fails
 * with an {@link org.opentest4j.AssertionFailedError} that names the port, the declaration
 * that asked for it and the scope. Sockets in TIME_WAIT, left behind by a server that did
 * stop, do not count. The port is released in every case.
 *
 * <h2>Configuration</h2>
 * JUnit configuration parameters ({@code junit-platform.properties}, or {@code -D} system
 * properties): {@value #RANGE_PROPERTY_NAME}, {@value #LOCK_DIRECTORY_PROPERTY_NAME},
 * {@value #LEAK_POLICY_PROPERTY_NAME}, {@value #LEAK_GRACE_PROPERTY_NAME} and
 * {@value #FIXED_WAIT_PROPERTY_NAME}. A malformed
 * value fails the test with an
 * {@link org.junit.jupiter.api.extension.ExtensionConfigurationException} naming the key, the
 * value and the accepted form.
 *
 * <h2>Parallel execution</h2>
 * Each port is held as a file lock in a lock directory that every JVM on the machine shares,
 * so no other thread, Surefire fork, Gradle worker or concurrent build gets it while it is
 * held, and a JVM that dies releases its ports at once. A port is only handed out if nothing
 * listens on it, on 127.0.0.1, 0.0.0.0, [::1] or [::].
 *
 * @since 0.1.0
 * @see ReservedPort#reserve()
 */
@SuppressWarnings("exports") // the extension JUnit instantiates is internal on purpose
@Target({ ElementType.PARAMETER, ElementType.FIELD })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(LocalPortExtension.class)
public @interface LocalPort {

    /**
     * Configuration key of the range ports are taken from: {@value}.
     *
     * <p>Form: {@code FIRST-LAST}, both between 1024 and 65535, for example
     * {@code 31000-31999} (below Linux's usual ephemeral range, 32768-60999, so that the kernel
     * never hands these ports to outgoing connections). Default: the IANA dynamic range 49152-65535 minus the operating
     * system's ephemeral range where the system tells it (on Linux, with the usual ephemeral
     * range 32768-60999, that is 61000-65535: ports the kernel never hands to outgoing
     * connections), or 20000-29999 where the remainder is smaller than 1,000 ports or the
     * system does not tell. Ports listed in Linux's {@code ip_local_reserved_ports} are
     * skipped.
     *
     * @since 0.1.0
     */
    String RANGE_PROPERTY_NAME = Settings.RANGE;

    /**
     * Configuration key of the directory that holds the lock files shared by every JVM on
     * the machine: {@value}.
     *
     * <p>Default: {@code /tmp/localport} where {@code /tmp} exists, otherwise
     * {@code localport} in {@code java.io.tmpdir}. localport creates a missing directory
     * world-writable with the sticky bit, like {@code /tmp}, so that the builds of every
     * user on the machine share it. It must not be a symbolic link.
     *
     * @since 0.1.0
     */
    String LOCK_DIRECTORY_PROPERTY_NAME = Settings.LOCK_DIRECTORY;

    /**
     * Configuration key of what to do when something still holds a port at the end of its
     * scope: {@value}.
     *
     * <p>Values: {@code fail} (default: the test or class fails), {@code warn} (a warning
     * is logged through {@code java.util.logging}) or {@code off} (no check).
     *
     * @since 0.1.0
     */
    String LEAK_POLICY_PROPERTY_NAME = Settings.LEAK_POLICY;

    /**
     * Configuration key of how long a port may stay in use after the end of its scope before
     * it counts as leaked: {@value}.
     *
     * <p>Form: a number with the unit {@code ms} or {@code s} (for example {@code 500ms},
     * {@code 2s}), or an ISO-8601 duration ({@code PT2S}); from 0 to 10 minutes. Default:
     * {@code 2s}. The port is polled, so a service that stops at once costs no wait.
     *
     * @since 0.1.0
     */
    String LEAK_GRACE_PROPERTY_NAME = Settings.LEAK_GRACE;

    /**
     * Configuration key of how long a port asked for by {@link #number()} waits for its
     * holders to let go of it: {@value}.
     *
     * <p>Form: as {@value #LEAK_GRACE_PROPERTY_NAME}, from 0 to 10 minutes. Default: {@code 1m}
     * (60 s). {@code 0} fails at once if the port is taken.
     *
     * @since 0.1.0
     */
    String FIXED_WAIT_PROPERTY_NAME = Settings.FIXED_WAIT;

    /**
     * The name of the port: every declaration with the same name in one scope gets the same
     * port. Empty (the default) gives a port of its own.
     *
     * @return the name, or an empty string
     */
    String value() default "";

    /**
     * The protocol the port must be free for.
     *
     * @return the protocol, {@link Protocol#TCP} by default
     */
    Protocol protocol() default Protocol.TCP;

    /**
     * Makes the port a dead port, for negative tests: reserved, and held bound without
     * listening for the whole scope, so every TCP connection to it is refused and no server
     * can listen on it. Only for {@link Protocol#TCP}.
     *
     * <pre>{@code
     * @Test
     * void reportsAnUnreachableServer(@LocalPort(dead = true) URI nowhere) {
     *     HttpRequest request = HttpRequest.newBuilder(nowhere.resolve("/health")).build();
     *     assertThatThrownBy(() -> HttpClient.newHttpClient().send(request, BodyHandlers.ofString()))
     *             .isInstanceOf(ConnectException.class);
     * }
     * }</pre>
     *
     * @return {@code true} for a dead port; {@code false} by default
     */
    boolean dead() default false;

    /**
     * A system property to publish the port number under for the scope, for frameworks
     * configured by system properties; the previous value is restored at the end of the
     * scope. Empty (the default) publishes nothing.
     *
     * <p>System properties are shared by the whole JVM: two tests that run at the same time
     * cannot publish different ports under one property. localport fails the second with a
     * message that says so; run such tests under
     * {@code @ResourceLock(Resources.SYSTEM_PROPERTIES)}.
     *
     * @return the system property name, or an empty string
     */
    String systemProperty() default "";

    /**
     * Asks for exactly this port, from 1 to 65535, rather than one of the range: the test waits
     * until no other holder on the machine has it (see <em>Ports by number</em> above). {@code 0}
     * (the default) asks for any port of the range. Cannot be combined with a name or a block.
     *
     * <pre>{@code
     * @Test
     * void talksToTheServerItExpects(@LocalPort(number = LegacyClient.PORT) int port) { ... }
     * }</pre>
     *
     * @return the port number, or {@code 0}
     * @since 0.1.0
     */
    int number() default 0;

    /**
     * Asks for a block of this many consecutive ports of the range, injected as {@code int[]}
     * or {@link ReservedPortBlock}. {@code 1} (the default) is a single port.
     *
     * @return how many consecutive ports, at least 1
     * @since 0.1.0
     */
    int consecutive() default 1;

    /**
     * Makes the first port of a block a multiple of this: {@code 2} for an RTP/RTCP pair (an
     * even port and the next). {@code 1} (the default) is any port. On a single port
     * ({@code consecutive = 1}) it makes that port a multiple of it.
     *
     * @return the alignment, at least 1
     * @since 0.1.0
     */
    int alignedTo() default 1;
}
