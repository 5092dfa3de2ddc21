package io.github.localport.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import io.github.localport.core.PortRegistry;
import io.github.localport.core.PortRequest;
import io.github.localport.core.Reservation;
import io.github.localport.core.ServiceRun;
import io.github.localport.core.Settings;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Where a declaration's port is kept, and so how long it is held: the
 * {@link ExtensionContext.Store} of the context it was resolved in. Closing the store at the end
 * of the scope closes what it keeps, last kept first.
 */
final class PortScope implements ServiceRun.Ports {

    /** Store key of a named port. */
    record Name(String value) {
    }

    private final ExtensionContext context;
    private final Consumer<Map<String, String>> reports;

    private PortScope(ExtensionContext context, Consumer<Map<String, String>> reports) {
        this.context = context;
        this.reports = reports;
    }

    static PortScope of(ExtensionContext context) {
        return new PortScope(context, context::publishReportEntry);
    }

    /**
     * A scope whose report entries go to {@code reports} rather than to JUnit: for reservations
     * made before JUnit has reported the class or test as started, which it publishes later.
     */
    static PortScope reportingTo(ExtensionContext context, Consumer<Map<String, String>> reports) {
        return new PortScope(context, reports);
    }

    /**
     * The port for a request: for a named request, the port this scope or an enclosing one
     * holds under the name if there is one; otherwise a new reservation, kept in this scope and
     * published as a report entry.
     */
    @Override
    public Reservation portFor(PortRequest request) {
        return heldPortFor(request).reservation();
    }

    /** {@link #portFor}, as what is injected. */
    HeldPort heldPortFor(PortRequest request) {
        HeldPort found = request.isNamed() ? find(request) : null;
        if (found != null) {
            return found;
        }
        HeldPort reserved = new HeldPort(JUnitFailures.translate(() -> PortRegistry.reserve(request, label(), settings())));
        keep(request.isNamed() ? new Name(request.name()) : reserved, new ScopedResource.Kept<>(reserved));
        reports.accept(reportEntry(reserved.reservation()));
        return reserved;
    }

    /** Keeps a value until the end of the scope, which closes it. */
    void keep(Object key, ScopedResource value) {
        store().put(key, value);
    }

    /** The scope for messages, such as {@code test com.example.FooTest > serves(int)}. */
    @Override
    public String label() {
        String testClass = context.getRequiredTestClass().getName();
        return context.getTestMethod().isPresent() ? "test " + testClass + " > " + context.getDisplayName()
                : "class " + testClass;
    }

    /** Whether {@code outer} is {@code inner} or a context that encloses it. */
    static boolean encloses(ExtensionContext outer, ExtensionContext inner) {
        for (ExtensionContext scope = inner; scope != null; scope = scope.getParent().orElse(null)) {
            if (scope == outer) {
                return true;
            }
        }
        return false;
    }

    /** Whether one of the two scopes encloses the other, so that a name declared in both is one port. */
    boolean nests(PortScope other) {
        return encloses(context, other.context) || encloses(other.context, context);
    }

    /** Read once per run: configuration parameters do not change while tests run. */
    Settings settings() {
        ExtensionContext.Store run = context.getRoot().getStore(LocalPortExtension.NAMESPACE);
        Settings settings = run.get(Settings.class, Settings.class);
        if (settings == null) {
            settings = JUnitFailures.translate(() -> Settings.from(context::getConfigurationParameter));
            run.put(Settings.class, settings);
        }
        return settings;
    }

    /** The port this scope or an enclosing one holds under the request's name, or {@code null}. */
    private HeldPort find(PortRequest request) {
        ScopedResource.Kept<?> kept = store().get(new Name(request.name()), ScopedResource.Kept.class);
        if (kept == null) {
            return null;
        }
        HeldPort held = (HeldPort) kept.value();
        Reservation found = held.reservation();
        if (!found.isHeld()) {
            throw new ExtensionConfigurationException(String.format(
                    "The port named '%s' (%d) was closed before %s asked for it: only close a ReservedPort that"
                            + " no later declaration in its scope uses.",
                    request.name(), found.number(), request.declaration()));
        }
        if (found.protocol() != request.protocol() || found.request().dead() != request.dead()) {
            throw new ExtensionConfigurationException(String.format(
                    "%s asks for the port named '%s' as %s, but %s reserved it as %s. Declare it one way under"
                            + " one name (TCP_AND_UDP serves both protocols), or use another name.",
                    request.declaration(), request.name(), kind(request), found.request().declaration(),
                    kind(found.request())));
        }
        return held;
    }

    private static String kind(PortRequest request) {
        return (request.dead() ? "a dead " : "") + request.protocol() + (request.dead() ? " port" : "");
    }

    private static Map<String, String> reportEntry(Reservation reservation) {
        Map<String, String> entry = new LinkedHashMap<>();
        entry.put("localport.port", Integer.toString(reservation.number()));
        entry.put("localport.protocol", reservation.protocol().toString());
        if (reservation.request().isNamed()) {
            entry.put("localport.name", reservation.request().name());
        }
        entry.put("localport.for", reservation.request().declaration());
        entry.put("localport.scope", reservation.scope());
        return entry;
    }

    private ExtensionContext.Store store() {
        return context.getStore(LocalPortExtension.NAMESPACE);
    }
}
