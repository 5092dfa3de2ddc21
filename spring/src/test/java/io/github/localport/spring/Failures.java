package io.github.localport.spring;

import java.util.ArrayList;
import java.util.List;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/** The failures of a fixture run, each with its causes, as the text a user reads. */
final class Failures {

    private Failures() {
    }

    /** Every failed test or class, as its exception chain: "Type: message" per cause. */
    static List<String> of(EngineExecutionResults results) {
        List<String> failures = new ArrayList<>();
        results.allEvents().failed().stream()
                .map(event -> event.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow())
                .forEach(failure -> failures.add(chain(failure)));
        return failures;
    }

    private static String chain(Throwable failure) {
        StringBuilder text = new StringBuilder();
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            text.append(cause.getClass().getName()).append(": ").append(cause.getMessage()).append('\n');
        }
        return text.toString();
    }
}
