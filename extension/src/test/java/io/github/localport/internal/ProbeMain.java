package io.github.localport.internal;

import io.github.localport.Protocol;

/** A child JVM's main: prints whether localport's probe finds the port free, {@code PORT free: BOOLEAN}. */
public final class ProbeMain {

    private ProbeMain() {
    }

    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        System.out.println(port + " free: " + PortProbe.isFree(port, Protocol.TCP));
    }
}
