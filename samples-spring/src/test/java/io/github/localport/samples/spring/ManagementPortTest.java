package io.github.localport.samples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.DEFINED_PORT;

import io.github.localport.spring.LocalPortProperties;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;

/** The actuator on its own reserved port, in the same cached context as {@link OrderApiTest}. */
@SpringBootTest(classes = { OrderApplication.class, InventoryStub.class }, webEnvironment = DEFINED_PORT)
@LocalPortProperties({ "server.port", "management.server.port", "inventory.port" })
class ManagementPortTest {

    @Value("${server.port}")
    int port;

    @Value("${management.server.port}")
    int managementPort;

    @Test
    void servesHealthOnTheManagementPortOnly() throws Exception {
        assertThat(Http.get(managementPort, "/actuator/health").body()).contains("\"status\":\"UP\"");
        assertThat(Http.get(port, "/actuator/health").statusCode()).isEqualTo(404);
    }

    @Test
    void theContextStartedOnceInThisJvm() {
        assertThat(InventoryStub.CONTEXT_STARTS).hasValue(1);
    }
}
