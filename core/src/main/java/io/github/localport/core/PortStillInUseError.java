package io.github.localport.core;

/**
 * Something still used a port at its release. An {@link AssertionError}, so that any test
 * framework reports it as a failure; the JUnit adapter rethrows it as JUnit's own.
 */
public final class PortStillInUseError extends AssertionError {

    private static final long serialVersionUID = 1L;

    PortStillInUseError(String message) {
        super(message);
    }
}
