package io.github.localport.modulepath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Exports;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;

import io.github.localport.LocalPort;
import io.github.localport.LocalService;
import io.github.localport.ReservedPort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * {@code @LocalPort} on the module path: the library, JUnit's API and this test are named modules, so
 * the test passes only if localport's module-info.java exports and opens the right packages.
 */
class ModulePathTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** Field injection: this package is opened to io.github.localport in module-info.java. */
    @LocalPort
    ReservedPort field;

    /** A service, registered by JUnit reading this field, on its own port for the class. */
    @RegisterExtension
    static final LocalService<LineServer> service = LocalService.of("line", port -> LineServer.start(port.number()));

    @Test
    void runsOnTheModulePath() {
        assertTrue(getClass().getModule().isNamed(), "the test runs in a named module");
        assertEquals("io.github.localport.modulepath", getClass().getModule().getName());
        assertEquals("io.github.localport", LocalPort.class.getModule().getName());
        // So the library's qualified 'opens ... to org.junit.platform.commons' is what JUnit relies on.
        assertEquals("org.junit.jupiter.api", Test.class.getModule().getName());
        assertEquals("org.junit.platform.commons", ReflectionSupport.class.getModule().getName());
    }

    @Test
    void libraryExportsItsApiOnlyAndOpensItsInternalsToJUnitOnly() {
        ModuleDescriptor descriptor = LocalPort.class.getModule().getDescriptor();
        assertEquals(Set.of("io.github.localport"),
                descriptor.exports().stream().map(Exports::source).collect(Collectors.toSet()));
        assertEquals(Set.of("io.github.localport.internal -> [org.junit.platform.commons]"),
                descriptor.opens().stream().map(opens -> opens.source() + " -> " + opens.targets())
                        .collect(Collectors.toSet()));
        Module commons = ReflectionSupport.class.getModule();
        assertFalse(LocalPort.class.getModule().isExported("io.github.localport.internal", getClass().getModule()));
        assertTrue(LocalPort.class.getModule().isOpen("io.github.localport.internal", commons));
    }

    @Test
    void parameter(@LocalPort int port) throws Exception {
        try (LineServer server = LineServer.start(port)) {
            assertEquals("echo: parameter", server.ask("parameter"));
        }
    }

    @Test
    void field() throws Exception {
        assertFalse(field.isListening());
        try (LineServer server = LineServer.start(field.number())) {
            field.awaitListening(TIMEOUT);
            assertEquals("echo: field", server.ask("field"));
        }
        field.awaitReleased(TIMEOUT);
    }

    @Test
    void reserveInCode() throws Exception {
        try (ReservedPort port = ReservedPort.reserve()) {
            assertNotEquals(field.number(), port.number());
            try (LineServer server = LineServer.start(port.number())) {
                assertEquals("echo: code", server.ask("code"));
            }
        }
    }

    @Test
    void service(@LocalPort("line") int port) throws Exception {
        assertEquals(service.port(), port);
        assertEquals("echo: service", service.service().ask("service"));
    }
}
