package io.github.localport.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * {@code @LocalPortProperties} is used to give a Spring test's application context ports on
 * 127.0.0.1 that no other context, test, JVM or build on the machine gets while the context
 * lives, published as the named properties of its {@code Environment}, and to check that
 * whatever the context started on them has stopped when Spring closes it.
 *
 * <pre>{@code
 * @SpringBootTest(webEnvironment = WebEnvironment.DEFINED_PORT)
 * @LocalPortProperties({"server.port", "management.server.port"})
 * class OrderApiTest {
 *     @Value("${server.port}")
 *     int port;
 *     ...
 * }
 * }</pre>
 *
 * <p>Works with {@code @SpringBootTest} (every web environment) and with plain Spring
 * ({@code @SpringJUnitConfig}, {@code @ContextConfiguration}). Declare it on the test class, a
 * superclass, an enclosing class of a {@code @Nested} class, or a composed annotation; the
 * nearest declaration counts.
 *
 * <h2>Properties</h2>
 * Each name gets a port of its own, as a property source that takes precedence over every other
 * (application properties, {@code @TestPropertySource}, {@code @SpringBootTest(properties)}), so
 * it can be used wherever a property can: {@code @Value("${server.port}")},
 * {@code ${backend.port}} in {@code application.properties}, configuration properties. Nothing
 * is set as a system property, so contexts that exist at the same time never see each other's
 * ports.
 *
 * <h2>Lifetime</h2>
 * The ports are reserved when Spring creates the context, before it refreshes, and are held for
 * as long as the context lives: in Spring's context cache, a context is shared by every test
 * class with the same configuration, and so are its ports. The cache key depends on the property
 * names, not on the port numbers, so caching works as it does without localport.
 *
 * <h2>Release</h2>
 * When Spring closes the context ({@code @DirtiesContext}, eviction from the context cache, the
 * end of the run), after its web servers and beans have stopped, each port is checked: if
 * something still listens on it once the grace period has passed, the test during which the
 * context was closed fails with an {@link AssertionError} that names the port, the property, the
 * context and who holds the port. At the end of the run, where no test can fail any more, the
 * leak is logged at {@code SEVERE} through the {@code java.util.logging} logger
 * {@code io.github.localport} and written to the process's standard error. The ports are
 * released in every case.
 *
 * <h2>Configuration</h2>
 * The {@code localport.*} keys ({@code localport.range}, {@code localport.lock.dir},
 * {@code localport.leak.policy}, {@code localport.leak.grace}) are read as system properties,
 * and then from a {@code junit-platform.properties} on the test class path, as JUnit reads them
 * for {@code @LocalPort}: a build that configures them there configures both alike.
 *
 * <h2>Failures</h2>
 * An empty list, an empty or blank name or a name given twice fails when Spring builds the
 * test's context configuration, with an {@link IllegalArgumentException}; no free port left in
 * the range fails the context's creation with an {@link IllegalStateException}; a malformed
 * configuration value with an {@link IllegalArgumentException} naming the key. In each case no
 * port stays reserved.
 *
 * @since 0.1.0
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface LocalPortProperties {

    /**
     * The names of the properties to publish a reserved port under, each a port of its own,
     * such as {@code "server.port"} or {@code "management.server.port"}.
     *
     * @return the property names
     * @since 0.1.0
     */
    String[] value();
}
