package io.github.localport.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.DEFINED_PORT;
import static org.springframework.boot.test.context.SpringBootTest.WebEnvironment.RANDOM_PORT;

import java.io.IOException;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.localport.spring.Ports.Server;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
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

    @Test
    void randomPortLeavesTheServerToSpringAndReservesTheOtherPorts() {
        SEEN.clear();
        SpringTestKit.springTestKit().execute(RandomPortTestCase.class).allEvents().assertStatistics(
                stats -> stats.started(3).succeeded(3));

        assertThat(SEEN).containsOnlyKeys("local.server.port", "backend.port");
        assertThat(Ports.isHeld(SEEN.get("backend.port"))).isFalse();
        assertThat(Ports.isListening(SEEN.get("backend.port"))).isFalse();
    }

    @Test
    void mockEnvironmentGetsItsPortsWithNothingListening() {
        SEEN.clear();
        SpringTestKit.springTestKit().execute(MockEnvironmentTestCase.class).allEvents().assertStatistics(
                stats -> stats.started(3).succeeded(3));

        assertThat(Ports.isHeld(SEEN.get("broker.port"))).isFalse();
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

    @Configuration
    static class BackendConfig {
        @Bean
        Server backend(@Value("${backend.port}") int port) throws IOException {
            return Server.serve(port, "backend");
        }
    }

    @SpringBootTest(classes = { WebApp.class, BackendConfig.class }, webEnvironment = RANDOM_PORT)
    @LocalPortProperties("backend.port")
    @DirtiesContext
    static class RandomPortTestCase {

        @Value("${local.server.port}")
        int serverPort;

        @Value("${backend.port}")
        int backendPort;

        @Test
        void serves() throws Exception {
            SEEN.put("local.server.port", serverPort);
            SEEN.put("backend.port", backendPort);
            assertThat(serverPort).isNotEqualTo(backendPort);
            assertThat(Ports.get(serverPort, "/hello").body()).isEqualTo("hello");
            assertThat(Ports.get(backendPort, "/").body()).isEqualTo("backend");
            assertThat(Ports.isHeld(backendPort)).isTrue();
        }
    }

    @SpringBootTest(classes = WebApp.class)
    @LocalPortProperties("broker.port")
    @DirtiesContext
    static class MockEnvironmentTestCase {

        @Value("${broker.port}")
        int brokerPort;

        @Autowired
        Environment environment;

        @Test
        void hasThePropertyAndNoServer() {
            SEEN.put("broker.port", brokerPort);
            assertThat(environment.getProperty("local.server.port")).isNull();
            assertThat(Ports.isHeld(brokerPort)).isTrue();
            assertThat(Ports.isListening(brokerPort)).isFalse();
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
