package io.github.localport.benchmarks;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.Collection;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.github.localport.ReservedPort;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;

/**
 * The cost of getting a port and giving it back, one thread: localport's
 * {@code ReservedPort.reserve()} and {@code close()} (which checks nothing listens any more)
 * against a bare {@code new ServerSocket(0)} opened and closed, Spring's
 * {@code TestSocketUtils.findAvailableTcpPort()} and a random port of 49152-65535 with a bind
 * check. Target: localport no more than 2x {@code serverSocket0}, measured in the same run.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.localport.benchmarks.AllocateReleaseBenchmark [JMH options]
 * </pre>
 * About 45 s; for a longer run add {@code -f 3 -wi 5 -i 10}, for a profile {@code -prof stack}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AllocateReleaseBenchmark {

    @Setup
    public void setUp() {
        BenchmarkLockDirectory.useForThisJvm();
    }

    @Benchmark
    public int localport() {
        try (ReservedPort port = ReservedPort.reserve()) {
            return port.number();
        }
    }

    @Benchmark
    public int serverSocket0() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Benchmark
    public int springTestSocketUtils() {
        return Strategy.SPRING.allocate().port();
    }

    @Benchmark
    public int randomWithBindCheck() {
        return Strategy.RANDOM.allocate().port();
    }

    public static void main(String[] args) throws Exception {
        Collection<RunResult> results = JmhMain.run(AllocateReleaseBenchmark.class, args);
        RunResult localport = JmhMain.find(results, "localport");
        RunResult baseline = JmhMain.find(results, "serverSocket0");
        if (localport != null && baseline != null) {
            double ratio = localport.getPrimaryResult().getScore() / baseline.getPrimaryResult().getScore();
            System.out.printf(Locale.ROOT, "%nlocalport allocate+release %s vs new ServerSocket(0) open+close %s:"
                    + " %.2fx (target: at most 2x) %s%n", JmhMain.score(localport), JmhMain.score(baseline), ratio,
                    ratio <= 2 ? "MET" : "MISSED");
        }
    }
}
