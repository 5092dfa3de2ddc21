package io.github.localport.core;

/** Reservations as code outside any framework makes them: configured by system properties. */
public final class Ports {

    private Ports() {
    }

    public static Reservation reserve() {
        return PortRegistry.reserve(new PortRequest("", Transport.TCP, "reserve() called at " + caller()),
                "its reservation", Settings.fromSystemProperties());
    }

    public static Reservation reserve(int number) {
        return reserve(number, Transport.TCP);
    }

    public static Reservation reserve(int number, Transport transport) {
        return PortRegistry.reserve(new PortRequest("", transport, "reserve(" + number + ") called at " + caller()),
                "its reservation", Settings.fromSystemProperties().withRange(PortRange.exactly(number)));
    }

    private static String caller() {
        return StackWalker.getInstance().walk(frames -> frames
                .filter(frame -> !frame.getClassName().equals(Ports.class.getName()))
                .findFirst().map(Object::toString).orElse("an unknown caller"));
    }
}
