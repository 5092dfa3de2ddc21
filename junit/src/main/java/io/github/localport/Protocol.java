package io.github.localport;

/**
 * {@code Protocol} says what a reserved port must be free for.
 *
 * @since 0.1.0
 */
public enum Protocol {

    /** Free for a TCP server: nothing listens on the port. */
    TCP,

    /** Free for a UDP socket: nothing has the port bound for UDP. */
    UDP,

    /** Free for both, so that one number serves a TCP and a UDP socket. */
    TCP_AND_UDP
}
