package io.github.localport.core;

/**
 * A child JVM's main: what localport sees of a port, as lines: {@code PORT free: BOOLEAN},
 * what reserving it says, {@code PORT listening: BOOLEAN} and {@code PORT released: BOOLEAN}.
 * Arguments: {@code PORT [TCP|UDP]}.
 */
public final class ProbeMain {

    private ProbeMain() {
    }

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        Transport transport = args.length > 1 ? Transport.valueOf(args[1]) : Transport.TCP;
        System.out.println(port + " free: " + PortProbe.isFree(port, transport));
        try (Reservation reserved = Ports.reserve(port, transport)) {
            System.out.println("reserved " + reserved.number());
        }
        catch (IllegalStateException e) {
            System.out.println(e.getMessage());
        }
        System.out.println(port + " listening: " + PortProbe.isListening(port, transport));
        System.out.println(port + " released: " + PortProbe.isReleased(port, transport));
    }
}
