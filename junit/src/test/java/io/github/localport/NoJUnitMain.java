package io.github.localport;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A program whose class path holds localport's jars and nothing else. Prints whether JUnit is
 * there, reserves the one port of the configured range and says whether its lock file lies in
 * the directory given as the argument, then prints the first line of each failure: reserving a
 * second port, and closing the port while a server still listens on it.
 */
public final class NoJUnitMain {

    private NoJUnitMain() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("junit: " + present("org.junit.jupiter.api.Test") + ", opentest4j: "
                + present("org.opentest4j.AssertionFailedError"));
        ReservedPort port = ReservedPort.reserve();
        System.out.println("reserved " + port.number() + ", lock file in " + args[0] + ": "
                + Files.isRegularFile(Path.of(args[0], port.number() + ".lock")));
        try {
            ReservedPort.reserve();
        }
        catch (RuntimeException e) {
            System.out.println(firstLine(e));
        }
        try (ServerSocket server = new ServerSocket(port.number(), 50, InetAddress.getLoopbackAddress())) {
            port.close();
        }
        catch (AssertionError e) {
            System.out.println(firstLine(e));
        }
    }

    private static String firstLine(Throwable e) {
        return e.getClass().getName() + ": " + e.getMessage().lines().findFirst().orElse("");
    }

    private static boolean present(String className) {
        try {
            Class.forName(className);
            return true;
        }
        catch (ClassNotFoundException e) {
            return false;
        }
    }
}
