package io.github.localport.samples;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;

import com.sun.net.httpserver.HttpServer;
import io.github.localport.LocalPort;
import org.junit.jupiter.api.Test;

/**
 * More tests of the client hard-wired to one port, in a class of their own so that Surefire may
 * run them in the other fork: they wait for {@link LegacyClientSampleTest}'s tests and those
 * wait for them, whichever fork runs which.
 */
class LegacyClientErrorsSampleTest {

    @Test
    void failsWhenTheServerFails(@LocalPort(number = LegacyInventoryClient.PORT) int port) throws Exception {
        HttpServer inventory = LegacyClientSampleTest.inventory(port, "");
        try {
            assertThatThrownBy(() -> LegacyInventoryClient.stockOf("widget")).isInstanceOf(IOException.class)
                    .hasMessage("The inventory server answered 500 for widget");
        } finally {
            inventory.stop(0);
        }
    }

    /** Holding the port by number with nothing on it: no other test's server can answer meanwhile. */
    @Test
    void failsWhenNoServerRuns(@LocalPort(number = LegacyInventoryClient.PORT) int port) {
        assertThatThrownBy(() -> LegacyInventoryClient.stockOf("widget")).isInstanceOf(ConnectException.class);
    }
}
