package io.github.localport.core;



/**
 * What a declaration asks for.
 *
 * @param name the {@code @LocalPort} name, empty for a port of its own
 * @param declaration the parameter, field or call that asked, for messages
 * @param dead whether the port is held bound without listening, so that connections to it are
 *        refused and nothing else can listen on it
 */
public record PortRequest(String name, Transport protocol, String declaration, boolean dead) {

    public PortRequest(String name, Transport protocol, String declaration) {
        this(name, protocol, declaration, false);
    }

    public boolean isNamed() {
        return !name.isEmpty();
    }
}
