package io.github.localport.benchmarks;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.Collection;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.github.localport.LocalPort;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;

/**
 * What {@code @LocalPort} adds to a test: the JUnit Platform launcher runs 200 empty tests, and
 * 200 empty tests that each take one {@code @LocalPort int} parameter (a port reserved before
 * the test, checked and released after it), sequentially. Scores are per test; their difference
 * is the extension's per-test overhead. Target: under 0.2 ms. A third run, one int parameter from
 * a resolver that returns 0, splits that into what JUnit costs to resolve any parameter and what
 * localport itself does.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.localport.benchmarks.PerTestOverheadBenchmark [JMH options]
 * </pre>
 * About 75 s; for a longer run add {@code -f 3 -wi 10 -i 10}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@OperationsPerInvocation(PerTestOverheadBenchmark.TESTS)
public class PerTestOverheadBenchmark {

    static final int TESTS = 200;

    private Launcher launcher;
    private LauncherDiscoveryRequest emptyTests;
    private LauncherDiscoveryRequest oneLocalPortTests;
    private LauncherDiscoveryRequest oneTrivialParameterTests;

    @Setup
    public void setUp() {
        BenchmarkLockDirectory.useForThisJvm();
        launcher = LauncherFactory.create();
        emptyTests = request(EmptyTest.class);
        oneLocalPortTests = request(OneLocalPortTest.class);
        oneTrivialParameterTests = request(OneTrivialParameterTest.class);
        verify(emptyTests);
        verify(oneLocalPortTests);
        verify(oneTrivialParameterTests);
        if (OneLocalPortTest.ports.get() != TESTS) {
            throw new IllegalStateException("Expected a port for each of " + TESTS + " tests, got "
                    + OneLocalPortTest.ports.get());
        }
    }

    private static LauncherDiscoveryRequest request(Class<?> testClass) {
        return LauncherDiscoveryRequestBuilder.request().selectors(selectClass(testClass))
                .configurationParameter("junit.jupiter.execution.parallel.enabled", "false")
                .build();
    }

    /** Each of the 200 tests ran and passed, or the numbers mean nothing. */
    private void verify(LauncherDiscoveryRequest request) {
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(request, listener);
        TestExecutionSummary summary = listener.getSummary();
        if (summary.getTestsSucceededCount() != TESTS || summary.getTotalFailureCount() != 0) {
            summary.printFailuresTo(new java.io.PrintWriter(System.err, true), 20);
            throw new IllegalStateException(summary.getTestsSucceededCount() + " of " + TESTS + " tests succeeded");
        }
    }

    @Benchmark
    public void emptyTest() {
        launcher.execute(emptyTests);
    }

    @Benchmark
    public void oneLocalPortTest() {
        launcher.execute(oneLocalPortTests);
    }

    /**
     * Control: what JUnit's parameter resolution costs by itself, with a resolver that does
     * nothing but return a number. oneLocalPortTest minus this is localport's own work.
     */
    @Benchmark
    public void oneTrivialParameterTest() {
        launcher.execute(oneTrivialParameterTests);
    }

    public static class EmptyTest {
        @RepeatedTest(TESTS)
        void test() {
        }
    }

    public static class OneLocalPortTest {
        /** Proves each test got a port. */
        static final java.util.concurrent.atomic.AtomicInteger ports = new java.util.concurrent.atomic.AtomicInteger();

        @RepeatedTest(TESTS)
        void test(@LocalPort int port) {
            if (port >= 1024) {
                ports.incrementAndGet();
            }
        }
    }

    public static class OneTrivialParameterTest {
        @RepeatedTest(TESTS)
        void test(@ExtendWith(Zero.class) int port) {
        }
    }

    /** Resolves any int parameter to 0. */
    public static class Zero implements ParameterResolver {
        @Override
        public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
            return parameterContext.getParameter().getType() == int.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
            return 0;
        }
    }

    public static void main(String[] args) throws Exception {
        Collection<RunResult> results = JmhMain.run(PerTestOverheadBenchmark.class, args);
        RunResult empty = JmhMain.find(results, "emptyTest");
        RunResult withPort = JmhMain.find(results, "oneLocalPortTest");
        if (empty != null && withPort != null) {
            double difference = JmhMain.micros(withPort) - JmhMain.micros(empty);
            double error = JmhMain.microsError(withPort) + JmhMain.microsError(empty);
            System.out.printf(Locale.ROOT, "%nper test: with one @LocalPort %s, empty %s: overhead %.1f ± %.1f us"
                    + " (target: under 200 us) %s%n", JmhMain.score(withPort), JmhMain.score(empty), difference, error,
                    difference < 200 ? "MET" : "MISSED");
            RunResult trivial = JmhMain.find(results, "oneTrivialParameterTest");
            if (trivial != null) {
                System.out.printf(Locale.ROOT, "of which JUnit resolving any parameter (a resolver returning 0, %s):"
                        + " %.1f us; localport's own work: %.1f us%n", JmhMain.score(trivial),
                        JmhMain.micros(trivial) - JmhMain.micros(empty), JmhMain.micros(withPort) - JmhMain.micros(trivial));
            }
        }
    }
}
