package io.github.localport.samples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.DEFINED_PORT;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;
import io.github.localport.LocalPort;
import io.github.localport.spring.LocalPortProperties;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * A test's own server beside the context's: the receiver of the application's notification runs
 * on a {@code @LocalPort} port held for this test only, while the context keeps its ports.
 */
@SpringBootTest(classes = { OrderApplication.class, InventoryStub.class }, webEnvironment = DEFINED_PORT)
@LocalPortProperties({ "server.port", "management.server.port", "inventory.port" })
class ShippingNotificationTest {

    @Value("${server.port}")
    int port;

    @Test
    void notifiesTheCallerWhenAnOrderShipped(@LocalPort int receiverPort) throws Exception {
        BlockingQueue<String> received = new ArrayBlockingQueue<>(1);
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", receiverPort), 0);
        receiver.createContext("/shipped", exchange -> {
            received.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        try {
            String notify = "http://127.0.0.1:" + receiverPort + "/shipped";
            assertThat(Http.post(port, "/orders/ABC-2/shipped?notify=" + notify).body()).isEqualTo("notified");
            assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("ABC-2 shipped");
        } finally {
            receiver.stop(0);
        }
    }

    @Test
    void theContextStartedOnceInThisJvm() {
        assertThat(InventoryStub.CONTEXT_STARTS).hasValue(1);
    }
}
