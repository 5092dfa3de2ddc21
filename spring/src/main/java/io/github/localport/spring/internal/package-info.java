/**
 * The Spring TestContext adapter. <strong>Not API</strong>: the module does not export this
 * package, and anything here may change in any release. How a port is reserved, checked and
 * released is described in {@code io.github.localport.core}.
 *
 * <h2>From annotation to close</h2>
 * <ol>
 * <li><b>Configuration.</b> Spring's TestContext framework finds
 * {@link io.github.localport.spring.internal.LocalPortPropertiesContextCustomizerFactory} through
 * {@code META-INF/spring.factories} and asks it for a customizer whenever it builds a test class's
 * context configuration. The factory finds the nearest {@code @LocalPortProperties} and validates
 * its names, so bad input fails before anything is reserved. The customizer is part of Spring's
 * context cache key and equals another by its property names alone: classes that declare the same
 * names share one cached context.</li>
 * <li><b>Reservation.</b> When Spring creates the context, before it refreshes, the
 * customizer reserves a port per name ({@link io.github.localport.spring.internal.ContextPorts},
 * with settings from system properties and {@code junit-platform.properties}, as
 * {@code @LocalPort} reads them), adds them as the first property source of the context's
 * {@code Environment}, and registers the {@code ContextPorts} as a disposable bean of the
 * context's bean factory. If any port cannot be reserved, those already reserved are released.</li>
 * <li><b>Close.</b> The disposable bean is registered before any other, so Spring destroys it
 * last: after the lifecycle beans (web servers) have stopped and every other bean has been
 * destroyed. It checks and releases each port. A leak is a {@code PortStillInUseError}, which
 * Spring would only log from a destroy method, so it is handed to
 * {@link io.github.localport.spring.internal.ContextLeaks}: the
 * {@link io.github.localport.spring.internal.ContextLeakListener}, ordered to run right after
 * Spring's own listeners that load and close contexts, throws it in the thread that closed the
 * context, failing that test. A leak found at JVM shutdown (the end of the run), or never
 * reported by a test, is logged at {@code SEVERE} and written to the process's standard error.</li>
 * </ol>
 */
package io.github.localport.spring.internal;
