package io.github.localport.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Blocks of consecutive ports on real sockets and lock files, in this JVM and across JVMs. */
@Timeout(60)
class PortBlockTests {

    private static final PortRequest REQUEST = new PortRequest("", Transport.TCP, "the block");

    @Test
    void reservesConsecutivePortsWhoseFirstIsAMultipleOfTheAlignmentEachHeld() {
        for (int i = 0; i < 20; i++) {
            PortBlock block = PortBlock.reserve(REQUEST, 4, 4, "a test", Settings.fromSystemProperties());
            try {
                assertThat(block.first() % 4).isZero();
                assertThat(block.size()).isEqualTo(4);
                assertThat(block.last()).isEqualTo(block.first() + 3);
                assertThat(IntStream.range(0, 4).map(index -> block.port(index).number()))
                        .containsExactly(block.first(), block.first() + 1, block.first() + 2, block.first() + 3);
                assertThat(IntStream.rangeClosed(block.first(), block.last())).allMatch(Held::byLocalport);
            }
            finally {
                block.close();
            }
            assertThat(IntStream.rangeClosed(block.first(), block.last())).noneMatch(Held::byLocalport);
        }
    }

    @Test
    void passesOverABlockWithAPortInUseAndKeepsNothingOfIt() throws IOException {
        int first = Held.freePorts(4);
        Settings settings = settings(first, first + 3, Map.of());
        try (ServerSocket server = new ServerSocket(first + 1, 50, InetAddress.getLoopbackAddress())) {
            for (int i = 0; i < 20; i++) {
                try (PortBlock block = PortBlock.reserve(REQUEST, 2, 1, "a test", settings)) {
                    assertThat(block.first()).isEqualTo(first + 2);
                    assertThat(Held.byLocalport(first)).as("the first port, tried and given back").isFalse();
                }
            }
        }
    }

