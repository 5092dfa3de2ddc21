package io.github.localport.core;

import java.util.ArrayList;
import java.util.List;

/**
 * Consecutive ports held together, for servers that need ports in a fixed relation: an RTP/RTCP
 * pair (an even port and the next), an FTP server's passive range, cluster nodes on a port and
 * the port above it. Each port of the block is a {@link Reservation} of its own, taken by
 * {@link PortRegistry#tryReserve} (claim, lock, probe) and closed with its own release check,
 * so a block is unique on the machine port by port, as single ports are.
 *
 * <p>The search walks the block's possible first ports (those of the range that are a multiple
 * of the alignment and leave room for the block) once, in a {@link RandomWalk}, and takes each
 * port of a candidate in ascending order; if one is not free, those already taken are released
 * unchecked (nothing was handed out) and the walk moves on. It never waits, so blocks cannot
 * wait for each other. When no candidate is free, the message tells how large a block of that
 * alignment the range can still give.
 */
public final class PortBlock implements AutoCloseable {

    private final List<Reservation> ports;

    private PortBlock(List<Reservation> ports) {
        this.ports = List.copyOf(ports);
    }

    /**
     * Reserves {@code size} consecutive ports of the range, the first a multiple of
     * {@code alignment}, each free for the request's protocol.
     *
     * @param request what asked for the block, for messages, and its protocol
     * @param size how many ports, at least 1
     * @param alignment the first port is a multiple of this, at least 1
     * @param scope how long the block is held, for messages
     * @param settings the range, the lock directory and the release check
     * @return the block, held until it is closed
     * @throws ConfigurationException if the size or alignment is below 1, or the lock directory
     *         cannot be used
     * @throws IllegalStateException if the range has no such block free; the message says the
     *         largest it has
     */
    public static PortBlock reserve(PortRequest request, int size, int alignment, String scope, Settings settings) {
        if (size < 1 || alignment < 1) {
            throw new ConfigurationException(String.format("A block has at least 1 port and an alignment of at least 1,"
                    + " but %s asks for %d ports aligned to %d.", request.declaration(), size, alignment));
        }
        if (request.dead()) {
            throw new ConfigurationException("A block of ports cannot be dead (" + request.declaration() + ")");
        }
        PortRange range = settings.range();
        int firstCandidate = ceilToMultiple(range.first(), alignment);
        long candidates = firstCandidate > range.last() - size + 1 ? 0
                : ((long) range.last() - size + 1 - firstCandidate) / alignment + 1;
        RandomWalk walk = RandomWalk.over((int) candidates);
        for (int i = 0; i < walk.size(); i++) {
            PortBlock block = tryReserve(firstCandidate + walk.step(i) * alignment, size, request, scope, settings);
            if (block != null) {
                PortRegistry.LOGGER.fine(() -> "Reserved ports " + block + " for " + request.declaration() + " in "
                        + scope);
                return block;
            }
        }
        throw exhausted(request, size, alignment, scope, settings);
    }

    /** The block from {@code first}, or {@code null} (nothing held) if one of its ports is not free. */
    private static PortBlock tryReserve(int first, int size, PortRequest request, String scope, Settings settings) {
        List<Reservation> taken = new ArrayList<>(size);
        try {
            for (int port = first; port < first + size; port++) {
                Reservation reservation = settings.range().contains(port)
                        ? PortRegistry.tryReserve(port, request, scope, settings) : null;
                if (reservation == null) {
                    taken.forEach(Reservation::releaseUnused);
                    return null;
                }
                taken.add(reservation);
            }
            return new PortBlock(taken);
        }
        catch (RuntimeException | Error e) {
            taken.forEach(Reservation::releaseUnused);
            throw e;
        }
    }

    /**
     * The failure when no block is free, with the largest block of this alignment the range can
     * give now: the longest run of ports free now, counted from its first aligned port. Each
     * port is tried and released again, so the figure is what a request made now would find.
     */
    private static IllegalStateException exhausted(PortRequest request, int size, int alignment, String scope,
            Settings settings) {
        PortRange range = settings.range();
        int largest = 0;
        int runStart = -1;
        for (int port = range.first(); port <= range.last() + 1; port++) {
            boolean free = port <= range.last() && isFreeNow(port, request, scope, settings);
            if (free && runStart < 0) {
                runStart = port;
            }
            else if (!free && runStart >= 0) {
                largest = Math.max(largest, port - ceilToMultiple(runStart, alignment));
                runStart = -1;
            }
        }
        String aligned = alignment == 1 ? "" : " whose first is a multiple of " + alignment;
        return new IllegalStateException(String.format("No block of %d consecutive ports%s is free in %s for %s: the"
                + " largest such block free now has %d port%s. Ask for a smaller block, hold blocks for shorter scopes,"
                + " or widen the range with configuration parameter '%s' (for example %s).", size, aligned,
                range.describe(), request.declaration(), largest, largest == 1 ? "" : "s", Settings.RANGE,
                PortRange.example()));
    }

    private static boolean isFreeNow(int port, PortRequest request, String scope, Settings settings) {
        if (!settings.range().contains(port)) {
            return false;
        }
        Reservation reservation = PortRegistry.tryReserve(port, request, scope, settings);
        if (reservation == null) {
            return false;
        }
        reservation.releaseUnused();
        return true;
    }

    private static int ceilToMultiple(int value, int multiple) {
        return (int) Math.min(Integer.MAX_VALUE, ((long) value + multiple - 1) / multiple * multiple);
    }

    /** @return the first port of the block */
    public int first() {
        return ports.get(0).number();
    }

    /** @return the last port of the block */
    public int last() {
        return first() + size() - 1;
    }

    /** @return how many ports the block has */
    public int size() {
        return ports.size();
    }

    /**
     * @param index from 0 to {@code size() - 1}
     * @return the reservation of the port {@code first() + index}
     */
    public Reservation port(int index) {
        return ports.get(index);
    }

    /** @return what every port of the block is free for */
    public Transport protocol() {
        return ports.get(0).protocol();
    }

    /**
     * Closes every port of the block in ascending order, each with its release check: all are
     * released even if one is still in use, and the first failure is thrown with the others
     * suppressed. Closing again does nothing.
     */
    @Override
    public void close() {
        Reservation.closeAll(ports);
    }

    @Override
    public String toString() {
        return "127.0.0.1:" + first() + "-" + last() + " (" + protocol() + ")";
    }
}
