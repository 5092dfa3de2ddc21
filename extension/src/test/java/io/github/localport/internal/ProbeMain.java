package io.github.localport.internal;

import io.github.localport.Protocol;

/**
 * A child JVM's main: prints whether localport's probe finds the port free,
 * {@code PORT free: BOOLEAN}, then what {@code ReservedPort.reserve(PORT)} says.
 */
public final class ProbeMain {

    private ProbeMain() {
    }

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        System.out.println(port + " free: " + PortProbe.isFree(port, Protocol.TCP));
        try (io.github.localport.ReservedPort reserved = io.github.localport.ReservedPort.reserve(port)) {
            System.out.println("reserved " + reserved.number());
        }
        catch (IllegalStateException e) {
            System.out.println(e.getMessage());
        }
    }
}
