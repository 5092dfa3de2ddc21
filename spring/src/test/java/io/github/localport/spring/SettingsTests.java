package io.github.localport.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.localport.LocalPort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.junit.jupiter.SpringJUnitConfig;

/** The localport.* keys come from where @LocalPort reads them, so one build configures both alike. */
class SettingsTests {

    static final Map<String, Integer> SEEN = new ConcurrentHashMap<>();

    @Test
    void aLockDirectorySetInJunitPlatformPropertiesHoldsTheContextsPortsBesideLocalPorts(@TempDir Path locks,
            @TempDir Path resources) {
        JunitPlatformProperties.with(resources, Map.of("localport.lock.dir", locks.toString()),
                () -> SpringTestKit.springTestKit().inThisThread().execute(BothTestCase.class)).allEvents()
                .assertStatistics(stats -> stats.failed(0).succeeded(3));

        assertThat(locks.resolve(SEEN.get("own") + ".lock")).as("@LocalPort's lock file").exists();
        assertThat(locks.resolve(SEEN.get("server.port") + ".lock")).as("the context's lock file").exists();
    }

    @Configuration
    static class EmptyConfig {
    }

    @SpringJUnitConfig(EmptyConfig.class)
    @LocalPortProperties("server.port")
    @DirtiesContext
    static class BothTestCase {

        @LocalPort
        static int own;

        @Test
        void holdsBoth(@Value("${server.port}") int contextPort) {
            SEEN.put("own", own);
            SEEN.put("server.port", contextPort);
        }
    }
}
