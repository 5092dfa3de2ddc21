package io.github.localport.core;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A child JVM's main: prints {@code STARTED}, waits for a line (so that several children start
 * reserving at once), reserves COUNT blocks of SIZE consecutive ports aligned to ALIGNMENT
 * (arguments {@code COUNT SIZE ALIGNMENT}), prints each as {@code first last} and then
 * {@code READY}, holds them until its input closes, releases them and prints {@code RELEASED}.
 */
public final class ReserveBlocksAndHold {

    private ReserveBlocksAndHold() {
    }

    public static void main(String[] args) throws IOException {
        int count = Integer.parseInt(args[0]);
        int size = Integer.parseInt(args[1]);
        int alignment = Integer.parseInt(args[2]);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("STARTED");
        in.readLine();
        List<PortBlock> blocks = new ArrayList<>();
        PortRequest request = new PortRequest("", Transport.TCP, "a block of pid " + ProcessHandle.current().pid());
        for (int i = 0; i < count; i++) {
            PortBlock block = PortBlock.reserve(request, size, alignment, "its reservation", Settings.fromSystemProperties());
            blocks.add(block);
            System.out.println(block.first() + " " + block.last());
        }
        System.out.println("READY");
        while (in.readLine() != null) {
            // hold until the input closes
        }
        blocks.forEach(PortBlock::close);
        System.out.println("RELEASED");
    }
}
