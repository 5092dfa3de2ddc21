package io.github.localport.internal;

import java.util.function.Supplier;

import io.github.localport.core.ConfigurationException;
import io.github.localport.core.PortStillInUseError;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.opentest4j.AssertionFailedError;

/** The core's failures in JUnit's terms: the boundary where JUnit types come in. */
final class JUnitFailures {

    private JUnitFailures() {
    }

    static <T> T translate(Supplier<T> action) {
        try {
            return action.get();
        }
        catch (ConfigurationException e) {
            throw new ExtensionConfigurationException(e.getMessage(), e);
        }
        catch (PortStillInUseError e) {
            throw new AssertionFailedError(e.getMessage(), e);
        }
    }

    static void translate(Runnable action) {
        translate(() -> {
            action.run();
            return null;
        });
    }
}
