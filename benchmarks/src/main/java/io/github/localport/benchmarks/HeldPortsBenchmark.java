package io.github.localport.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.github.localport.ReservedPort;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;

/**
 * localport's allocate+release while 1,000 ports of its range are already held on the machine,
 * against none held. Target: flat.
 *
 * <ul>
 * <li>{@code none}: nothing held.</li>
 * <li>{@code thisJvm}: this JVM holds them (in-JVM claims, skipped without a system call).</li>
 * <li>{@code otherJvm}: another process holds them, reserved with localport from the same range
 * (so spread as localport spreads them): each one the walk meets costs a lock attempt.</li>
 * <li>{@code otherJvmBlock}: another process holds the 1,000 lowest ports of the range (a build
 * configured with {@code localport.range} on a part of the range): a contiguous block.</li>
 * </ul>
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.localport.benchmarks.HeldPortsBenchmark [JMH options]
 * </pre>
 * About 60 s; for a longer run add {@code -f 3 -wi 5 -i 10}; {@code -p held=2000} holds more.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HeldPortsBenchmark {

    @Param({ "none", "thisJvm", "otherJvm", "otherJvmBlock" })
    public String layout;

    @Param("1000")
    public int held;

    private final List<ReservedPort> heldHere = new ArrayList<>();
    private Process holder;

    @Setup
    public void setUp() throws Exception {
        Path directory = BenchmarkLockDirectory.useForThisJvm();
        int[] range = Machine.localportDefaultRange();
        switch (layout) {
            case "none" -> {
            }
            case "thisJvm" -> {
                for (int i = 0; i < held; i++) {
                    heldHere.add(ReservedPort.reserve());
                }
            }
            case "otherJvm" -> startHolder(directory, null);
            case "otherJvmBlock" -> startHolder(directory, range[0] + "-" + (range[0] + held - 1));
            default -> throw new IllegalArgumentException("layout " + layout);
        }
    }

    private void startHolder(Path directory, String range) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:+UseSerialGC", "-Dlocalport.lock.dir=" + directory));
        if (range != null) {
            command.add("-Dlocalport.range=" + range);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), HoldPorts.class.getName(),
                String.valueOf(held)));
        holder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
        String line;
        try {
            line = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                }
                catch (IOException e) {
                    return null;
                }
            }).get(60, TimeUnit.SECONDS);
        }
        catch (Exception e) {
            holder.destroyForcibly();
            throw new IllegalStateException("The process holding ports did not start within 60 s", e);
        }
        if (!("READY " + held).equals(line)) {
            holder.destroyForcibly();
            throw new IllegalStateException("The process holding ports said " + line);
        }
    }

    @TearDown
    public void tearDown() throws InterruptedException {
        heldHere.forEach(ReservedPort::close);
        heldHere.clear();
        if (holder != null) {
            try {
                holder.getOutputStream().close();
            }
            catch (IOException e) {
                // it is gone already
            }
            if (!holder.waitFor(30, TimeUnit.SECONDS)) {
                holder.destroyForcibly();
            }
        }
    }

    @Benchmark
    public int allocateAndRelease() {
        try (ReservedPort port = ReservedPort.reserve()) {
            return port.number();
        }
    }

    public static void main(String[] args) throws Exception {
        Collection<RunResult> results = JmhMain.run(HeldPortsBenchmark.class, args);
        RunResult none = JmhMain.find(results, "allocateAndRelease", "layout=none");
        if (none == null) {
            return;
        }
        System.out.println();
        for (String layout : List.of("thisJvm", "otherJvm", "otherJvmBlock")) {
            RunResult result = JmhMain.find(results, "allocateAndRelease", "layout=" + layout);
            if (result != null) {
                double ratio = result.getPrimaryResult().getScore() / none.getPrimaryResult().getScore();
                System.out.printf(Locale.ROOT, "%s ports held, %-13s %s vs none held %s: %.2fx (target: flat) %s%n",
                        result.getParams().getParam("held"), layout + ":", JmhMain.score(result), JmhMain.score(none),
                        ratio, ratio <= 1.2 ? "MET (within 20%)" : "MISSED");
            }
        }
    }
}
