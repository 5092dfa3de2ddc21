package io.github.localport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar as users run it: {@code java -jar localport-cli.jar}, nothing else on the class path. */
class JarIT {

    @Test
    void theJarRunsStandalone(@TempDir Path work) throws Exception {
        Process run = new ProcessBuilder(Cli.JAVA, "-Dlocalport.lock.dir=" + work.resolve("locks"), "-jar",
                System.getProperty("localport.cli.jar"), "run", "--port", "web", "--", "sh", "-c", "echo port=$WEB")
                .redirectErrorStream(true).start();

        assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(run.getInputStream().readAllBytes());
        assertThat(run.exitValue()).as(output).isZero();
        assertThat(output).containsPattern("port=\\d+").containsPattern("localport: WEB=\\d+");
    }
}
