package io.github.localport.samples.spring;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import java.util.concurrent.atomic.AtomicInteger;

import com.github.tomakehurst.wiremock.WireMockServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * The inventory service, stubbed by WireMock on the context's reserved {@code inventory.port}.
 * It lives as long as the context: Spring stops it when it closes the context, before localport
 * checks the port.
 */
@TestConfiguration(proxyBeanMethods = false)
public class InventoryStub {

    /** How often this JVM started the application context: once, however many classes use it. */
    public static final AtomicInteger CONTEXT_STARTS = new AtomicInteger();

    private static final Logger LOG = LoggerFactory.getLogger(InventoryStub.class);

    @Bean(destroyMethod = "stop")
    WireMockServer inventory(@Value("${inventory.port}") int port, @Value("${server.port}") int serverPort,
            @Value("${management.server.port}") int managementPort) {
        LOG.info("Application context started ({} in this JVM, pid {}): server.port={}, management.server.port={},"
                + " inventory.port={}", CONTEXT_STARTS.incrementAndGet(), ProcessHandle.current().pid(), serverPort,
                managementPort, port);
        WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1").port(port));
        server.stubFor(get(urlPathMatching("/stock/.*")).willReturn(aResponse().withBody("7")));
        server.start();
        return server;
    }
}
