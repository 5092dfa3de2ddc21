package io.github.localport.internal;

import java.time.Duration;
import java.util.BitSet;
import java.util.Optional;

import io.github.localport.Protocol;

/** Observes reservations from the outside: whether anyone on the machine holds a port. */
public final class Held {

    private Held() {
    }

    /**
     * Whether the port is held: tries to reserve exactly that port the way any test would, and
     * releases it again at once if that worked.
     */
    public static boolean byAnyone(int port) {
        try {
            PortRegistry.reserve(new PortRequest("", Protocol.TCP, "Held.byAnyone"), "a check", onlyPort(port)).close();
            return false;
        }
        catch (IllegalStateException e) {
            return true;
        }
    }

    /** A port nobody holds now; whoever wants it next must still reserve it. */
    public static int freePort() {
        try (Reservation reservation = PortRegistry.reserve(new PortRequest("", Protocol.TCP, "Held.freePort"),
                "a check", Settings.from(key -> Optional.empty()))) {
            return reservation.number();
        }
    }

    static Settings onlyPort(int port) {
        Settings defaults = Settings.from(key -> Optional.empty());
        return new Settings(new PortRange(port, port, new BitSet(), "the port under test"), defaults.lockDirectory(),
                Settings.LeakPolicy.OFF, Duration.ZERO);
    }
}
