package io.github.localport.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.localport.LocalService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two services, one configured with the other's port before either starts: a frontend that
 * forwards to a backend. The frontend is declared first and asks for the backend's port by
 * name; the backend then starts on that port.
 */
class TwoServicesSampleTest {

    static final HttpClient CLIENT = HttpClient.newHttpClient();

    @RegisterExtension
    static final LocalService<HttpServer> frontend = LocalService.of("frontend", port -> {
        URI backend = URI.create("http://127.0.0.1:" + port.portOf("backend") + "/greeting");
        HttpServer server = HttpServer.create(port.address(), 0);
        server.createContext("/", exchange -> reply(exchange, "frontend got: " + get(backend)));
        server.start();
        return server;
    }, server -> server.stop(0));

    @RegisterExtension
    static final LocalService<HttpServer> backend = LocalService.of("backend", port -> {
        HttpServer server = HttpServer.create(port.address(), 0);
        server.createContext("/greeting", exchange -> reply(exchange, "hello from " + port.number()));
        server.start();
        return server;
    }, server -> server.stop(0));

    @Test
    void theFrontendReachesTheBackend() throws IOException {
        assertThat(get(frontend.uri("http"))).isEqualTo("frontend got: hello from " + backend.port());
    }

    static String get(URI uri) throws IOException {
        try {
            return CLIENT.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    static void reply(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
