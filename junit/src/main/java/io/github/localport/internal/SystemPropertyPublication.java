package io.github.localport.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import io.github.localport.core.Reservation;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * A port number published under a system property for a scope; closing it restores the
 * property's previous value.
 *
 * <p>System properties belong to the whole JVM, so one property carries one port at a time: a
 * second declaration that would publish another port under it, in a test running at the same
 * time, fails instead of silently overwriting the first.
 */
final class SystemPropertyPublication implements ScopedResource {

    private static final ConcurrentMap<String, SystemPropertyPublication> PUBLISHED = new ConcurrentHashMap<>();

    private final String property;
    private final Reservation reservation;
    private final PortScope scope;
    private String previous;

    private SystemPropertyPublication(String property, Reservation reservation, PortScope scope) {
        this.property = property;
        this.reservation = reservation;
        this.scope = scope;
    }

    /**
     * Publishes the port, or returns {@code null} if the property already carries this very
     * reservation (a named port declared twice).
     */
    static SystemPropertyPublication publish(String property, Reservation reservation, String declaration,
            PortScope scope) {
        SystemPropertyPublication candidate = new SystemPropertyPublication(property, reservation, scope);
        // Reading the previous value and setting ours happen under the map's lock for this key,
        // as does restoring it, so that a publication never restores another's port.
        SystemPropertyPublication current = PUBLISHED.compute(property, (key, existing) -> {
            if (existing != null) {
                return existing;
            }
            candidate.previous = System.getProperty(key);
            System.setProperty(key, Integer.toString(reservation.number()));
            return candidate;
        });
        if (current == candidate) {
            return candidate;
        }
        if (current.reservation == reservation) {
            return null;
        }
        String clash = String.format("System property '%s' already carries port %d for %s in %s, so it cannot carry"
                + " port %d for %s in %s. A system property holds one value for the whole JVM: give one declaration"
                + " another systemProperty, ", property, current.reservation.number(),
                current.reservation.request().declaration(), current.reservation.scope(), reservation.number(),
                declaration, reservation.scope());
        throw new ExtensionConfigurationException(clash + (current.scope.nests(scope)
                ? "or share the port by giving both the same @LocalPort name."
                : "or keep the two from running at the same time with @ResourceLock(Resources.SYSTEM_PROPERTIES) on"
                        + " both (a @LocalPort name is one port only within a test and the classes around it)."));
    }

    @Override
    public void close() {
        PUBLISHED.computeIfPresent(property, (key, existing) -> {
            if (existing != this) {
                return existing;
            }
            if (previous == null) {
                System.clearProperty(key);
            }
            else {
                System.setProperty(key, previous);
            }
            return null;
        });
    }
}
