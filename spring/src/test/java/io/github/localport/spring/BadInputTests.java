package io.github.localport.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import io.github.localport.core.PortRegistry;
import io.github.localport.core.PortRequest;
import io.github.localport.core.Reservation;
import io.github.localport.core.Settings;
import io.github.localport.core.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.context.junit.jupiter.SpringJUnitConfig;

/** Bad input fails the context's creation with a message that names the problem, and holds nothing. */
class BadInputTests {

    @Test
    void anEmptyListIsRefused() {
        assertThat(failuresOf(NoNamesTestCase.class)).singleElement().asString().contains(
                "java.lang.IllegalArgumentException: @LocalPortProperties on " + NoNamesTestCase.class.getName()
                        + " names no property: give the names to publish a port under, such as"
                        + " @LocalPortProperties(\"server.port\").");
    }

    @Test
    void anEmptyNameIsRefused() {
        assertThat(failuresOf(EmptyNameTestCase.class)).singleElement().asString().contains(
                "java.lang.IllegalArgumentException: @LocalPortProperties on " + EmptyNameTestCase.class.getName()
                        + " has the property name ' ': a name must not be empty or have spaces around it.");
    }

    @Test
    void aNameGivenTwiceIsRefused() {
        assertThat(failuresOf(SameNameTwiceTestCase.class)).singleElement().asString().contains(
                "java.lang.IllegalArgumentException: @LocalPortProperties on " + SameNameTwiceTestCase.class.getName()
                        + " names property 'server.port' twice: each name gets a port of its own, so list it once.");
    }

    @Test
    void anExhaustedRangeFailsTheContextAndReleasesThePortsAlreadyReserved(@TempDir Path resources) {
        int port = aFreePort();
        EngineExecutionResults results = JunitPlatformProperties.with(resources, Map.of("localport.range",
                port + "-" + port), () -> SpringTestKit.springTestKit().inThisThread().execute(TwoPortsTestCase.class));

        assertThat(Failures.of(results)).singleElement().asString().contains("java.lang.IllegalStateException: Port "
                + port + " (TCP) is not free for property 'second.port' of the Spring application context loaded for "
                + TwoPortsTestCase.class.getName() + ": this JVM holds it for property 'first.port' of the Spring"
                + " application context loaded for " + TwoPortsTestCase.class.getName() + ". Widen the range with"
                + " configuration parameter 'localport.range'.");
        assertThat(Ports.isHeld(port)).as("the port reserved for first.port, released").isFalse();
    }

    private static int aFreePort() {
        try (Reservation reservation = PortRegistry.reserve(new PortRequest("", Transport.TCP, "a range for a test"),
                "BadInputTests", Settings.fromSystemProperties())) {
            return reservation.number();
        }
    }

    @Test
    void aBadConfigurationValueNamesTheKey(@TempDir Path resources) {
        EngineExecutionResults results = JunitPlatformProperties.with(resources, Map.of("localport.leak.grace",
                "forever"), () -> SpringTestKit.springTestKit().inThisThread().execute(BadSettingTestCase.class));

        assertThat(Failures.of(results)).singleElement().asString().contains(
                "Invalid value 'forever' for configuration parameter 'localport.leak.grace': expected a duration");
    }

    private static java.util.List<String> failuresOf(Class<?> fixture) {
        return Failures.of(SpringTestKit.springTestKit().execute(fixture));
    }

    @Configuration
    static class EmptyConfig {
    }

    @SpringJUnitConfig(EmptyConfig.class)
    @LocalPortProperties({})
    static class NoNamesTestCase {
        @Test
        void neverRuns() {
        }
    }

    @SpringJUnitConfig(EmptyConfig.class)
    @LocalPortProperties({ "server.port", " " })
    static class EmptyNameTestCase extends NoNamesTestCase {
    }

    @SpringJUnitConfig(EmptyConfig.class)
    @LocalPortProperties({ "server.port", "server.port" })
    static class SameNameTwiceTestCase extends NoNamesTestCase {
    }

    @SpringJUnitConfig(EmptyConfig.class)
    @LocalPortProperties({ "first.port", "second.port" })
    static class TwoPortsTestCase extends NoNamesTestCase {
    }

    @SpringJUnitConfig(EmptyConfig.class)
    @LocalPortProperties({ "bad.setting.port" })
    static class BadSettingTestCase extends NoNamesTestCase {
    }
}
