package io.github.localport.internal;

import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Where a declaration's port is kept, and so how long it is held: normally the
 * {@link ExtensionContext.Store} of the context it was resolved in.
 */
interface PortScope {

    /** Store key of a named port. */
    record Name(String value) {
    }

    static PortScope of(ExtensionContext context) {
        return new ContextScope(context);
    }

    /**
     * The port for a request: for a named request, the port this scope or an enclosing one
     * holds under the name if there is one; otherwise a new reservation, kept in this scope.
     */
    default Reservation portFor(PortRequest request) {
        Reservation found = request.isNamed() ? find(request) : null;
        if (found != null) {
            return found;
        }
        Reservation reserved = PortRegistry.reserve(request, label(), settings());
        keep(request.isNamed() ? new Name(request.name()) : reserved, reserved);
        return reserved;
    }

    /** The port this scope or an enclosing one holds under the request's name, or {@code null}. */
    Reservation find(PortRequest request);

    /** Keeps a value until the end of the scope, which closes it. */
    void keep(Object key, ScopedResource value);

    /** The scope for messages, such as {@code test FooTest > serves(int)}. */
    String label();

    Settings settings();

    /** Checks that a port found by name can serve the request as well. */
    static Reservation compatible(Reservation found, PortRequest request) {
        if (found == null) {
            return null;
        }
        if (!found.isHeld()) {
            throw new ExtensionConfigurationException(String.format(
                    "The port named '%s' (%d) was closed before %s asked for it: only close a ReservedPort that"
                            + " no later declaration in its scope uses.",
                    request.name(), found.number(), request.declaration()));
        }
        if (found.protocol() != request.protocol()) {
            throw new ExtensionConfigurationException(String.format(
                    "%s asks for the port named '%s' for %s, but %s reserved it for %s. Declare one protocol for"
                            + " the name (TCP_AND_UDP serves both), or use another name.",
                    request.declaration(), request.name(), request.protocol(), found.request().declaration(),
                    found.protocol()));
        }
        return found;
    }

    record ContextScope(ExtensionContext context) implements PortScope {

        @Override
        public Reservation find(PortRequest request) {
            return compatible(store().get(new Name(request.name()), Reservation.class), request);
        }

        @Override
        public void keep(Object key, ScopedResource value) {
            store().put(key, value);
        }

        @Override
        public String label() {
            String testClass = context.getRequiredTestClass().getName();
            return context.getTestMethod().isPresent() ? "test " + testClass + " > " + context.getDisplayName()
                    : "class " + testClass;
        }

        @Override
        public Settings settings() {
            return Settings.from(context::getConfigurationParameter);
        }

        private ExtensionContext.Store store() {
            return context.getStore(LocalPortExtension.NAMESPACE);
        }
    }
}
