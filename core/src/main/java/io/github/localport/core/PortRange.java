package io.github.localport.core;

import java.io.IOException;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ports localport hands out: {@code first} to {@code last}, minus the ports the operating
 * system reserves for services of its own.
 *
 * @param origin where the range comes from, for messages
 */
public record PortRange(int first, int last, BitSet excluded, String origin) {

    static final int DYNAMIC_FIRST = 49152;
    static final int DYNAMIC_LAST = 65535;
    static final int FALLBACK_FIRST = 20000;
    static final int FALLBACK_LAST = 29999;
    static final int MIN_DEFAULT_SIZE = 1000;

    private static final String ASKED_FOR = "the port asked for";
    private static final Path LINUX_EPHEMERAL = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final Path LINUX_RESERVED = Path.of("/proc/sys/net/ipv4/ip_local_reserved_ports");

    /** Compiled when a range is set, not in every JVM that reserves a port: a fresh JVM's first pattern costs milliseconds. */
    private static final class Syntax {
        static final Pattern RANGE = Pattern.compile("(\\d{1,5})\\s*-\\s*(\\d{1,5})");
    }

    /** What the operating system tells, read once: it does not change while tests run. */
    private static final class OperatingSystem {
        static final Optional<int[]> EPHEMERAL = readEphemeralRange();
        static final BitSet RESERVED = readReservedPorts();
        static final PortRange DEFAULT = computeDefault(EPHEMERAL);
    }

    /** The one port of {@code ReservedPort.reserve(number)}: no range applies, and none can be widened. */
    public static PortRange exactly(int port) {
        return new PortRange(port, port, new BitSet(), ASKED_FOR);
    }

    boolean isExactlyAsked() {
        return ASKED_FOR.equals(origin);
    }

    public static PortRange systemDefault() {
        return OperatingSystem.DEFAULT;
    }

    static PortRange parse(String value) {
        Matcher matcher = Syntax.RANGE.matcher(value);
        if (matcher.matches()) {
            int first = Integer.parseInt(matcher.group(1));
            int last = Integer.parseInt(matcher.group(2));
            if (1024 <= first && first <= last && last <= 65535) {
                return new PortRange(first, last, OperatingSystem.RESERVED, "set by " + Settings.RANGE);
            }
        }
        throw Settings.invalid(Settings.RANGE, value,
                "FIRST-LAST with 1024 <= FIRST <= LAST <= 65535, for example " + example()
                        + " (ports below 1024 need privileges to bind)");
    }

    /**
     * A range to suggest in messages: 1,000 ports just below the OS's ephemeral range, which the
     * kernel never hands to outgoing connections, or the fallback range where the OS does not tell.
     */
    static String example() {
        return OperatingSystem.EPHEMERAL.filter(ephemeral -> ephemeral[0] > 2024 + 1000)
                .map(ephemeral -> (ephemeral[0] / 1000 - 1) * 1000 + "-" + ((ephemeral[0] / 1000) * 1000 - 1))
                .orElse(FALLBACK_FIRST + "-" + FALLBACK_LAST);
    }

    int size() {
        return last - first + 1;
    }

    public boolean contains(int port) {
        return first <= port && port <= last && !excluded.get(port);
    }

    @Override
    public String toString() {
        return first + "-" + last;
    }

    /** For messages and the log: the range and why it is what it is. */
    String describe() {
        return this + " (" + origin + ")";
    }

    static PortRange computeDefault(Optional<int[]> ephemeral) {
        if (ephemeral.isEmpty()) {
            return fallback("the operating system does not tell its ephemeral range");
        }
        int ephemeralFirst = ephemeral.get()[0];
        int ephemeralLast = ephemeral.get()[1];
        int belowFirst = DYNAMIC_FIRST;
        int belowLast = Math.min(DYNAMIC_LAST, ephemeralFirst - 1);
        int aboveFirst = Math.max(DYNAMIC_FIRST, ephemeralLast + 1);
        int aboveLast = DYNAMIC_LAST;
        boolean aboveIsLarger = aboveLast - aboveFirst >= belowLast - belowFirst;
        int first = aboveIsLarger ? aboveFirst : belowFirst;
        int last = aboveIsLarger ? aboveLast : belowLast;
        String ephemeralRange = ephemeralFirst + "-" + ephemeralLast;
        if (last - first + 1 < MIN_DEFAULT_SIZE) {
            return fallback("the ephemeral range " + ephemeralRange + " leaves fewer than " + MIN_DEFAULT_SIZE
                    + " ports of the dynamic range " + DYNAMIC_FIRST + "-" + DYNAMIC_LAST);
        }
        return new PortRange(first, last, OperatingSystem.RESERVED, "the dynamic range " + DYNAMIC_FIRST + "-" + DYNAMIC_LAST
                + " minus the ephemeral range " + ephemeralRange);
    }

    private static PortRange fallback(String why) {
        return new PortRange(FALLBACK_FIRST, FALLBACK_LAST, OperatingSystem.RESERVED, "fallback range: " + why);
    }

    private static Optional<int[]> readEphemeralRange() {
        try {
            String[] parts = ProcFile.fields(ProcFile.read(LINUX_EPHEMERAL));
            return Optional.of(new int[] { Integer.parseInt(parts[0]), Integer.parseInt(parts[1]) });
        }
        catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Linux's {@code ip_local_reserved_ports}: a list such as {@code 8080,9000-9010}. */
    private static BitSet readReservedPorts() {
        BitSet reserved = new BitSet(65536);
        try {
            for (String item : ProcFile.read(LINUX_RESERVED).strip().split(",")) {
                String[] bounds = item.strip().split("-");
                if (!bounds[0].isEmpty()) {
                    reserved.set(Integer.parseInt(bounds[0]), Integer.parseInt(bounds[bounds.length - 1]) + 1);
                }
            }
        }
        catch (IOException | RuntimeException e) {
            // Not Linux, or a list we cannot read: nothing to skip.
        }
        return reserved;
    }
}
