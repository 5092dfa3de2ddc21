package io.github.localport.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/** What the results depend on: the machine, the JDK and the kernel's port ranges. */
final class Machine {

    private Machine() {
    }

    /** The kernel's ephemeral range (Linux), {@code {first, last}}; {@code null} where the OS does not tell. */
    static int[] ephemeralRange() {
        try (InputStream in = Files.newInputStream(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
            String[] parts = new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip().split("\\s+");
            return new int[] { Integer.parseInt(parts[0]), Integer.parseInt(parts[1]) };
        }
        catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * localport's default range as the README states it: 49152-65535 minus the ephemeral range,
     * the larger side, if at least 1,000 ports; else 20000-29999.
     */
    static int[] localportDefaultRange() {
        int[] ephemeral = ephemeralRange();
        if (ephemeral == null) {
            return new int[] { 20000, 29999 };
        }
        int belowLast = Math.min(65535, ephemeral[0] - 1);
        int aboveFirst = Math.max(49152, ephemeral[1] + 1);
        boolean above = 65535 - aboveFirst >= belowLast - 49152;
        int first = above ? aboveFirst : 49152;
        int last = above ? 65535 : belowLast;
        return last - first + 1 < 1000 ? new int[] { 20000, 29999 } : new int[] { first, last };
    }

    static String describe() {
        int[] ephemeral = ephemeralRange();
        return String.format("%s; %d cores (availableProcessors); JDK %s (%s); %s %s; kernel ephemeral range %s;"
                + " load average %s", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.runtime.version"),
                System.getProperty("java.vm.name"), System.getProperty("os.name"), System.getProperty("os.version"),
                ephemeral == null ? "unknown" : ephemeral[0] + "-" + ephemeral[1], loadAverage());
    }

    static String loadAverage() {
        try (InputStream in = Files.newInputStream(Path.of("/proc/loadavg"))) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip()
                    .replaceAll("^(\\S+ \\S+ \\S+).*", "$1");
        }
        catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
