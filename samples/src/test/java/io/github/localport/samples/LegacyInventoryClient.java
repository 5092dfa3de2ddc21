package io.github.localport.samples;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * Code under test that cannot be told another port: it always calls the inventory server at
 * {@link #PORT}, as clients hard-wired to 8080 do. (32080 rather than 8080 itself: something on
 * the machine may serve 8080, and 32080 lies below every OS's ephemeral range, so the kernel
 * never hands it to an outgoing connection.)
 */
final class LegacyInventoryClient {

    static final int PORT = 32_080;

    private LegacyInventoryClient() {
    }

    /** The stock of an item, as the inventory server reports it. */
    static int stockOf(String item) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + PORT + "/stock/" + item)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("The inventory server answered " + response.statusCode() + " for " + item);
        }
        return Integer.parseInt(response.body());
    }
}
