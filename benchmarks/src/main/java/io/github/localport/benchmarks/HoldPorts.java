package io.github.localport.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.github.localport.ReservedPort;

/**
 * Another process that holds ports: reserves N ports with localport (its configuration from
 * system properties), prints {@code READY N}, holds them until its input closes, then releases
 * them. Started by {@link HeldPortsBenchmark}.
 */
public final class HoldPorts {

    private HoldPorts() {
    }

    public static void main(String[] args) throws IOException {
        int count = Integer.parseInt(args[0]);
        List<ReservedPort> held = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            held.add(ReservedPort.reserve());
        }
        System.out.println("READY " + held.size());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        while (in.readLine() != null) {
            // held until the parent closes our input, or dies
        }
        held.forEach(ReservedPort::close);
    }
}
