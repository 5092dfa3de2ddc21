package io.github.localport.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A program outside localport that listens on a port for a moment, started by the
 * {@link ChaosSoak}: {@code ADDRESS PORT HOLD_MILLIS}, where the address is 127.0.0.1, 0.0.0.0
 * (an IPv4 socket, not Java's dual-stack wildcard) or ::1. Prints, with
 * {@link System#nanoTime()} (CLOCK_MONOTONIC on Linux, as the workers'):
 *
 * <pre>
 * BINDING nanos         before the bind
 * BOUND nanos           listening since at most this time
 * FAILED nanos reason   the bind failed; exits
 * CLOSING nanos         still listening at this time
 * CLOSED nanos          closed by this time
 * </pre>
 *
 * It closes early when its input ends (the driver is gone).
 */
public final class SoakForeignListener {

    private SoakForeignListener() {
    }

    public static void main(String[] args) throws Exception {
        InetAddress address = InetAddress.getByName(args[0]);
        int port = Integer.parseInt(args[1]);
        long holdMillis = Long.parseLong(args[2]);
        CountDownLatch inputEnded = new CountDownLatch(1);
        Thread input = new Thread(() -> {
            try (InputStream in = System.in) {
                while (in.read() >= 0) {
                    // until the driver closes our input or dies
                }
            }
            catch (IOException e) {
                // gone as well
            }
            inputEnded.countDown();
        }, "input");
        input.setDaemon(true);
        input.start();

        ProtocolFamily family = address.getAddress().length == 4 ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
        System.out.println("BINDING " + System.nanoTime());
        try (ServerSocketChannel server = ServerSocketChannel.open(family)) {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true); // as servers bind
            try {
                server.bind(new InetSocketAddress(address, port), 50);
            }
            catch (IOException e) {
                System.out.println("FAILED " + System.nanoTime() + " " + SoakWorker.oneLine(e));
                return;
            }
            System.out.println("BOUND " + System.nanoTime());
            System.out.flush();
            inputEnded.await(holdMillis, TimeUnit.MILLISECONDS); // the listener's lifetime, or the driver gone
            System.out.println("CLOSING " + System.nanoTime());
        }
        System.out.println("CLOSED " + System.nanoTime());
    }
}
