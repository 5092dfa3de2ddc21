package io.github.localport;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;

import io.github.localport.internal.HeldPort;

/**
 * {@code ReservedPort} is a port on 127.0.0.1 held for one holder: no other test, thread, JVM
 * or build that uses localport on this machine gets it until it is closed.
 *
 * <p>Inject it with {@link LocalPort @LocalPort} to get more than the number, or reserve one
 * in code that the annotation does not reach (a {@code @RegisterExtension} field, a helper in
 * a base class, TestNG, a build tool):
 *
 * <pre>{@code
 * try (ReservedPort port = ReservedPort.reserve()) {
 *     server.start(port.number());
 *     ...
 *     server.stop();
 * } // checks that the server let go of the port, then releases it
 * }</pre>
 *
 * <h2>Release</h2>
 * {@link #close()} checks that nothing still listens on the port, then releases it. Closing a
 * port that {@code @LocalPort} injected releases it early; the extension then leaves it alone.
 *
 * <h2>Configuration</h2>
 * A port reserved in code reads the keys named on {@link LocalPort}
 * ({@value LocalPort#RANGE_PROPERTY_NAME}, {@value LocalPort#LOCK_DIRECTORY_PROPERTY_NAME} and
 * the others) from system properties, and else from {@code junit-platform.properties} on the
 * class path, so that it shares the lock directory and range of the build's {@code @LocalPort}
 * tests.
 *
 * <h2>Without JUnit</h2>
 * {@link #reserve()} and everything a {@code ReservedPort} does need only the JDK: TestNG
 * tests, build tools and plain programs can use it with localport's jars alone on the class
 * path. Its failures are the JDK's: {@link IllegalArgumentException},
 * {@link IllegalStateException} and {@link AssertionError}.
 *
 * <p>All methods are safe to call from several threads.
 *
 * @since 0.1.0
 */
public interface ReservedPort extends AutoCloseable {

    /**
     * Reserves a port that is free for TCP.
     *
     * @return the reservation; close it to release the port
     * @throws IllegalStateException if every port in the range is taken; the message names
     *         the range and how to widen it
     * @throws IllegalArgumentException if a {@code localport.*} setting is malformed or the
     *         lock directory is unusable; the message names the problem and the fix
     */
    static ReservedPort reserve() {
        return reserve(Protocol.TCP);
    }

    /**
     * Reserves a port that is free for the given protocol.
     *
     * @param protocol what the port must be free for
     * @return the reservation; close it to release the port
     * @throws IllegalStateException if every port in the range is taken; the message names
     *         the range and how to widen it
     * @throws IllegalArgumentException if a {@code localport.*} setting is malformed or the
     *         lock directory is unusable; the message names the problem and the fix
     */
    static ReservedPort reserve(Protocol protocol) {
        return HeldPort.reserveForCaller(protocol);
    }

    /**
     * Reserves exactly this port for TCP, for code that cannot use another: no other test, JVM
     * or build that uses localport gets it while it is held.
     *
     * @param number the port, from 1 to 65535; the configured range does not apply
     * @return the reservation; close it to release the port
     * @throws IllegalStateException at once if the port is taken; the message says by whom
     *         where the OS lets localport see it (on Linux: the pid and command line)
     * @throws IllegalArgumentException if the number is not a port number
     * @see #reserve(int, Duration)
     */
    static ReservedPort reserve(int number) {
        return reserve(number, Protocol.TCP);
    }

    /**
     * Reserves exactly this port for the given protocol.
     *
     * @param number the port, from 1 to 65535; the configured range does not apply
     * @param protocol what the port must be free for
     * @return the reservation; close it to release the port
     * @throws IllegalStateException at once if the port is taken; the message says by whom
     *         where the OS lets localport see it (on Linux: the pid and command line)
     * @throws IllegalArgumentException if the number is not a port number
     */
    static ReservedPort reserve(int number, Protocol protocol) {
        return reserve(number, protocol, Duration.ZERO);
    }

