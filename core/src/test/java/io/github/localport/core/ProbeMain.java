package io.github.localport.core;


/**
 * A child JVM's main: prints whether localport's probe finds the port free,
 * {@code PORT free: BOOLEAN}, then what {@code Ports.reserve(PORT)} says.
 */
public final class ProbeMain {

    private ProbeMain() {
    }

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        System.out.println(port + " free: " + PortProbe.isFree(port, Transport.TCP));
        try (Reservation reserved = Ports.reserve(port)) {
            System.out.println("reserved " + reserved.number());
        }
        catch (IllegalStateException e) {
            System.out.println(e.getMessage());
        }
    }
}
