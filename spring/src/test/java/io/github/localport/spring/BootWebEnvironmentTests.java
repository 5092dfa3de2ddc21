package io.github.localport.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.DEFINED_PORT;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Spring Boot's web environments, with real embedded Tomcat servers. */
class BootWebEnvironmentTests {

    /** Ports the fixtures saw, by property name. */
    static final Map<String, Integer> SEEN = new ConcurrentHashMap<>();

    @Test
    void definedPortServesOnTheReservedPortsAndReleasesThemAfterTheServersStopped() {
        SEEN.clear();
        SpringTestKit.springTestKit().execute(DefinedPortTestCase.class).allEvents().assertStatistics(
                stats -> stats.started(3).succeeded(3));

        assertThat(SEEN).containsOnlyKeys("server.port", "management.server.port");
        for (int port : SEEN.values()) {
            assertThat(Ports.isHeld(port)).as("port %d held after the context closed", port).isFalse();
            assertThat(Ports.isListening(port)).as("port %d listening after the context closed", port).isFalse();
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(HelloController.class)
    static class WebApp {
    }

    @RestController
    static class HelloController {
        @GetMapping("/hello")
        String hello() {
            return "hello";
        }
    }

    @SpringBootTest(classes = WebApp.class, webEnvironment = DEFINED_PORT,
            properties = "management.endpoints.web.exposure.include=health")
    @LocalPortProperties({ "server.port", "management.server.port" })
    @DirtiesContext
    static class DefinedPortTestCase {

        @Value("${server.port}")
        int port;

        @Value("${management.server.port}")
        int managementPort;

        @Value("${local.server.port}")
        int localServerPort;

        @Test
        void serves() throws Exception {
            SEEN.put("server.port", port);
            SEEN.put("management.server.port", managementPort);
            assertThat(localServerPort).isEqualTo(port);
            assertThat(managementPort).isNotEqualTo(port);
            assertThat(Ports.get(port, "/hello").body()).isEqualTo("hello");
            assertThat(Ports.get(managementPort, "/actuator/health").statusCode()).isEqualTo(200);
            assertThat(Ports.isHeld(port)).isTrue();
            assertThat(Ports.isHeld(managementPort)).isTrue();
        }
    }
}
