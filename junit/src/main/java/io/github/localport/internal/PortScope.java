package io.github.localport.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import io.github.localport.core.FixedPort;
import io.github.localport.core.PortBlock;
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

    /** Store key of a port asked for by number. */
    record Fixed(int number) {
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
        HeldPort found = request.isNamed() ? find(new Name(request.name()), request) : null;
        if (found != null) {
            return found;
        }
        HeldPort reserved = new HeldPort(JUnitFailures.translate(() -> PortRegistry.reserve(request, label(), settings())));
        keep(request.isNamed() ? new Name(request.name()) : reserved, new ScopedResource.Kept<>(reserved));
        reports.accept(reportEntry(reserved.reservation()));
        return reserved;
    }

    /**
     * The port asked for by number: the one this scope or an enclosing one holds, if any; else
     * every port by number that this scope declares ({@link FixedPortDeclarations}) is taken
     * now, in ascending order, each waiting its turn, so that no two scopes wait for each other.
     */
    HeldPort fixedPortFor(PortRequest request, int number) {
        HeldPort found = find(new Fixed(number), request);
        if (found != null) {
            return found;
        }
        Map<Integer, PortRequest> declared = FixedPortDeclarations.of(context);
        declared.put(number, request);
        declared.keySet().removeIf(other -> store().get(new Fixed(other)) != null);
        for (Reservation reservation : JUnitFailures.translate(() -> FixedPort.reserveAll(declared, label(), settings()))) {
            keep(new Fixed(reservation.number()), new ScopedResource.Kept<>(new HeldPort(reservation)));
            context.publishReportEntry(reportEntry(reservation));
        }
        return find(new Fixed(number), request);
    }

    /** A new block of consecutive ports, kept in this scope. */
    HeldPortBlock heldBlockFor(PortRequest request, int size, int alignment) {
        HeldPortBlock block = new HeldPortBlock(JUnitFailures.translate(() -> PortBlock.reserve(request, size, alignment,
                label(), settings())));
        keep(block, new ScopedResource.Kept<>(block));
        Map<String, String> entry = reportEntry(block.block().port(0));
        entry.put("localport.port", block.first() + "-" + block.last());
        context.publishReportEntry(entry);
        return block;
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

    /** The port this scope or an enclosing one holds under the key (a {@link Name} or a {@link Fixed}), or {@code null}. */
    private HeldPort find(Object key, PortRequest request) {
        ScopedResource.Kept<?> kept = store().get(key, ScopedResource.Kept.class);
        if (kept == null) {
            return null;
        }
        HeldPort held = (HeldPort) kept.value();
        Reservation found = held.reservation();
        String what = key instanceof Name name ? "the port named '" + name.value() + "'" : "port " + found.number();
        if (!found.isHeld()) {
            throw new ExtensionConfigurationException(String.format(
                    "%s%s was closed before %s asked for it: only close a ReservedPort that no later declaration in"
                            + " its scope uses.", Character.toUpperCase(what.charAt(0)) + what.substring(1),
                    key instanceof Name ? " (" + found.number() + ")" : "", request.declaration()));
        }
        if (found.protocol() != request.protocol() || found.request().dead() != request.dead()) {
            throw new ExtensionConfigurationException(String.format(
                    "%s asks for %s as %s, but %s reserved it as %s. Declare it one way%s (TCP_AND_UDP serves both"
                            + " protocols)%s.", request.declaration(), what, kind(request),
                    found.request().declaration(), kind(found.request()), key instanceof Name ? " under one name" : "",
                    key instanceof Name ? ", or use another name" : ""));
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
