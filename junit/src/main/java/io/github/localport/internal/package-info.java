/**
 * The JUnit Jupiter adapter. <strong>Not API</strong>: the module does not export this package,
 * and anything here may change in any release. It translates JUnit declarations into the core's
 * requests and the core's failures into JUnit's ({@link io.github.localport.internal.JUnitFailures});
 * how a port is reserved, checked and released is described in {@code io.github.localport.core}.
 *
 * <h2>From annotation to scope</h2>
 * <ol>
 * <li><b>Annotation.</b> {@code @LocalPort} is meta-annotated with
 * {@code @ExtendWith(LocalPortExtension.class)}, so JUnit registers
 * {@link io.github.localport.internal.LocalPortExtension} wherever the annotation appears. The
 * extension resolves parameters ({@code resolveParameter}) and sets fields
 * ({@link io.github.localport.internal.FieldInjection}): static fields for a class, instance
 * fields for a test, from its {@code ExecutionCondition}, which JUnit evaluates before any
 * extension's {@code beforeAll} or {@code beforeEach} (its own {@code beforeAll} and
 * {@code beforeEach} are the fallback where conditions are deactivated), so that other
 * extensions see the port. A field carries one scope's port at a time; a second scope running
 * at once fails. It validates the target type first, so a bad type reserves nothing.</li>
 * <li><b>Scope.</b> A {@code PortScope} decides how long the port is held: the
 * {@code ExtensionContext.Store} of the context JUnit resolved it in (class context: the class;
 * method context: the test). The extension asks JUnit 5.12+ for the test's context when it
 * constructs a per-test instance ({@code getTestInstantiationExtensionContextScope}), so
 * constructor ports are held for the test; JUnit 5.11 passes the class context. Named ports
 * ({@code @LocalPort("db")}) are looked up by name first; {@code Store.get} also searches
 * enclosing contexts, which is how a test finds its class's named port. Settings are read once
 * per run from JUnit's configuration parameters.</li>
 * <li><b>Keeping.</b> The core's reservation is injected as a {@link io.github.localport.internal.HeldPort}
 * (a {@code ReservedPort}, which needs no JUnit, so {@code ReservedPort.reserve()} works without
 * it) and kept in the store as a {@code ScopedResource}, {@code AutoCloseable} for JUnit 5.13+ and
 * {@code CloseableResource} for older versions; JUnit closes it once at the end of the scope, last
 * kept first: a {@code systemProperty} is restored ({@code SystemPropertyPublication}), then the
 * port is checked and released.</li>
 * <li><b>Ports by number and blocks.</b> {@code LocalPortAttributes} refuses attribute
 * combinations the core cannot tell apart. A port by number is kept under its number
 * ({@code PortScope.Fixed}), so every declaration of it in a scope, and a test of a class that
 * holds it, gets the same port; at a scope's first one, {@code FixedPortDeclarations} collects
 * every port by number the scope declares and the core takes them in ascending order
 * ({@code FixedPort.reserveAll}). A block is a {@link io.github.localport.internal.HeldPortBlock}
 * kept in the store like a port.</li>
 * <li><b>Services.</b> {@code LocalService} starts a {@link io.github.localport.internal.ScopedService}
 * in its {@code beforeAll} (static field) or {@code beforeEach} (instance field), whichever comes
 * first; an enclosing scope's run serves nested ones, and another class using the same object at
 * the same time is refused. The matching after-callback closes it, so that a failure to stop is
 * reported as it is; the store would close it too.</li>
 * </ol>
 */
package io.github.localport.internal;
