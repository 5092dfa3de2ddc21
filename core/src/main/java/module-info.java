/**
 * localport's core: the registry, lock directory, probe, holders, reservations and services,
 * needing only the JDK. Not API: its package is exported only to localport's own adapters.
 *
 * @since 0.1.0
 */
module io.github.localport.core {
    requires java.logging;

    exports io.github.localport.core to io.github.localport, io.github.localport.spring, io.github.localport.maven,
            io.github.localport.cli;
}
