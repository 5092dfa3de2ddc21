package io.github.localport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A server for process-service tests, run in a child JVM. Every mode ends by itself within
 * 60 s, so a test that fails to stop it leaves nothing behind for long.
 *
 * <ul>
 * <li>{@code listen PORT}: listens on 127.0.0.1:PORT, closing each connection it accepts;</li>
 * <li>{@code listen-with-grandchild PORT}: the same, after starting a grandchild process
 * ({@code sleep}) whose pid it prints;</li>
 * <li>{@code exit CODE}: prints two lines and exits with the code;</li>
 * <li>{@code sleep}: never listens.</li>
 * </ul>
 */
public final class ServerMain {

    private static final long LIFETIME_SECONDS = 60;

    private ServerMain() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "listen" -> listen(Integer.parseInt(args[1]));
            case "listen-with-grandchild" -> {
                Process grandchild = command("sleep").start();
                System.out.println("grandchild " + grandchild.pid());
                listen(Integer.parseInt(args[1]));
            }
            case "exit" -> {
                System.out.println("starting up");
                System.err.println("fatal: configuration is broken");
                System.exit(Integer.parseInt(args[1]));
            }
            case "sleep" -> new CountDownLatch(1).await(LIFETIME_SECONDS, TimeUnit.SECONDS); // runs, never listens
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    /** The command line that runs this class in a new JVM. */
    public static ProcessBuilder command(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ServerMain.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }

    private static void listen(int port) throws IOException {
        try (ServerSocket server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout((int) TimeUnit.SECONDS.toMillis(LIFETIME_SECONDS));
            System.out.println("listening on " + port);
            while (true) {
                try (Socket ignored = server.accept()) {
                    // accepted and closed: enough for a start-up check
                }
            }
        }
    }
}
