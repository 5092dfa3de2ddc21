package io.github.localport.internal;

import io.github.localport.Protocol;

/**
 * What a declaration asks for.
 *
 * @param name the {@code @LocalPort} name, empty for a port of its own
 * @param declaration the parameter, field or call that asked, for messages
 * @param dead whether the port is held bound without listening, so that connections to it are
 *        refused and nothing else can listen on it
 */
record PortRequest(String name, Protocol protocol, String declaration, boolean dead) {

    PortRequest(String name, Protocol protocol, String declaration) {
        this(name, protocol, declaration, false);
    }

    boolean isNamed() {
        return !name.isEmpty();
    }
}
