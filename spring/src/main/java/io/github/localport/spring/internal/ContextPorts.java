package io.github.localport.spring.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.localport.core.PortRegistry;
import io.github.localport.core.PortRequest;
import io.github.localport.core.PortStillInUseError;
import io.github.localport.core.Reservation;
import io.github.localport.core.Settings;
import io.github.localport.core.Transport;
import org.springframework.beans.factory.DisposableBean;

/**
 * The ports of one application context, by property name. Destroyed by the context as it closes:
 * checks and releases each port, and hands each leak to {@link ContextLeaks}.
 */
final class ContextPorts implements DisposableBean {

    private static final String ADVICE = "Have the context stop what it started on the port when it closes (a bean"
            + " whose destroy method stops the server, or a SmartLifecycle)";

    private final String context;
    private final Map<String, Reservation> byProperty;

    private ContextPorts(String context, Map<String, Reservation> byProperty) {
        this.context = context;
        this.byProperty = byProperty;
    }

    /**
     * Reserves a port per property name, in order; if one cannot be reserved, releases those
     * already reserved and rethrows.
     */
    static ContextPorts reserve(Iterable<String> names, String context, Settings settings) {
        ContextPorts ports = new ContextPorts(context, new LinkedHashMap<>());
        try {
            for (String name : names) {
                PortRequest request = new PortRequest(name, Transport.TCP, "property '" + name + "' of " + context);
                ports.byProperty.put(name, PortRegistry.reserve(request, context, settings));
            }
            return ports;
        }
        catch (RuntimeException | Error e) {
            ports.releaseAfter(e);
            throw e;
        }
    }

    /**
     * Releases every port after the context failed to be created: nothing was started on them, so
     * a port in use is someone else's doing, told beside the failure rather than as a leak.
     */
    void releaseAfter(Throwable failure) {
        for (Reservation reservation : byProperty.values()) {
            try {
                reservation.close("the failed creation of " + context, "Nothing of the context had started yet:"
                        + " a program that does not use localport took the port while it was held");
            }
            catch (PortStillInUseError inUse) {
                failure.addSuppressed(inUse);
            }
        }
    }

    String context() {
        return context;
    }

    /** Property name to port number, as the context's property source. */
    Map<String, Object> properties() {
        Map<String, Object> properties = new LinkedHashMap<>();
        byProperty.forEach((name, reservation) -> properties.put(name, reservation.number()));
        return properties;
    }

    /** Checks and releases every port; closing again does nothing. */
    @Override
    public void destroy() {
        for (Reservation reservation : byProperty.values()) {
            try {
                reservation.close("the close of " + context, ADVICE);
            }
            catch (PortStillInUseError leak) {
                ContextLeaks.found(leak);
            }
        }
    }
}
