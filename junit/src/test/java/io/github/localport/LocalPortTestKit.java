package io.github.localport;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * Runs fixture classes on the Jupiter engine with parallel execution on, as most users who
 * need localport run their tests.
 */
public final class LocalPortTestKit {

    /** A fixed parallelism, so fixtures whose tests wait for each other run the same on one core. */
    private final Map<String, String> configuration = new HashMap<>(Map.of(
            "junit.jupiter.execution.parallel.enabled", "true",
            "junit.jupiter.execution.parallel.mode.default", "concurrent",
            "junit.jupiter.execution.parallel.mode.classes.default", "concurrent",
            "junit.jupiter.execution.parallel.config.strategy", "fixed",
            "junit.jupiter.execution.parallel.config.fixed.parallelism", "4"));

    private LocalPortTestKit() {
    }

    public static LocalPortTestKit localPortTestKit() {
        return new LocalPortTestKit();
    }

    public LocalPortTestKit with(String key, String value) {
        configuration.put(key, value);
        return this;
    }

    /** Runs each test of a fixture one after the other, for fixtures whose tests observe each other. */
    public LocalPortTestKit sequential() {
        return with("junit.jupiter.execution.parallel.mode.default", "same_thread");
    }

    public EngineExecutionResults execute(Class<?>... fixtures) {
        return EngineTestKit.engine("junit-jupiter")
                .configurationParameters(configuration)
                .selectors(Arrays.stream(fixtures).map(fixture -> selectClass(fixture)).toArray(
                        org.junit.platform.engine.DiscoverySelector[]::new))
                .execute();
    }

    public Events tests(Class<?>... fixtures) {
        return execute(fixtures).testEvents();
    }
}
