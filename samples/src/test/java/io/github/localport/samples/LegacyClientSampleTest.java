package io.github.localport.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import com.sun.net.httpserver.HttpServer;
import io.github.localport.LocalPort;
import org.junit.jupiter.api.Test;

/**
 * Tests of a client hard-wired to one port ({@link LegacyInventoryClient#PORT}). Each asks for
 * that port by number, so the tests that need it take turns: across the parallel threads of a
 * fork, this build's two forks ({@link LegacyClientErrorsSampleTest} wants it too), and any
 * other build on the machine. Tests that need no fixed port run meanwhile.
 */
class LegacyClientSampleTest {

    @Test
    void readsTheStockOfAnItem(@LocalPort(number = LegacyInventoryClient.PORT) int port) throws Exception {
        HttpServer inventory = inventory(port, "42");
        try {
            assertThat(LegacyInventoryClient.stockOf("widget")).isEqualTo(42);
        } finally {
            inventory.stop(0);
        }
    }

    @Test
    void readsAnEmptyStock(@LocalPort(number = LegacyInventoryClient.PORT) int port) throws Exception {
        HttpServer inventory = inventory(port, "0");
        try {
            assertThat(LegacyInventoryClient.stockOf("gadget")).isZero();
        } finally {
            inventory.stop(0);
        }
    }

    /** A stand-in for the inventory server, answering every item with the same stock. */
    static HttpServer inventory(int port, String stock) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/stock/", exchange -> {
            byte[] body = stock.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(stock.isEmpty() ? 500 : 200, stock.isEmpty() ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return server;
    }
}
