package io.github.localport.samples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.net.InetSocketAddress;

import com.sun.net.httpserver.HttpServer;
import io.github.localport.spring.LocalPortProperties;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.junit.jupiter.SpringJUnitConfig;

/**
 * The check at context close at work: a context that starts a server and never stops it fails
 * the class during which Spring closed the context. The forgetful class runs inside this one,
 * through JUnit's EngineTestKit, so that the build stays green.
 */
class ContextLeakSampleTest {

    @Test
    void failsTheClassWhoseContextLeftItsServerRunning() {
        Throwable failure = EngineTestKit.engine("junit-jupiter").selectors(selectClass(ForgetsItsServer.class))
                .execute().allEvents().failed().stream().findFirst().orElseThrow()
                .getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
        try {
            assertThat(failure).isInstanceOf(AssertionError.class)
                    .hasMessageStartingWith("Port " + ServerConfig.server.getAddress().getPort()
                            + " (TCP) is still in use 2s after the close of the Spring application context loaded"
                            + " for " + ForgetsItsServer.class.getName())
                    .hasMessageContaining("It was reserved for property 'legacy.port'");
            System.out.println("The check at context close says:\n" + failure.getMessage());
        } finally {
            ServerConfig.server.stop(0);
        }
    }

    @Configuration
    static class ServerConfig {
        static HttpServer server;

        @Bean
        HttpServer legacyServer(@Value("${legacy.port}") int port) throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
            server.start();
            return server;   // HttpServer has no close(), so Spring never stops it
        }
    }

    @SpringJUnitConfig(ServerConfig.class)
    @LocalPortProperties("legacy.port")
    @DirtiesContext
    static class ForgetsItsServer {
        @Test
        void runs() {
        }
    }
}
