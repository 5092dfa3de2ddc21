package io.github.localport.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The claim of the README's "Parallel builds": three JVMs of four threads each, every thread
 * binding a server on each port it gets while the JVMs' clients churn outgoing connections,
 * never clash and never hold one port at the same time. Correctness, not timing: the children
 * share a narrow range and a lock directory of their own, so ports are handed from one holder
 * to the next all the time and another build on the machine cannot interfere.
 */
class ParallelBuildTests {

    private static final int JVMS = 3;
    private static final int THREADS = 4;
    private static final int ALLOCATIONS_PER_THREAD = 150;
    private static final int RANGE_SIZE = 40;

    /** Between the windows PortRegistryTests (first..+599) and CrossJvmTests (+800..+949) use. */
    private static final int RANGE_OFFSET = 600;
    private static final int TWO_COPIES_OFFSET = RANGE_OFFSET + RANGE_SIZE;

    @Test
    @Timeout(90)
    void jvmsWhoseThreadsBindTheirPortsWhileClientsChurnNeverClashNorShareAPort(@TempDir Path directory)
            throws Exception {
        List<Hold> holds = run(directory, 1, RANGE_OFFSET, RANGE_SIZE);
        assertThat(holds.stream().map(Hold::port).filter(port -> holds.stream()
                .filter(hold -> hold.port() == port).map(Hold::jvm).distinct().count() > 1).distinct().count())
                .as("ports held by more than one JVM in turn").isPositive();
    }

    /**
     * Two copies of localport in each JVM (two class loaders, as application servers and plugin
     * hosts have) on a range of a few ports: collisions between the copies are constant, and
     * must neither leak file descriptors nor drop the other copy's lock.
     */
    @Test
    @Timeout(90)
    void twoCopiesOfLocalportInEachJvmNeverShareAPortNorKeepFilesOpen(@TempDir Path directory) throws Exception {
        run(directory, 2, TWO_COPIES_OFFSET, JVMS * THREADS + 4);
    }

    /** Runs the children on the range and checks every hold; returns them. */
    private static List<Hold> run(Path directory, int copies, int offset, int rangeSize) throws Exception {
        int first = Held.privateRangeFirst() + offset;
        int last = first + rangeSize - 1;
        List<String> properties = List.of("-Dlocalport.range=" + first + "-" + last,
                "-Dlocalport.lock.dir=" + directory.resolve("locks"));
        List<ChildJvm> children = new ArrayList<>();
        List<String> results = new ArrayList<>();
        try {
            for (int i = 0; i < JVMS; i++) {
                children.add(ChildJvm.start(properties, ReserveBindAndChurn.class, String.valueOf(THREADS),
                        String.valueOf(ALLOCATIONS_PER_THREAD), directory.resolve("holds-" + i).toString(),
                        String.valueOf(copies)));
            }
            for (ChildJvm child : children) {
                assertThat(child.readLine()).isEqualTo("STARTED");
            }
            children.forEach(child -> child.send("go"));
            for (ChildJvm child : children) {
                List<String> lines = child.readUntil("DONE");
                assertThat(lines).as("what the child printed").hasSizeGreaterThanOrEqualTo(2);
                results.add(lines.get(lines.size() - 2));
                assertThat(Long.parseLong(lines.get(lines.size() - 1).split(" ")[1]))
                        .as("lock files the child kept open after releasing every port: at most one per port and copy")
                        .isLessThanOrEqualTo((long) copies * rangeSize);
                assertThat(lines.subList(0, lines.size() - 2)).as("clashes and errors the child printed").isEmpty();
            }
            for (ChildJvm child : children) {
                assertThat(child.finish()).isZero();
            }
        }
        finally {
            children.forEach(ChildJvm::close);
        }

        for (String result : results) {
            String[] counts = result.split(" ");
            assertThat(counts[0]).isEqualTo("RESULT");
            // All of them unless the child ran out of its time limit, as it can on a machine running other builds.
            assertThat(Integer.parseInt(counts[1])).as("allocations in " + result).isPositive()
                    .isLessThanOrEqualTo(THREADS * ALLOCATIONS_PER_THREAD);
            assertThat(Integer.parseInt(counts[2])).as("clashes (BindException) in " + result).isZero();
            assertThat(Integer.parseInt(counts[3])).as("errors in " + result).isZero();
            assertThat(Integer.parseInt(counts[4])).as("outgoing connections in " + result).isPositive();
        }
        List<Hold> holds = new ArrayList<>();
        for (int i = 0; i < JVMS; i++) {
            for (String line : Files.readAllLines(directory.resolve("holds-" + i))) {
                holds.add(Hold.parse("jvm" + i, line));
            }
        }
        assertThat(holds).hasSize(results.stream().mapToInt(result -> Integer.parseInt(result.split(" ")[1])).sum())
                .allSatisfy(hold -> assertThat(hold.port()).isBetween(first, last));
        assertThat(holds.stream().map(Hold::port).distinct().count())
                .as("ports went from holder to holder, across JVMs").isLessThanOrEqualTo(rangeSize);
        assertThat(overlapping(holds)).as("holds of one port at the same time").isEmpty();
        return holds;
    }

    /** Pairs of holds of one port whose intervals overlap; {@link FixedPortQueueTests} checks its holds with it too. */
    static List<String> overlapping(List<Hold> holds) {
        List<String> overlaps = new ArrayList<>();
        Map<Integer, List<Hold>> byPort = holds.stream().collect(Collectors.groupingBy(Hold::port));
        for (List<Hold> ofPort : byPort.values()) {
            ofPort.sort(Comparator.comparingLong(Hold::start));
            Hold latest = null;
            for (Hold hold : ofPort) {
                if (latest != null && hold.start() < latest.end()) {
                    overlaps.add(latest + " and " + hold);
                }
                if (latest == null || hold.end() > latest.end()) {
                    latest = hold;
                }
            }
        }
        return overlaps;
    }

    record Hold(String jvm, int port, long start, long end) {

        static Hold parse(String jvm, String line) throws IOException {
            String[] parts = line.split(" ");
            if (parts.length != 3) {
                throw new IOException("not 'port start end': " + line);
            }
            return new Hold(jvm, Integer.parseInt(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2]));
        }
    }
}
