package io.github.localport.core;



/**
 * What a declaration asks for.
 *
 * @param name the {@code @LocalPort} name, empty for a port of its own
 * @param description the parameter, field or call that asked, for messages: its {@code toString()}
 *        is the text, worked out only when a message needs it (a caller's stack frame, say)
 * @param dead whether the port is held bound without listening, so that connections to it are
 *        refused and nothing else can listen on it
 */
public record PortRequest(String name, Transport protocol, Object description, boolean dead) {

    public PortRequest(String name, Transport protocol, Object description) {
        this(name, protocol, description, false);
    }

    /** The parameter, field or call that asked, for messages. */
    public String declaration() {
        return description.toString();
    }

    public boolean isNamed() {
        return !name.isEmpty();
    }
}
