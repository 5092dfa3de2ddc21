package io.github.localport.core;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;


/**
 * A child JVM's main: prints {@code STARTED}, waits for a line (so that several children start
 * reserving at once), reserves N ports without binding them, prints each number and then
 * {@code READY}, holds them until its input closes, releases them and prints {@code RELEASED}.
 * Sent the line {@code exit} while holding, it calls {@code System.exit} without releasing.
 */
public final class ReserveAndHold {

    private ReserveAndHold() {
    }

    public static void main(String[] args) throws IOException {
        int count = Integer.parseInt(args[0]);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("STARTED");
        in.readLine();
        List<Reservation> ports = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Reservation port = Ports.reserve();
            ports.add(port);
            System.out.println(port.number());
        }
        System.out.println("READY");
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.equals("exit")) {
                System.exit(0);
            }
        }
        ports.forEach(Reservation::close);
        System.out.println("RELEASED");
    }
}
