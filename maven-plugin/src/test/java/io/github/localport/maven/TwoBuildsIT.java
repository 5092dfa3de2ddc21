package io.github.localport.maven;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Maven processes at once on one machine, as two CI jobs on one host: each reserves two
 * ports from the same four-port range and holds them until the other has reserved its own. With
 * build-helper's reserve-network-port they could get the same port; here they must split the
 * range between them.
 */
class TwoBuildsIT {

    @Test
    void twoBuildsAtOnceSplitAFourPortRange(@TempDir Path work) throws Exception {
        int first = MavenBuilds.quietPorts(4);
        Path portsA = work.resolve("a.properties");
        Path portsB = work.resolve("b.properties");
        Process a = MavenBuilds.start(arguments(first, portsA, portsB), work.resolve("a.log"));
        Process b = MavenBuilds.start(arguments(first, portsB, portsA), work.resolve("b.log"));
        try {
            assertThat(a.waitFor(180, TimeUnit.SECONDS)).as("build A finished").isTrue();
            assertThat(b.waitFor(180, TimeUnit.SECONDS)).as("build B finished").isTrue();
            assertThat(a.exitValue()).as(MavenBuilds.read(work.resolve("a.log"))).isZero();
            assertThat(b.exitValue()).as(MavenBuilds.read(work.resolve("b.log"))).isZero();

            List<Integer> ports = new ArrayList<>(ports(portsA));
            ports.addAll(ports(portsB));
            assertThat(ports).containsExactlyInAnyOrder(first, first + 1, first + 2, first + 3);
        }
        finally {
            a.destroyForcibly();
            b.destroyForcibly();
        }
    }

    private static List<String> arguments(int first, Path ports, Path otherPorts) throws IOException {
        List<String> arguments = MavenBuilds.commonArguments("two-builds");
        arguments.addAll(List.of("-Dlocalport.range=" + first + "-" + (first + 3), "-Dports.file=" + ports,
                "-Dother.ports.file=" + otherPorts, "verify"));
        return arguments;
    }

    private static List<Integer> ports(Path file) throws IOException {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        }
        return List.of(Integer.valueOf(properties.getProperty("a.port")), Integer.valueOf(properties.getProperty(
                "b.port")));
    }
}
