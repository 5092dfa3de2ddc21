package io.github.localport.internal;

import static io.github.localport.LocalPort.LEAK_GRACE_PROPERTY_NAME;
import static io.github.localport.LocalPort.LEAK_POLICY_PROPERTY_NAME;
import static io.github.localport.LocalPort.LOCK_DIRECTORY_PROPERTY_NAME;
import static io.github.localport.LocalPort.RANGE_PROPERTY_NAME;
import static io.github.localport.LocalService.PROCESS_ECHO_PROPERTY_NAME;
import static io.github.localport.LocalService.STARTUP_TIMEOUT_PROPERTY_NAME;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * The {@code localport.*} configuration, read from JUnit configuration parameters or, for
 * {@code ReservedPort.reserve()}, from system properties.
 */
record Settings(PortRange range, Path lockDirectory, LeakPolicy leakPolicy, Duration leakGrace,
        Duration startupTimeout, boolean echoProcessOutput) {

    static final Duration DEFAULT_LEAK_GRACE = Duration.ofSeconds(2);
    static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration MAX_DURATION = Duration.ofMinutes(10);
    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s)");

    enum LeakPolicy {
        FAIL, WARN, OFF
    }

    static Settings from(Function<String, Optional<String>> lookup) {
        return new Settings(
                value(lookup, RANGE_PROPERTY_NAME).map(PortRange::parse).orElseGet(PortRange::systemDefault),
                value(lookup, LOCK_DIRECTORY_PROPERTY_NAME).map(Settings::parsePath).orElseGet(Settings::defaultLockDirectory),
                value(lookup, LEAK_POLICY_PROPERTY_NAME).map(Settings::parsePolicy).orElse(LeakPolicy.FAIL),
                value(lookup, LEAK_GRACE_PROPERTY_NAME).map(v -> parseDuration(LEAK_GRACE_PROPERTY_NAME, v))
                        .orElse(DEFAULT_LEAK_GRACE),
                value(lookup, STARTUP_TIMEOUT_PROPERTY_NAME).map(v -> parseDuration(STARTUP_TIMEOUT_PROPERTY_NAME, v))
                        .orElse(DEFAULT_STARTUP_TIMEOUT),
                value(lookup, PROCESS_ECHO_PROPERTY_NAME).map(Settings::parseEcho).orElse(false));
    }

    Settings withRange(PortRange other) {
        return new Settings(other, lockDirectory, leakPolicy, leakGrace, startupTimeout, echoProcessOutput);
    }

    static Settings fromSystemProperties() {
        return from(key -> Optional.ofNullable(System.getProperty(key)));
    }

    static ExtensionConfigurationException invalid(String key, String value, String expected) {
        return new ExtensionConfigurationException(String.format(
                "Invalid value '%s' for configuration parameter '%s': expected %s.", value, key, expected));
    }

    private static Optional<String> value(Function<String, Optional<String>> lookup, String key) {
        return lookup.apply(key).map(String::strip);
    }

    private static Path parsePath(String value) {
        try {
            if (!value.isEmpty()) {
                return Path.of(value);
            }
        }
        catch (InvalidPathException e) {
            // reported below
        }
        throw invalid(LOCK_DIRECTORY_PROPERTY_NAME, value, "the path of a directory");
    }

    private static Path defaultLockDirectory() {
        Path tmp = Path.of("/tmp");
        boolean unix = !System.getProperty("os.name", "").startsWith("Windows");
        Path base = unix && Files.isDirectory(tmp) ? tmp : Path.of(System.getProperty("java.io.tmpdir"));
        return base.resolve("localport");
    }

    private static LeakPolicy parsePolicy(String value) {
        try {
            return LeakPolicy.valueOf(value.toUpperCase(Locale.ROOT));
        }
        catch (IllegalArgumentException e) {
            throw invalid(LEAK_POLICY_PROPERTY_NAME, value, "fail, warn or off");
        }
    }

    private static boolean parseEcho(String value) {
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value);
        }
        throw invalid(PROCESS_ECHO_PROPERTY_NAME, value, "true or false");
    }

    private static Duration parseDuration(String key, String value) {
        Duration duration = parseDuration(value);
        if (duration == null || duration.isNegative() || duration.compareTo(MAX_DURATION) > 0) {
            throw invalid(key, value, "a duration from 0 to 10 minutes such as 500ms, 2s or PT2S");
        }
        return duration;
    }

    private static Duration parseDuration(String value) {
        Matcher simple = SIMPLE_DURATION.matcher(value);
        if (simple.matches()) {
            long amount = Long.parseLong(simple.group(1));
            return simple.group(2).equals("ms") ? Duration.ofMillis(amount) : Duration.ofSeconds(amount);
        }
        try {
            return Duration.parse(value);
        }
        catch (DateTimeParseException e) {
            return null;
        }
    }
}
