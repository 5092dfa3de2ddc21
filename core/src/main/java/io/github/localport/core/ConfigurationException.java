package io.github.localport.core;

/**
 * A {@code localport.*} setting or the lock directory cannot be used. The message names the
 * problem and the fix; adapters rethrow it as their framework's configuration error.
 */
public final class ConfigurationException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    ConfigurationException(String message) {
        super(message);
    }
}
