package io.github.localport.samples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.DEFINED_PORT;

import io.github.localport.spring.LocalPortProperties;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;

@SpringBootTest(classes = { OrderApplication.class, InventoryStub.class }, webEnvironment = DEFINED_PORT)
@LocalPortProperties({ "server.port", "management.server.port", "inventory.port" })
class OrderApiTest {

    @Value("${server.port}")
    int port;

    @Test
    void looksUpTheStockOfAnOrder() throws Exception {
        assertThat(Http.get(port, "/orders/ABC-1").body()).isEqualTo("order for ABC-1, in stock: 7");
    }

    @Test
    void theContextStartedOnceInThisJvm() {
        assertThat(InventoryStub.CONTEXT_STARTS).hasValue(1);
    }
}
