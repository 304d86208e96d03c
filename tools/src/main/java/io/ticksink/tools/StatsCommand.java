package io.ticksink.tools;

import io.ticksink.cli.DataDirsOption;
import io.ticksink.cli.Durations;
import io.ticksink.schema.StoreException;
import io.ticksink.schema.Tick;
import io.ticksink.schema.TickCursor;
import io.ticksink.schema.TickQueries;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code stats}: per day and symbol, counts, first and last tick, average spread and gaps. */
@Command(name = "stats", mixinStandardHelpOptions = true,
        description = {"Print CSV per day and symbol: " + SymbolDayStats.CSV_HEADER + ".",
                "gaps counts intervals between consecutive ticks longer than --gap; max_gap_ms is the longest interval."})
final class StatsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DataDirsOption data;

    @Option(names = "--day", paramLabel = "YYYY-MM-DD", description = "Only this day (default: every day).")
    LocalDate day;

    @Option(names = "--symbol", description = "Only this symbol.")
    String symbol;

    @Option(names = "--gap", defaultValue = "60s", converter = Durations.class,
            description = "Gap threshold. Default: ${DEFAULT-VALUE}.")
    Duration gap;

    @Override
    public Integer call() throws StoreException {
        PrintWriter out = spec.commandLine().getOut();
        out.println(SymbolDayStats.CSV_HEADER);
        try (TickQueries queries = new TickQueries(data.dataDirs)) {
            List<LocalDate> days = day != null ? List.of(day) : queries.days();
            for (LocalDate d : days) {
                printDay(queries, d, out);
            }
        }
        out.flush();
        return 0;
    }

    private void printDay(TickQueries queries, LocalDate d, PrintWriter out) throws StoreException {
        SymbolDayStats current = null;
        try (TickCursor cursor = queries.day(d, symbol)) {
            while (cursor.next()) {
                Tick t = cursor.tick();
                if (current == null || !current.symbol().equals(t.symbol())) {
                    if (current != null) {
                        out.println(current.csvRow(d.toString()));
                    }
                    current = new SymbolDayStats(t.symbol(), gap.toMillis());
                }
                current.add(t.timestampMillis(), t.spread());
            }
        }
        if (current != null) {
            out.println(current.csvRow(d.toString()));
        }
    }
}
