/**
 * Internal implementation of localport. <strong>Not API</strong>: the module does not export
 * this package, and anything here may change in any release.
 *
 * <h2>How a port flows from annotation to release</h2>
 * <ol>
 * <li><b>Annotation.</b> {@code @LocalPort} is meta-annotated with
 * {@code @ExtendWith(LocalPortExtension.class)}, so JUnit registers {@link LocalPortExtension}
 * wherever the annotation appears. The extension resolves parameters
 * ({@code resolveParameter}), static fields ({@code beforeAll}) and instance fields
 * ({@code beforeEach}). It validates the target type first, so a bad type reserves nothing.</li>
 * <li><b>Scope.</b> A {@link PortScope} decides how long the port is held: the
 * {@code ExtensionContext.Store} of the context JUnit resolved it in (class context: the class;
 * method context: the test). The extension asks JUnit 5.12+ for the test's context when it
 * constructs a per-test instance ({@code getTestInstantiationExtensionContextScope}), so
 * constructor ports are held for the test; JUnit 5.11 passes the class context. Named ports
 * ({@code @LocalPort("db")}) are looked up by {@link PortScope.Name} first
 * ({@link PortScope#portFor}); {@code Store.get} also searches enclosing contexts, which is how
 * a test finds its class's named port.</li>
 * <li><b>Configuration.</b> {@link Settings} reads the {@code localport.*} keys (JUnit
 * configuration parameters, or system properties for {@code ReservedPort.reserve()}) and
 * fails fast on a bad value. {@link PortRange} knows the default range, computed once from
 * what the OS tells.</li>
 * <li><b>Reservation.</b> {@link PortRegistry} walks the range from a random start and takes
 * the first port that passes three checks, in this order: not claimed in this JVM (a
 * concurrent map), its lock file locked by us in the shared {@link LockDirectory} (other
 * JVMs; the OS drops the lock when a JVM dies), and {@link PortProbe#isFree} (nothing else on
 * the machine has it bound, not even a socket in TIME_WAIT). The first port held only by
 * TIME_WAIT is kept as a fallback in case the walk finds nothing better. The result is a {@link Reservation}, kept in the scope's store
 * under its name or itself. A {@code systemProperty} is published by
 * {@link SystemPropertyPublication}, kept in the same store after the reservation.</li>
 * <li><b>Release.</b> At the end of the scope JUnit closes the store's values, last first:
 * the system property is restored, then {@link Reservation#close()} polls
 * {@link PortProbe#isReleased} for up to the grace period ({@link Poll}), fails or warns
 * according to the leak policy, and in every case drops the file lock and then the in-JVM
 * claim ({@link PortRegistry#release}). {@link Reservation} is {@code AutoCloseable} (closed by
 * JUnit 5.13+) and {@code CloseableResource} (closed by older versions); JUnit closes it once.</li>
 * </ol>
 *
 * <h2>Exact ports, dead ports and diagnostics</h2>
 * {@code ReservedPort.reserve(number)} is a walk over {@link PortRange#exactly} a one-port
 * range; when a one-port walk fails, it names the holder instead of counting: the in-JVM claim
 * map keeps each claimant's {@link PortRequest}, {@link PortHolders#ofLockFile} finds the pid
 * holding a lock file in {@code /proc/locks}, and {@link PortHolders#ofSocket} finds the process
 * whose sockets are bound to the port ({@code /proc/net/*} then {@code /proc/PID/fd}); the leak
 * message uses the latter too. A dead port ({@link PortRequest#dead()}) is probed by binding it
 * without listening ({@link PortProbe#bindWithoutListening}); the reservation keeps that socket
 * open until it is closed.
 *
 * <h2>Services</h2>
 * {@code LocalService} is a {@code @RegisterExtension} object; its {@code beforeAll} (static
 * field) or {@code beforeEach} (instance field) calls {@link ServiceRun#start}, whichever comes
 * first, and an enclosing scope's run serves nested ones ({@link ServiceRun#serves}); another
 * class using the same object at the same time is refused. A run takes the port named after the
 * service through {@link PortScope#portFor} (so {@code @LocalPort("name")} and a sibling's
 * {@code portOf("name")} share it) and refuses one held by an enclosing scope, calls the
 * starter, and polls {@link PortProbe#isListening} up to the start-up timeout. A service object
 * that is a {@code Process} becomes a {@link ServiceProcess}, which drains and keeps its output,
 * collects its descendants on every poll, ends the wait early if it exits, and after the stop
 * action stops its whole tree. The matching {@code afterEach}/{@code afterAll} closes the run
 * ({@link ServiceRun#close}: stop action, process tree, then
 * {@link Reservation#close(String, String)} with a message about the service), so that a
 * failure to stop is reported as it is; the run is also kept in the scope's store, which would
 * close it if the callback did not run. A failed start stops what was started before it throws.
 *
 * <h2>Invariants</h2>
 * <ul>
 * <li>A port is in the in-JVM claim set whenever this JVM has its lock file open; so no two
 * channels of this JVM ever have one lock file open, which matters because closing any channel
 * to a file drops the process's POSIX lock on it.</li>
 * <li>Lock files are never deleted or written.</li>
 * <li>Reserving and releasing ignore the caller's interrupt status (file channels close
 * themselves on interrupt) and restore it afterwards; a walk that fails in any way leaves
 * nothing claimed or locked.</li>
 * <li>One JVM has one copy of this package: two class loaders that each load localport would
 * each keep their own claims, and closing one's lock file channel drops the other's lock.</li>
 * </ul>
 */
package io.github.localport.internal;
