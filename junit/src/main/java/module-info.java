/**
 * localport for JUnit Jupiter: {@code @LocalPort} gives every test its own free port on
 * 127.0.0.1; {@code ReservedPort} reserves one in code, with or without JUnit.
 *
 * @since 0.1.0
 */
module io.github.localport {
    requires transitive org.junit.jupiter.api;
    requires io.github.localport.core;

    exports io.github.localport;

    // JUnit instantiates the extension that @LocalPort names.
    opens io.github.localport.internal to org.junit.platform.commons;
}
