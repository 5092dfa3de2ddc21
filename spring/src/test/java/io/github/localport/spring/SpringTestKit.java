package io.github.localport.spring;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Runs fixture classes on the Jupiter engine, their classes in parallel as in the samples; the
 * fixtures' contexts go into Spring's context cache of this JVM, like any test's.
 */
final class SpringTestKit {

    private final Map<String, String> configuration = new HashMap<>(Map.of(
            "junit.jupiter.execution.parallel.enabled", "true",
            "junit.jupiter.execution.parallel.mode.default", "same_thread",
            "junit.jupiter.execution.parallel.mode.classes.default", "concurrent",
            "junit.jupiter.execution.parallel.config.strategy", "fixed",
            "junit.jupiter.execution.parallel.config.fixed.parallelism", "4"));
    private boolean implicitConfiguration;

    static SpringTestKit springTestKit() {
        return new SpringTestKit();
    }

    SpringTestKit with(String key, String value) {
        configuration.put(key, value);
        return this;
    }

    /** One class after the other, for fixtures that observe what an earlier one left. */
    SpringTestKit sequential() {
        return with("junit.jupiter.execution.parallel.mode.classes.default", "same_thread");
    }

    /**
     * Everything in the calling thread, whose context class loader the fixtures then see, with
     * JUnit reading {@code junit-platform.properties} through it as it does in a real run.
     */
    SpringTestKit inThisThread() {
        implicitConfiguration = true;
        return with("junit.jupiter.execution.parallel.enabled", "false");
    }

    EngineExecutionResults execute(Class<?>... fixtures) {
        return EngineTestKit.engine("junit-jupiter")
                .configurationParameters(configuration)
                .enableImplicitConfigurationParameters(implicitConfiguration)
                .selectors(Arrays.stream(fixtures).map(fixture -> selectClass(fixture))
                        .toArray(DiscoverySelector[]::new))
                .execute();
    }
}
