package io.github.localport.spring;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import com.sun.net.httpserver.HttpServer;
import io.github.localport.core.PortRegistry;
import io.github.localport.core.Settings;

/** What the tests ask of a port: held by localport, listening, answering HTTP. */
final class Ports {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Ports() {
    }

    /** The lock directory these tests' contexts use: the default, or what the build configures. */
    static Path lockDirectory() {
        return Settings.fromSystemProperties().lockDirectory();
    }

    static boolean isHeld(int port) {
        return PortRegistry.isHeld(port, lockDirectory());
    }

    static boolean isListening(int port) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        }
        catch (IOException e) {
            return false;
        }
    }

    static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A JDK HTTP server that Spring stops with its context: {@code close()} is an inferred destroy method. */
    record Server(HttpServer server) implements AutoCloseable {

        static Server serve(int port, String text) throws IOException {
            return new Server(httpServer(port, text));
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    /** A JDK HTTP server on 127.0.0.1 at the port that answers {@code text} on every path. */
    static HttpServer httpServer(int port, String text) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/", exchange -> {
            byte[] body = text.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server;
    }
}
