package io.ticksink.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** The jar's command line, parsed only: no benchmark runs here. */
class BenchmarksTest {

    @Test
    void withoutASubcommandTheJarRunsTheEndToEndBenchmarkWithItsOptions() {
        CommandLine cli = Benchmarks.commandLine();

        ParseResult parsed = cli.parseArgs("--ticks", "5000", "--drain-only");

        Object command = cli.getCommand();
        assertThat(command).isInstanceOf(Benchmark.class);
        assertThat(parsed.hasSubcommand()).isFalse();
        assertThat(parsed.matchedOptionValue("--ticks", 0L)).isEqualTo(5000L);
    }

    @Test
    void theFocusedBenchmarksAreSubcommandsWithTheirOwnOptions() {
        CommandLine cli = Benchmarks.commandLine();
        assertThat(cli.getSubcommands()).containsOnlyKeys("scaling", "migrator", "query", "bars");

        ParseResult bars = cli.parseArgs("bars", "--ticks", "1000", "--runs", "3");
        assertThat(bars.subcommand().matchedOptionValue("--runs", 0)).isEqualTo(3);

        ParseResult scaling = cli.parseArgs("scaling", "--ticks", "20000", "--counts", "1,2", "--",
                "--sqlite-synchronous", "NORMAL").subcommand();

        assertThat(scaling.commandSpec().name()).isEqualTo("scaling");
        assertThat(scaling.matchedOptionValue("--ticks", 0L)).isEqualTo(20000L);
        assertThat(scaling.matchedOptionValue("--counts", List.of())).isEqualTo(List.of(1, 2));
        assertThat(scaling.matchedPositionalValue(0, List.of())).isEqualTo(List.of("--sqlite-synchronous", "NORMAL"));
    }

    @Test
    void aQuantileIsInterpolatedInsideItsBucketBetweenTwoSnapshots() {
        TreeMap<Double, Double> before = new TreeMap<>();
        before.put(0.1, 10.0);
        before.put(0.2, 10.0);
        before.put(Double.POSITIVE_INFINITY, 10.0);
        TreeMap<Double, Double> after = new TreeMap<>();
        after.put(0.1, 60.0);
        after.put(0.2, 110.0);
        after.put(Double.POSITIVE_INFINITY, 110.0);

        assertThat(MeasuredJvm.quantile(before, after, 0.5)).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(MeasuredJvm.quantile(before, after, 0.75)).isCloseTo(0.15, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(MeasuredJvm.quantile(after, after, 0.5)).isNaN();
    }
}
