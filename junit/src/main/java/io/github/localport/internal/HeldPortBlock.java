package io.github.localport.internal;

import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

import io.github.localport.Protocol;
import io.github.localport.ReservedPort;
import io.github.localport.ReservedPortBlock;
import io.github.localport.core.PortBlock;
import io.github.localport.core.PortRequest;
import io.github.localport.core.Settings;

/**
 * A {@link ReservedPortBlock}: the core's {@link PortBlock} in the API's terms. Needs nothing but
 * the JDK and the core, so that {@link ReservedPortBlock#reserve} works without JUnit.
 */
public final class HeldPortBlock implements ReservedPortBlock {

    private final PortBlock block;
    private final List<HeldPort> ports;

    HeldPortBlock(PortBlock block) {
        this.block = block;
        this.ports = IntStream.range(0, block.size()).mapToObj(index -> new HeldPort(block.port(index))).toList();
    }

    /** Backs {@link ReservedPortBlock#reserve(int, int, Protocol)}: configured as {@link ReservedPort#reserve()} is. */
    public static ReservedPortBlock reserveForCaller(int size, int alignedTo, Protocol protocol) {
        Objects.requireNonNull(protocol, "protocol must not be null");
        PortRequest request = new PortRequest("", HeldPort.transport(protocol), new HeldPort.Call(
                "ReservedPortBlock.reserve(" + size + ", " + alignedTo + ", " + protocol + ")"));
        return new HeldPortBlock(PortBlock.reserve(request, size, alignedTo, HeldPort.CALLER_SCOPE,
                Settings.fromSystemProperties()));
    }

    PortBlock block() {
        return block;
    }

    /** The port numbers, as an {@code int[]} declaration gets them. */
    int[] numbers() {
        return IntStream.rangeClosed(first(), last()).toArray();
    }

    @Override
    public int first() {
        return block.first();
    }

    @Override
    public int last() {
        return block.last();
    }

    @Override
    public int size() {
        return block.size();
    }

    @Override
    public ReservedPort port(int index) {
        return heldPort(index);
    }

    HeldPort heldPort(int index) {
        return ports.get(index);
    }

    @Override
    public Protocol protocol() {
        return Protocol.valueOf(block.protocol().name());
    }

    @Override
    public void close() {
        HeldPort.failingAsTestFrameworksDo(block::close);
    }

    @Override
    public String toString() {
        return block.toString();
    }
}