    @Test
    void passesOverAPortBoundForUdpWhenTheBlockIsForTcpAndUdp() throws IOException {
        int first = Held.freePorts(4);
        Settings settings = settings(first, first + 3, Map.of());
        PortRequest both = new PortRequest("", Transport.TCP_AND_UDP, "the block");
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                first + 1))) {
            for (int i = 0; i < 10; i++) {
                try (PortBlock block = PortBlock.reserve(both, 2, 1, "a test", settings)) {
                    assertThat(block.first()).isEqualTo(first + 2);
                    assertThat(block.protocol()).isEqualTo(Transport.TCP_AND_UDP);
                }
            }
        }
    }

    @Test
    void saysHowLargeABlockTheRangeCanStillGiveAndHoldsNothingWhenItHasNone() throws IOException {
        int first = Held.freePorts(8);
        int last = first + 7;
        Settings settings = settings(first, last, Map.of());
        try (ServerSocket server = new ServerSocket(first + 3, 50, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> PortBlock.reserve(REQUEST, 5, 2, "a test", settings))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("No block of 5 consecutive ports whose first is a multiple of 2 is free in %d-%d (set by"
                            + " localport.range) for the block: the largest such block free now has 4 ports. Ask for a"
                            + " smaller block, hold blocks for shorter scopes, or widen the range with configuration"
                            + " parameter 'localport.range' (for example %s).", first, last, PortRange.example());
            assertThat(IntStream.rangeClosed(first, last)).noneMatch(Held::byLocalport);

            try (PortBlock block = PortBlock.reserve(REQUEST, 4, 2, "a test", settings)) {
                assertThat(block.first()).isEqualTo(first + 4);
            }
        }
    }

    @Test
    void closesEveryPortWithItsCheckAndReleasesAllWhenOneIsStillInUse() throws IOException {
        PortBlock block = PortBlock.reserve(REQUEST, 3, 1, "test T", Settings.fromSystemProperties());
        int middle = block.first() + 1;
        try (ServerSocket server = new ServerSocket(middle, 50, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(block::close).isInstanceOf(PortStillInUseError.class)
                    .hasMessageStartingWith("Port " + middle + " (TCP) is still in use 2s after the end of test T");
        }
        assertThat(IntStream.rangeClosed(block.first(), block.last())).noneMatch(Held::byLocalport);
        block.close(); // again: nothing left to do
    }

    /** Without the release check: nothing binds the ports, and a program elsewhere on the machine may. */
    @Test
    void threadsReservingBlocksAtOnceNeverShareAPort() throws Exception {
        Settings unchecked = Settings.from(key -> Optional.ofNullable(key.equals(Settings.LEAK_POLICY) ? "off"
                : System.getProperty(key)));
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<PortBlock> blocks = new ArrayList<>();
        try {
            List<Future<List<PortBlock>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit((Callable<List<PortBlock>>) () -> {
                    assertThat(start.await(10, TimeUnit.SECONDS)).isTrue();
                    List<PortBlock> mine = new ArrayList<>();
                    for (int i = 0; i < 10; i++) {
                        mine.add(PortBlock.reserve(REQUEST, 3, 1, "a test", unchecked));
                    }
                    return mine;
                }));
            }
            start.countDown();
            for (Future<List<PortBlock>> future : futures) {
                blocks.addAll(future.get(30, TimeUnit.SECONDS));
            }
            assertThat(blocks.stream().flatMapToInt(block -> IntStream.rangeClosed(block.first(), block.last())))
                    .hasSize(threads * 10 * 3).doesNotHaveDuplicates();
        }
        finally {
            pool.shutdownNow();
            blocks.forEach(PortBlock::close);
        }
    }

    @Test
    void childJvmsReservingBlocksAtOnceNeverShareAPort(@TempDir Path lockDirectory) throws Exception {
        int first = PortRange.systemDefault().first() + 1200; // beside the windows of CrossJvmTests and ParallelBuildTests
        int last = first + 299;
        List<String> narrowRange = List.of("-Dlocalport.range=" + first + "-" + last,
                "-Dlocalport.lock.dir=" + lockDirectory);
        List<ChildJvm> children = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                children.add(ChildJvm.start(narrowRange, ReserveBlocksAndHold.class, "10", "4", "2"));
            }
            for (ChildJvm child : children) {
                assertThat(child.readLine()).isEqualTo("STARTED");
            }
            children.forEach(child -> child.send("go"));
            List<Integer> ports = new ArrayList<>();
            for (ChildJvm child : children) {
                for (String line : child.readUntil("READY")) {
                    int blockFirst = Integer.parseInt(line.split(" ")[0]);
                    assertThat(line).isEqualTo(blockFirst + " " + (blockFirst + 3));
                    assertThat(blockFirst % 2).isZero();
                    IntStream.rangeClosed(blockFirst, blockFirst + 3).forEach(ports::add);
                }
            }

            assertThat(ports).hasSize(3 * 10 * 4).doesNotHaveDuplicates()
                    .allSatisfy(port -> assertThat(port).isBetween(first, last));
            for (ChildJvm child : children) {
                assertThat(child.finish()).isZero();
            }
            assertThat(ports).noneMatch(port -> PortRegistry.isHeld(port, lockDirectory));
        }
        finally {
            children.forEach(ChildJvm::close);
        }
    }

    @Test
    void refusesASizeOrAnAlignmentBelowOne() {
        assertThatThrownBy(() -> PortBlock.reserve(REQUEST, 0, 1, "a test", Settings.fromSystemProperties()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("A block has at least 1 port and an alignment of at least 1, but the block asks for 0 ports"
                        + " aligned to 1.");
        assertThatThrownBy(() -> PortBlock.reserve(REQUEST, 2, 0, "a test", Settings.fromSystemProperties()))
                .isInstanceOf(ConfigurationException.class);
    }

    private static Settings settings(int first, int last, Map<String, String> values) {
        return Settings.from(key -> Optional.ofNullable(key.equals(Settings.RANGE) ? first + "-" + last
                : values.getOrDefault(key, System.getProperty(key))));
    }
}
