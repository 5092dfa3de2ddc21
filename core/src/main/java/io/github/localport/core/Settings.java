package io.github.localport.core;

import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Map;
import java.util.Properties;
import java.util.WeakHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code localport.*} configuration. Every adapter reads the same keys: the JUnit extension
 * from JUnit's configuration parameters, code that reserves ports itself
 * ({@link #fromSystemProperties()}) from system properties and then from a
 * {@code junit-platform.properties} on the class path, so that both agree on one build's lock
 * directory and range.
 */
public record Settings(PortRange range, Path lockDirectory, LeakPolicy leakPolicy, Duration leakGrace,
        Duration startupTimeout, boolean echoProcessOutput, Duration fixedWait) {

    public static final String RANGE = "localport.range";
    public static final String LOCK_DIRECTORY = "localport.lock.dir";
    public static final String LEAK_POLICY = "localport.leak.policy";
    public static final String LEAK_GRACE = "localport.leak.grace";
    public static final String STARTUP_TIMEOUT = "localport.service.startup.timeout";
    public static final String PROCESS_ECHO = "localport.process.echo";
    /** How long a port asked for by number waits for its holder to let go ({@link FixedPort}). */
    public static final String FIXED_WAIT = "localport.fixed.wait";
    /** The file JUnit reads its configuration parameters from; code outside JUnit reads it too. */
    static final String JUNIT_PROPERTIES = "junit-platform.properties";
    private static final Map<ClassLoader, Properties> JUNIT_PROPERTIES_BY_LOADER = new WeakHashMap<>();
    /** Every key {@link #from} reads; {@link #fromSystemProperties} reads exactly these. */
    private static final List<String> KEYS = List.of(RANGE, LOCK_DIRECTORY, LEAK_POLICY, LEAK_GRACE, STARTUP_TIMEOUT,
            PROCESS_ECHO, FIXED_WAIT);
    private static volatile FromSystemProperties lastFromSystemProperties;
    private static volatile JunitProperties lastJunitProperties;

    static final Duration DEFAULT_LEAK_GRACE = Duration.ofSeconds(2);
    static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(30);
    static final Duration DEFAULT_FIXED_WAIT = Duration.ofMinutes(1);
    private static final Duration MAX_DURATION = Duration.ofMinutes(10);
    /** Compiled when a duration is set, not in every JVM that reserves a port: a fresh JVM's first pattern costs milliseconds. */
    private static final class Syntax {
        static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s)");
    }

    public enum LeakPolicy {
        FAIL, WARN, OFF
    }

    /** Reads the settings through a lookup of keys, such as JUnit's configuration parameters. */
    public static Settings from(Function<String, Optional<String>> lookup) {
        // Plain conditionals, not Optional chains: each lambda costs a fresh JVM's first reservation a class.
        String range = value(lookup, RANGE);
        String lockDirectory = value(lookup, LOCK_DIRECTORY);
        String leakPolicy = value(lookup, LEAK_POLICY);
        String leakGrace = value(lookup, LEAK_GRACE);
        String startupTimeout = value(lookup, STARTUP_TIMEOUT);
        String echo = value(lookup, PROCESS_ECHO);
        String fixedWait = value(lookup, FIXED_WAIT);
        return new Settings(range == null ? PortRange.systemDefault() : PortRange.parse(range),
                lockDirectory == null ? defaultLockDirectory() : parsePath(lockDirectory),
                leakPolicy == null ? LeakPolicy.FAIL : parsePolicy(leakPolicy),
                leakGrace == null ? DEFAULT_LEAK_GRACE : parseDuration(LEAK_GRACE, leakGrace),
                startupTimeout == null ? DEFAULT_STARTUP_TIMEOUT : parseDuration(STARTUP_TIMEOUT, startupTimeout),
                echo != null && parseEcho(echo),
                fixedWait == null ? DEFAULT_FIXED_WAIT : parseDuration(FIXED_WAIT, fixedWait));
    }

    public Settings withRange(PortRange other) {
        return new Settings(other, lockDirectory, leakPolicy, leakGrace, startupTimeout, echoProcessOutput, fixedWait);
    }

    /**
     * The settings of code that reserves ports itself: each key from its system property, or
     * else from {@code junit-platform.properties} on the class path, as JUnit would read it.
     */
    public static Settings fromSystemProperties() {
        Properties file = junitProperties();
        String[] values = new String[KEYS.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = System.getProperty(KEYS.get(i), file.getProperty(KEYS.get(i)));
        }
        FromSystemProperties last = lastFromSystemProperties;
        if (last != null && Arrays.equals(last.values, values)) {
            return last.settings;
        }
        Settings settings = from(key -> Optional.ofNullable(values[KEYS.indexOf(key)])); // from() reads only KEYS
        lastFromSystemProperties = new FromSystemProperties(values, settings);
        return settings;
    }

    /** The settings last read from these values of {@link #KEYS}: parsed once, not on every reservation. */
    private record FromSystemProperties(String[] values, Settings settings) {
    }

    /**
     * The first {@code junit-platform.properties} on the context class path, or none; read once
     * per class loader, since looking it up on the class path costs more than a reservation.
     */
    private static Properties junitProperties() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        ClassLoader from = loader != null ? loader : Settings.class.getClassLoader();
        JunitProperties last = lastJunitProperties;
        if (last != null && last.loader().get() == from) {
            return last.properties(); // without the lock: every ReservedPort.reserve() comes here
        }
        synchronized (JUNIT_PROPERTIES_BY_LOADER) {
            Properties known = JUNIT_PROPERTIES_BY_LOADER.get(from);
            if (known != null) {
                lastJunitProperties = new JunitProperties(new WeakReference<>(from), known);
                return known;
            }
        }
        Properties properties = new Properties();
        URL resource = from.getResource(JUNIT_PROPERTIES);
        if (resource != null) {
            try (InputStream in = resource.openStream()) {
                properties.load(in);
            }
            catch (IOException | IllegalArgumentException e) {
                throw new ConfigurationException("localport cannot read " + resource + ": " + e
                        + ". Fix the file, or set the localport.* keys as system properties.");
            }
        }
        synchronized (JUNIT_PROPERTIES_BY_LOADER) {
            JUNIT_PROPERTIES_BY_LOADER.put(from, properties);
        }
        lastJunitProperties = new JunitProperties(new WeakReference<>(from), properties);
        return properties;
    }

    /** The junit-platform.properties of the class loader last asked about, which it does not keep alive. */
    private record JunitProperties(WeakReference<ClassLoader> loader, Properties properties) {
    }

    static ConfigurationException invalid(String key, String value, String expected) {
        return new ConfigurationException(String.format(
                "Invalid value '%s' for configuration parameter '%s': expected %s.", value, key, expected));
    }

    /** The key's value, stripped; {@code null} if it is not set. */
    private static String value(Function<String, Optional<String>> lookup, String key) {
        Optional<String> value = lookup.apply(key);
        return value.isPresent() ? value.get().strip() : null;
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
        throw invalid(LOCK_DIRECTORY, value, "the path of a directory");
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
            throw invalid(LEAK_POLICY, value, "fail, warn or off");
        }
    }

    private static boolean parseEcho(String value) {
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value);
        }
        throw invalid(PROCESS_ECHO, value, "true or false");
    }

    private static Duration parseDuration(String key, String value) {
        Duration duration = parseDuration(value);
        if (duration == null || duration.isNegative() || duration.compareTo(MAX_DURATION) > 0) {
            throw invalid(key, value, "a duration from 0 to 10 minutes such as 500ms, 2s or PT2S");
        }
        return duration;
    }

    private static Duration parseDuration(String value) {
        Matcher simple = Syntax.SIMPLE_DURATION.matcher(value);
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
