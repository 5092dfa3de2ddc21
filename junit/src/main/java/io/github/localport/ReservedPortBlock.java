package io.github.localport;

import io.github.localport.internal.HeldPortBlock;

/**
 * {@code ReservedPortBlock} is a block of consecutive ports on 127.0.0.1, each held as a
 * {@link ReservedPort} is: no other test, thread, JVM or build that uses localport on this
 * machine gets any of them until the block is closed. For servers that need ports in a fixed
 * relation: an RTP/RTCP pair (an even port and the next), an FTP server's passive range,
 * cluster nodes on a port and the port above it.
 *
 * <p>Inject it with {@link LocalPort#consecutive() @LocalPort(consecutive = N)}, or reserve
 * one in code:
 *
 * <pre>{@code
 * try (ReservedPortBlock rtp = ReservedPortBlock.reserve(2, 2, Protocol.UDP)) {
 *     media.start(rtp.first(), rtp.first() + 1); // RTP on an even port, RTCP on the next
 *     ...
 * } // checks that every port was let go of, then releases them all
 * }</pre>
 *
 * <h2>Which ports</h2>
 * The block comes from the configured range ({@value LocalPort#RANGE_PROPERTY_NAME}); its
 * first port is a multiple of the alignment; every port is free for the protocol asked for when
 * the block is handed out. A block that cannot be taken whole leaves nothing held.
 *
 * <h2>Release</h2>
 * {@link #close()} checks each port as {@link ReservedPort#close()} does, and releases all of
 * them even if one is still in use.
 *
 * <p>Like {@link ReservedPort}, it needs only the JDK and localport's jars, and all methods are
 * safe to call from several threads.
 *
 * @since 0.1.0
 */
public interface ReservedPortBlock extends AutoCloseable {

    /**
     * Reserves {@code size} consecutive ports free for TCP.
     *
     * @param size how many ports, at least 1
     * @return the block; close it to release every port
     * @throws IllegalStateException if the range has no such block free; the message says the
     *         largest block it can still give
     * @throws IllegalArgumentException if the size is below 1, or a {@code localport.*} setting
     *         is malformed or the lock directory is unusable
     */
    static ReservedPortBlock reserve(int size) {
        return reserve(size, 1, Protocol.TCP);
    }

    /**
     * Reserves {@code size} consecutive ports whose first is a multiple of {@code alignedTo},
     * each free for the protocol.
     *
     * @param size how many ports, at least 1
     * @param alignedTo the first port is a multiple of this, at least 1 (2 for an RTP/RTCP pair)
     * @param protocol what every port must be free for
     * @return the block; close it to release every port
     * @throws IllegalStateException if the range has no such block free; the message says the
     *         largest block of that alignment it can still give
     * @throws IllegalArgumentException if the size or alignment is below 1, or a
     *         {@code localport.*} setting is malformed or the lock directory is unusable
     */
    static ReservedPortBlock reserve(int size, int alignedTo, Protocol protocol) {
        return HeldPortBlock.reserveForCaller(size, alignedTo, protocol);
    }

    /**
     * Returns the first port of the block.
     *
     * @return the first port number
     */
    int first();

    /**
     * Returns the last port of the block, {@code first() + size() - 1}.
     *
     * @return the last port number
     */
    int last();

    /**
     * Returns how many ports the block has.
     *
     * @return the number of ports
     */
    int size();

    /**
     * Returns the port {@code first() + index} as a reservation of its own, to check it or to
     * get its address.
     *
     * @param index from 0 to {@code size() - 1}
     * @return the port
     * @throws IndexOutOfBoundsException if the index is not in the block
     */
    ReservedPort port(int index);

    /**
     * Returns what every port of the block was reserved for.
     *
     * @return the protocol
     */
    Protocol protocol();

    /**
     * Checks that nothing still listens on any port of the block, then releases them all.
     * Calling it again does nothing.
     *
     * @throws AssertionError if something still listens on a port after the grace period and
     *         the leak policy is {@code fail}; every port is released anyway
     */
    @Override
    void close();
}
