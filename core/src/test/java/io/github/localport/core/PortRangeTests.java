package io.github.localport.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class PortRangeTests {

    @Test
    void takesTheDynamicRangeAboveLinuxsEphemeralRange() {
        PortRange range = PortRange.computeDefault(Optional.of(new int[] { 32768, 60999 }));

        assertThat(range).hasToString("61000-65535");
        assertThat(range.describe()).isEqualTo(
                "61000-65535 (the dynamic range 49152-65535 minus the ephemeral range 32768-60999)");
    }

    @Test
    void takesTheLargerPartWhenTheEphemeralRangeSplitsTheDynamicRange() {
        assertThat(PortRange.computeDefault(Optional.of(new int[] { 50000, 60000 }))).hasToString("60001-65535");
        assertThat(PortRange.computeDefault(Optional.of(new int[] { 60000, 64000 }))).hasToString("49152-59999");
    }

    @Test
    void fallsBackBelowTheEphemeralRangeWhenTooLittleIsLeft() {
        PortRange range = PortRange.computeDefault(Optional.of(new int[] { 49152, 65535 }));

        assertThat(range).hasToString("20000-29999");
        assertThat(range.origin()).isEqualTo("fallback range: the ephemeral range 49152-65535 leaves fewer than 1000"
                + " ports of the dynamic range 49152-65535");
    }

    @Test
    void fallsBackWhenTheSystemDoesNotTell() {
        assertThat(PortRange.computeDefault(Optional.empty()).describe())
                .isEqualTo("20000-29999 (fallback range: the operating system does not tell its ephemeral range)");
    }

    @Test
    void readsThisMachinesEphemeralRange() throws IOException {
        Path linux = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        assumeTrue(Files.exists(linux), "Linux tells its ephemeral range");
        String[] bounds = Files.readAllLines(linux).get(0).strip().split("\\s+");

        assertThat(PortRange.systemDefault()).isEqualTo(PortRange.computeDefault(
                Optional.of(new int[] { Integer.parseInt(bounds[0]), Integer.parseInt(bounds[1]) })));
        assertThat(PortRange.systemDefault().origin()).contains("ephemeral range " + bounds[0] + "-" + bounds[1]);
    }
}
