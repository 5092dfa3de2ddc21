package io.github.localport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.localport.core.Reservation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ReservedPort.reserve()} for TestNG, build tools and plain programs: a JVM whose class
 * path holds localport's two jars (here: their class directories) and nothing else, reading its
 * settings from a {@code junit-platform.properties} on that class path as JUnit would.
 */
class WithoutJUnitTests {

    @Test
    void reservesWithOnlyLocalportOnTheClassPathAndReadsJunitPlatformProperties(@TempDir Path temp)
            throws Exception {
        Path locks = temp.resolve("locks");
        try (Held.Lease lease = Held.lease(1)) {
            run(temp, locks, lease.first());
        }
    }

    private static void run(Path temp, Path locks, int port) throws Exception {
        Path properties = Files.createDirectories(temp.resolve("properties"));
        Files.writeString(properties.resolve("junit-platform.properties"), "localport.lock.dir=" + locks
                + "\nlocalport.range=" + port + "-" + port + "\n");
        Path main = temp.resolve("main/" + NoJUnitMain.class.getName().replace('.', '/') + ".class");
        Files.createDirectories(main.getParent());
        Files.copy(location(NoJUnitMain.class).resolve(NoJUnitMain.class.getName().replace('.', '/') + ".class"),
                main);
        String classPath = String.join(java.io.File.pathSeparator, location(ReservedPort.class).toString(),
                location(Reservation.class).toString(), temp.resolve("main").toString(), properties.toString());

        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, "-Dlocalport.leak.grace=0s", NoJUnitMain.class.getName(), locks.toString())
                .redirectErrorStream(true).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<String> output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .toList();

        assertThat(output).as("exit code " + process.exitValue()).hasSize(4);
        assertThat(output.get(0)).isEqualTo("junit: false, opentest4j: false");
        assertThat(output.get(1)).isEqualTo("reserved " + port + ", lock file in " + locks + ": true");
        assertThat(output.get(2)).startsWith("java.lang.IllegalStateException: Port " + port + " (TCP) is not free"
                + " for ReservedPort.reserve() called at " + NoJUnitMain.class.getName() + ".main(")
                .contains("this JVM holds it for ReservedPort.reserve() called at");
        assertThat(output.get(3)).startsWith("io.github.localport.core.PortStillInUseError: Port " + port
                + " (TCP) is still in use 0s after the end of its reservation");
        assertThat(process.exitValue()).isZero();
    }

    private static Path location(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
