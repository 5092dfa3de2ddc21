package io.github.localport.internal;

import io.github.localport.Protocol;

/**
 * What a declaration asks for.
 *
 * @param name the {@code @LocalPort} name, empty for a port of its own
 * @param declaration the parameter, field or call that asked, for messages
 */
record PortRequest(String name, Protocol protocol, String declaration) {

    boolean isNamed() {
        return !name.isEmpty();
    }
}
