package io.github.localport.samples;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import io.github.localport.LocalPort;
import org.junit.jupiter.api.Test;

/** A negative test: a dead port refuses every connection for the whole test, so "the server is down" is certain. */
class DeadPortSampleTest {

    @Test
    void reportsAnUnreachableServer(@LocalPort(dead = true) URI nowhere) {
        HttpRequest request = HttpRequest.newBuilder(nowhere.resolve("/health")).build();
        assertThatThrownBy(() -> HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(ConnectException.class);
    }
}
