package io.github.localport.core;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * A child JVM's main: reserves a port (range and lock directory from system properties) and
 * prints {@code HELD PORT}, or the failure's message; holds it until it reads {@code release}
 * or its input closes, then releases it and prints {@code RELEASED} and {@code DONE}. What
 * localport logs goes to the same output.
 */
public final class HoldUntilTold {

    private HoldUntilTold() {
    }

    public static void main(String[] args) throws IOException {
        Reservation port;
        try {
            port = Ports.reserve();
        }
        catch (IllegalStateException e) {
            System.out.println(e.getMessage());
            return;
        }
        System.out.println("HELD " + port.number());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null && !line.equals("release"); line = in.readLine()) {
            // holding
        }
        port.close();
        System.out.println("RELEASED");
        System.out.println("DONE");
    }
}
