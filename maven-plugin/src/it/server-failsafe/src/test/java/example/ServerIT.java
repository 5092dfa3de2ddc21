package example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import io.github.localport.LocalPort;
import io.github.localport.ReservedPort;

/** Runs in Failsafe's forked JVM, against the server the build started on its reserved port. */
class ServerIT {

    private final int port = Integer.parseInt(System.getProperty("it.port"));

    @Test
    void theServerAnswersOnThePortTheBuildReserved() throws Exception {
        assertEquals("hello from " + port, get(URI.create("http://127.0.0.1:" + port + "/hello")));
    }

    @Test
    void filteredResourcesCarryThePort() throws Exception {
        Properties properties = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/server.properties")) {
            properties.load(in);
        }
        assertEquals("http://127.0.0.1:" + port + "/hello", properties.getProperty("url"));
    }

    @Test
    void aTestJvmNeverGetsAPortTheBuildHolds(@LocalPort int mine) {
        assertNotEquals(port, mine);
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> ReservedPort.reserve(port));
        assertTrue(refused.getMessage().contains("another JVM or user holds it through localport"),
                refused.getMessage());
    }

    /** The build started the server and waited until it listened (AwaitFile). */
    private static String get(URI uri) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
