package io.github.localport.benchmarks;

import java.util.Collection;
import java.util.regex.Pattern;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/** Runs one benchmark class with JMH, taking JMH's command-line options (-f, -i, -wi, -prof, -p ...). */
final class JmhMain {

    private JmhMain() {
    }

    static Collection<RunResult> run(Class<?> benchmark, String[] args) throws Exception {
        CommandLineOptions commandLine = new CommandLineOptions(args);
        OptionsBuilder builder = new OptionsBuilder();
        builder.parent(commandLine);
        if (commandLine.getIncludes().isEmpty()) {
            builder.include(Pattern.quote(benchmark.getName()) + "\\.");
        }
        Options options = builder.build();
        System.out.println("Machine: " + Machine.describe());
        return new Runner(options).run();
    }

    /** The score of the benchmark method (and parameter values, "name=value", if any) in the results, in its unit. */
    static RunResult find(Collection<RunResult> results, String method, String... params) {
        for (RunResult result : results) {
            String benchmark = result.getParams().getBenchmark();
            if (!benchmark.endsWith("." + method)) {
                continue;
            }
            boolean matches = true;
            for (String param : params) {
                String[] pair = param.split("=", 2);
                matches &= pair[1].equals(result.getParams().getParam(pair[0]));
            }
            if (matches) {
                return result;
            }
        }
        return null;
    }

    /** The score in microseconds per operation, whatever -tu said. */
    static double micros(RunResult result) {
        String unit = result.getPrimaryResult().getScoreUnit();
        double score = result.getPrimaryResult().getScore();
        return switch (unit) {
            case "ns/op" -> score / 1000;
            case "us/op" -> score;
            case "ms/op" -> score * 1000;
            case "s/op" -> score * 1_000_000;
            default -> throw new IllegalStateException("Run in average-time mode (-bm avgt), not " + unit);
        };
    }

    /** The score error in microseconds per operation. */
    static double microsError(RunResult result) {
        return micros(result) * result.getPrimaryResult().getScoreError() / result.getPrimaryResult().getScore();
    }

    static String score(RunResult result) {
        return String.format(java.util.Locale.ROOT, "%.2f ± %.2f %s", result.getPrimaryResult().getScore(),
                result.getPrimaryResult().getScoreError(), result.getPrimaryResult().getScoreUnit());
    }
}
