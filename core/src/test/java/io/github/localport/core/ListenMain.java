package io.github.localport.core;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** A program that does not use localport: listens on 127.0.0.1:PORT for 60 s at most, closing each connection. */
public final class ListenMain {

    private ListenMain() {
    }

    public static void main(String[] args) throws Exception {
        try (ServerSocket server = new ServerSocket(Integer.parseInt(args[0]), 50, InetAddress.getByName("127.0.0.1"))) {
            server.setSoTimeout(60_000);
            while (true) {
                try (Socket client = server.accept()) {
                    // accepted: that is all a probe needs
                }
            }
        }
    }
}
