package io.github.localport.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.localport.LocalPort;
import io.github.localport.spring.Ports.Server;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.junit.jupiter.SpringJUnitConfig;

/**
 * Plain Spring contexts (no Boot) in Spring's context cache: one context and one set of ports
 * per set of property names, shared by the classes that use it, held until Spring closes it.
 */
class ContextCacheTests {

    /** Ports each fixture class saw, by class and property. */
    static final Map<String, Map<String, Integer>> SEEN = new ConcurrentHashMap<>();

    @Test
    void classesRunInParallelShareOneContextAndItsPortsUntilItCloses() {
        SEEN.clear();
        SpringTestKit.springTestKit().execute(SharedTestCase.class, SameNamesInAnotherOrderTestCase.class,
                SameNamesAgainTestCase.class).allEvents().assertStatistics(stats -> stats.failed(0).succeeded(11));

        assertThat(SharedConfig.CREATED).hasValue(1);
        Map<String, Integer> ports = SEEN.get(SharedTestCase.class.getSimpleName());
        assertThat(SEEN).hasSize(4).allSatisfy((fixture, seen) -> assertThat(seen).isEqualTo(ports));
        assertThat(ports.get("server.port")).isNotEqualTo(ports.get("admin.port"));
        ports.values().forEach(port -> assertThat(Ports.isHeld(port)).as("port %d while cached", port).isTrue());
        assertThat(Ports.isListening(ports.get("server.port"))).isTrue();

        SpringTestKit.springTestKit().execute(ClosesSharedTestCase.class).allEvents()
                .assertStatistics(stats -> stats.failed(0).succeeded(4));

        assertThat(SharedConfig.CREATED).as("the closing class used the cached context").hasValue(1);
        ports.values().forEach(port -> assertThat(Ports.isHeld(port)).as("port %d after close", port).isFalse());
        assertThat(Ports.isListening(ports.get("server.port"))).isFalse();
    }

    @Test
    void otherPropertyNamesGetAContextAndPortsOfTheirOwn() {
        SEEN.clear();
        SpringTestKit.springTestKit().execute(OneNameTestCase.class, TwoNamesTestCase.class).allEvents()
                .assertStatistics(stats -> stats.failed(0));

        assertThat(OtherNamesConfig.CREATED).hasValue(2);
        int one = SEEN.get(OneNameTestCase.class.getSimpleName()).get("server.port");
        int two = SEEN.get(TwoNamesTestCase.class.getSimpleName()).get("server.port");
        assertThat(one).isNotEqualTo(two);
        assertThat(Ports.isHeld(one)).isFalse();
        assertThat(Ports.isHeld(two)).isFalse();
    }

    @Test
    void localPortBesideAContextNeverReportsTheContextsPorts() {
        SEEN.clear();
        SpringTestKit.springTestKit().execute(OwnServerBesideTheContextTestCase.class).allEvents()
                .assertStatistics(stats -> stats.failed(0).succeeded(3));

        Map<String, Integer> seen = SEEN.get(OwnServerBesideTheContextTestCase.class.getSimpleName());
        assertThat(Ports.isHeld(seen.get("own"))).as("the class's own @LocalPort port after the class").isFalse();
        assertThat(Ports.isHeld(seen.get("server.port"))).as("the context's port while it is cached").isTrue();
        assertThat(Ports.isListening(seen.get("server.port"))).isTrue();

        SpringTestKit.springTestKit().execute(ClosesBesideTestCase.class).allEvents()
                .assertStatistics(stats -> stats.failed(0));
        assertThat(Ports.isHeld(seen.get("server.port"))).isFalse();
    }

    @Configuration
    static class SharedConfig {
        static final AtomicInteger CREATED = new AtomicInteger();

        SharedConfig() {
            CREATED.incrementAndGet();
        }

        @Bean
        Server server(@Value("${server.port}") int port) throws Exception {
            return Server.serve(port, "shared");
        }
    }

    abstract static class Recording {
        @Value("${server.port}")
        int serverPort;

        @Value("${admin.port}")
        int adminPort;

        @Test
        void seesItsPorts() throws Exception {
            SEEN.put(getClass().getSimpleName(), Map.of("server.port", serverPort, "admin.port", adminPort));
            assertThat(Ports.get(serverPort, "/").body()).isEqualTo("shared");
        }
    }

    @SpringJUnitConfig(SharedConfig.class)
    @LocalPortProperties({ "server.port", "admin.port" })
    static class SharedTestCase extends Recording {
        @Test
        void isHeldWhileItsContextLives() {
            assertThat(Ports.isHeld(serverPort)).isTrue();
        }
    }

    @SpringJUnitConfig(SharedConfig.class)
    @LocalPortProperties({ "admin.port", "server.port" })
    static class SameNamesInAnotherOrderTestCase extends Recording {
        @Test
        void isHeldWhileItsContextLives() {
            assertThat(Ports.isHeld(adminPort)).isTrue();
        }
    }

    @SpringJUnitConfig(SharedConfig.class)
    @LocalPortProperties({ "server.port", "admin.port" })
    static class SameNamesAgainTestCase extends Recording {

        /** Spring gives a {@code @Nested} class its enclosing class's configuration, ports included. */
        @Nested
        class NestedTestCase extends Recording {
        }
    }

    @DirtiesContext
    static class ClosesSharedTestCase extends SharedTestCase {
    }

    @Configuration
    static class OtherNamesConfig {
        static final AtomicInteger CREATED = new AtomicInteger();

        OtherNamesConfig() {
            CREATED.incrementAndGet();
        }

        @Bean
        Server server(@Value("${server.port}") int port) throws Exception {
            return Server.serve(port, "other");
        }
    }

    @SpringJUnitConfig(OtherNamesConfig.class)
    @LocalPortProperties("server.port")
    @DirtiesContext
    static class OneNameTestCase {
        @Test
        void seesItsPort(@Value("${server.port}") int port) throws Exception {
            SEEN.put(getClass().getSimpleName(), Map.of("server.port", port));
            assertThat(Ports.get(port, "/").body()).isEqualTo("other");
        }
    }

    @SpringJUnitConfig(OtherNamesConfig.class)
    @LocalPortProperties({ "server.port", "extra.port" })
    @DirtiesContext
    static class TwoNamesTestCase extends OneNameTestCase {
    }

    @Configuration
    static class BesideConfig {
        @Bean
        Server server(@Value("${server.port}") int port) throws Exception {
            return Server.serve(port, "context");
        }
    }

    @SpringJUnitConfig(BesideConfig.class)
    @LocalPortProperties("server.port")
    static class OwnServerBesideTheContextTestCase {

        @LocalPort
        static int own;

        @Test
        void usesBoth(@Value("${server.port}") int contextPort, @LocalPort int perTest) throws Exception {
            SEEN.put(getClass().getSimpleName(), Map.of("own", own, "server.port", contextPort));
            assertThat(List.of(own, perTest, contextPort)).doesNotHaveDuplicates();
            try (Server server = Server.serve(own, "own")) {
                assertThat(Ports.get(own, "/").body()).isEqualTo("own");
                assertThat(Ports.get(contextPort, "/").body()).isEqualTo("context");
            }
        }
    }

    @DirtiesContext
    static class ClosesBesideTestCase extends OwnServerBesideTheContextTestCase {
    }
}
