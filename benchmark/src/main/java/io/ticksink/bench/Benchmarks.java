package io.ticksink.bench;

import io.ticksink.bench.migrator.MigratorBenchmark;
import io.ticksink.bench.query.QueryBenchmark;
import io.ticksink.bench.scaling.ScalingBenchmark;
import picocli.CommandLine;

/**
 * The entry point of {@code ticksink-benchmark.jar}: without a subcommand the end-to-end run
 * ({@link Benchmark}, with its options), else one of the focused benchmarks. A new benchmark is one
 * more picocli command class, added here. The JMH micro benchmarks run through JMH's own main
 * ({@code java -cp ticksink-benchmark.jar org.openjdk.jmh.Main}).
 */
public final class Benchmarks {

    private Benchmarks() {
    }

    /** The command line: the end-to-end run with every focused benchmark as its subcommand. */
    public static CommandLine commandLine() {
        return new CommandLine(new Benchmark())
                .addSubcommand("scaling", new ScalingBenchmark())
                .addSubcommand("migrator", new MigratorBenchmark())
                .addSubcommand("query", new QueryBenchmark())
                .addSubcommand("bars", new io.ticksink.bench.bars.BarsBenchmark());
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
