package io.github.localport.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.net.InetSocketAddress;

import com.sun.net.httpserver.HttpServer;
import io.github.localport.LocalPort;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.opentest4j.AssertionFailedError;

/**
 * The release check at work: a test that forgets to stop its server fails, and the message says
 * which port, which declaration and which test. The forgetful test runs inside this one, through
 * JUnit's EngineTestKit, so that the build stays green.
 */
class ReleaseCheckSampleTest {

    @Test
    void failsTheTestThatForgotToStopItsServer() {
        Throwable failure = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(ForgetsToStopItsServer.class))
                .execute().testEvents().failed().stream().findFirst().orElseThrow()
                .getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
        try {
            assertThat(failure).isInstanceOf(AssertionFailedError.class)
                    .hasMessageStartingWith("Port " + ForgetsToStopItsServer.server.getAddress().getPort()
                            + " (TCP) is still in use 2s after the end of test")
                    .hasMessageContaining("It was reserved for parameter 'port' of ForgetsToStopItsServer.serves(int).");
            System.out.println("The release check says:\n" + failure.getMessage());
        } finally {
            ForgetsToStopItsServer.server.stop(0);
        }
    }

    static class ForgetsToStopItsServer {
        static HttpServer server;

        @Test
        void serves(@LocalPort int port) throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
            server.start();
            // ... and no server.stop(0)
        }
    }
}
