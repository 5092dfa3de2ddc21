package io.github.localport.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.junit.jupiter.SpringJUnitConfig;

/**
 * What the check finds when Spring closes a context whose server is still running: a failed
 * test where one can fail ({@code @DirtiesContext}, eviction from the context cache), a
 * {@code SEVERE} log line at the end of the run.
 */
class ContextCloseTests {

    /** Servers the leaky fixtures start and never stop, stopped after each test here. */
    static final List<HttpServer> LEFT_RUNNING = new CopyOnWriteArrayList<>();
    static final Map<String, Integer> SEEN = new ConcurrentHashMap<>();

    @AfterEach
    void stopWhatTheFixturesLeftRunning() {
        LEFT_RUNNING.forEach(server -> server.stop(0));
        LEFT_RUNNING.clear();
    }

    @Test
    void aServerLeftRunningWhenDirtiesContextClosesTheContextFailsThatClass() {
        EngineExecutionResults results = SpringTestKit.springTestKit().execute(ForgetsItsBackendTestCase.class);

        results.testEvents().assertStatistics(stats -> stats.succeeded(1));
        int port = SEEN.get(ForgetsItsBackendTestCase.class.getSimpleName());
        assertThat(Failures.of(results)).singleElement().asString().startsWith(
                "io.github.localport.core.PortStillInUseError: Port " + port + " (TCP) is still in use 2s after the"
                        + " close of the Spring application context loaded for " + ForgetsItsBackendTestCase.class
                                .getName() + ": something listens on it or has it bound.")
                .contains("Held by: this JVM (pid " + ProcessHandle.current().pid() + ", the test's own process)")
                .contains("It was reserved for property 'backend.port' of the Spring application context loaded for "
                        + ForgetsItsBackendTestCase.class.getName())
                .contains("Have the context stop what it started on the port when it closes");
        assertThat(Ports.isHeld(port)).as("released in every case").isFalse();
    }

    @Test
    void aLeakFoundWhenTheCacheEvictsAContextFailsTheTestThatEvictedIt_andOneAtTheEndOfTheRunIsLogged()
            throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dspring.test.context.cache.maxSize=1",
                LeakingRun.class.getName()).redirectErrorStream(true).start();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(child));
        if (!child.waitFor(2, TimeUnit.MINUTES)) {
            child.destroyForcibly();
            throw new AssertionError("The child JVM did not finish within 2 minutes");
        }
        String run = output.get(30, TimeUnit.SECONDS);

        assertThat(run).contains("RUN DONE");
        assertThat(run).containsPattern("FAILED evicts\\(\\): io.github.localport.core.PortStillInUseError: Port \\d+"
                + " \\(TCP\\) is still in use 2s after the close of the Spring application context loaded for "
                + "\\S+\\$CachedWithItsBackendTestCase");
        assertThat(run).containsPattern("(?s)SEVERE \\[localport\\] Port \\d+ \\(TCP\\) is still in use 2s after the close of the"
                + " Spring application context loaded for \\S+\\$AlsoForgetsItsBackendTestCase.*It was reserved for"
                + " property 'other.backend.port'.*No test failed for it: the context was closed at the end of the run.");
        assertThat(run).doesNotContain("FAILED usesIt()");
    }

    private static String readAll(Process child) {
        try {
            return new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs three fixtures in a JVM whose context cache holds one context, then exits with one still cached. */
    static final class LeakingRun {
        public static void main(String[] args) {
            EngineExecutionResults results = SpringTestKit.springTestKit().sequential().execute(
                    CachedWithItsBackendTestCase.class, EvictsTestCase.class, AlsoForgetsItsBackendTestCase.class);
            results.allEvents().failed().stream().forEach(event -> System.out.println("FAILED "
                    + event.getTestDescriptor().getDisplayName() + ": " + event.getPayload(
                            org.junit.platform.engine.TestExecutionResult.class).orElseThrow().getThrowable()
                            .orElseThrow()));
            System.out.println("RUN DONE");
        }
    }

    /** Starts a backend on the context's port and never stops it: HttpServer has no close(). */
    @Configuration
    static class LeakyBackendConfig {
        @Bean
        HttpServer backend(@Value("${backend.port}") int port) throws IOException {
            HttpServer server = Ports.httpServer(port, "backend");
            LEFT_RUNNING.add(server);
            return server;
        }
    }

    @SpringJUnitConfig(LeakyBackendConfig.class)
    @LocalPortProperties("backend.port")
    @DirtiesContext
    static class ForgetsItsBackendTestCase {
        @Test
        void usesIt(@Value("${backend.port}") int port) throws Exception {
            SEEN.put(getClass().getSimpleName(), port);
            assertThat(Ports.get(port, "/").body()).isEqualTo("backend");
        }
    }

    @SpringJUnitConfig(LeakyBackendConfig.class)
    @LocalPortProperties("backend.port")
    static class CachedWithItsBackendTestCase {
        @Test
        void usesIt(@Value("${backend.port}") int port) throws Exception {
            assertThat(Ports.get(port, "/").body()).isEqualTo("backend");
        }
    }

    @Configuration
    static class EmptyConfig {
    }

    @SpringJUnitConfig(EmptyConfig.class)
    static class EvictsTestCase {
        @Test
        void evicts() {
        }
    }

    @Configuration
    static class OtherLeakyBackendConfig {
        @Bean
        HttpServer backend(@Value("${other.backend.port}") int port) throws IOException {
            return Ports.httpServer(port, "other backend");
        }
    }

    @SpringJUnitConfig(OtherLeakyBackendConfig.class)
    @LocalPortProperties("other.backend.port")
    static class AlsoForgetsItsBackendTestCase {
        @Test
        void usesIt(@Value("${other.backend.port}") int port) throws Exception {
            assertThat(Ports.get(port, "/").body()).isEqualTo("other backend");
        }
    }
}
