package io.github.localport.internal;

import java.util.Optional;

import io.github.localport.Protocol;

/** Observes reservations from outside the extension. */
public final class Held {

    private static final Settings DEFAULTS = Settings.from(key -> Optional.empty());

    private Held() {
    }

    /**
     * Whether localport holds the port: claimed in this JVM, or its lock file locked by another
     * process. Claims the port while it looks, as the registry does, so that this JVM never has
     * two channels open to one lock file.
     */
    public static boolean byLocalport(int port) {
        if (!PortRegistry.HELD_HERE.add(port)) {
            return true;
        }
        try {
            PortLock lock = LockDirectory.at(DEFAULTS.lockDirectory()).tryLock(port);
            if (lock == null) {
                return true;
            }
            lock.release();
            return false;
        }
        finally {
            PortRegistry.HELD_HERE.remove(port);
        }
    }

    /** A port nobody holds now; whoever wants it next must still reserve it. */
    public static int freePort() {
        try (Reservation reservation = PortRegistry.reserve(new PortRequest("", Protocol.TCP, "Held.freePort"),
                "a check", DEFAULTS)) {
            return reservation.number();
        }
    }
}