    /**
     * Reserves exactly this port for TCP once no other holder has it, waiting up to
     * {@code wait}: a port hard-wired into the code under test becomes a mutex for every test,
     * JVM and build on the machine that asks for it this way. It waits for threads of this JVM
     * (first come, first served), other JVMs that hold it through localport, and programs that
     * do not use localport; while it waits, a thread of JUnit's parallel executor lets the
     * executor run other tests.
     *
     * <pre>{@code
     * try (ReservedPort port = ReservedPort.reserve(8080, Duration.ofMinutes(1))) {
     *     server.start(8080);
     *     ...
     * }
     * }</pre>
     *
     * <p>Code that takes several ports this way must take them in ascending order, as
     * {@link LocalPort#number() @LocalPort(number = ...)} does, or two holders could each wait
     * for the other's port until their waits run out.
     *
     * @param number the port, from 1 to 65535; the configured range does not apply
     * @param wait how long to wait at most; zero tries once, as {@link #reserve(int)} does
     * @return the reservation; close it to release the port
     * @throws IllegalStateException if the port is still taken when the wait runs out; the
     *         message says by whom where the OS lets localport see it
     * @throws IllegalArgumentException if the number is not a port number or the wait is negative
     * @since 0.1.0
     */
    static ReservedPort reserve(int number, Duration wait) {
        return reserve(number, Protocol.TCP, wait);
    }

    /**
     * Reserves exactly this port for the given protocol once no other holder has it, waiting
     * up to {@code wait}, as {@link #reserve(int, Duration)} does.
     *
     * @param number the port, from 1 to 65535; the configured range does not apply
     * @param protocol what the port must be free for
     * @param wait how long to wait at most; zero tries once
     * @return the reservation; close it to release the port
     * @throws IllegalStateException if the port is still taken when the wait runs out; the
     *         message says by whom where the OS lets localport see it
     * @throws IllegalArgumentException if the number is not a port number or the wait is negative
     * @since 0.1.0
     */
    static ReservedPort reserve(int number, Protocol protocol, Duration wait) {
        return HeldPort.reserveNumberForCaller(number, protocol, wait);
    }

    /**
     * Returns the port number.
     *
     * @return the port number
     */
    int number();

    /**
     * Returns what the port was reserved for.
     *
     * @return the protocol
     */
    Protocol protocol();

    /**
     * Returns 127.0.0.1 and the port.
     *
     * @return the socket address
     */
    InetSocketAddress address();

    /**
     * Returns {@code scheme://127.0.0.1:PORT}, for example {@code uri("jdbc:h2:tcp")} or
     * {@code uri("redis")}.
     *
     * @param scheme the URI scheme
     * @return the URI
     */
    URI uri(String scheme);

    /**
     * Tells whether something listens on the port now: for TCP, whether a connection to
     * 127.0.0.1 or [::1] is accepted; for UDP, whether a socket has the port bound.
     *
     * @return {@code true} if something listens on the port
     */
    boolean isListening();

    /**
     * Waits until something listens on the port, polling until the timeout.
     *
     * @param timeout how long to wait at most
     * @throws AssertionError if nothing listens on the port within the timeout
     */
    void awaitListening(Duration timeout);

    /**
     * Waits until nothing listens on the port any more, polling until the timeout. Sockets
     * in TIME_WAIT do not count. A dead port ({@code @LocalPort(dead = true)}) stays bound by
     * localport until it is released, so this waits for it in vain.
     *
     * @param timeout how long to wait at most
     * @throws AssertionError if something still listens on the port when the timeout has
     *         passed
     */
    void awaitReleased(Duration timeout);

    /**
     * Checks that nothing still listens on the port, then releases it. Calling it again does
     * nothing.
     *
     * @throws AssertionError if something still listens on the port after the grace period
     *         and the leak policy is {@code fail}; the port is released anyway
     */
    @Override
    void close();
}
