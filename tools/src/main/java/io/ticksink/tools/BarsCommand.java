package io.ticksink.tools;

import io.ticksink.cli.DataDirsOption;
import io.ticksink.schema.DayFiles;
import io.ticksink.schema.DayStats;
import io.ticksink.schema.StoreException;
import io.ticksink.schema.TickQueries;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code bars}: OHLC bars per symbol and interval over a time range, with tick count and spread.
 * Each symbol's ticks are streamed in timestamp order through the same union read as
 * {@code query} (split files of a day, several dirs with each source record once), reading only
 * their prices and, over several dirs, their lineage; pieces of the range are read on one thread
 * per core ({@link BarReader}). Memory holds the bars of a few hours, not the ticks of the range.
 */
@Command(name = "bars", mixinStandardHelpOptions = true,
        description = {"Print OHLC bars of ticks with FROM <= timestamp < TO, per symbol, then by time.",
                "CSV header: " + BarFormat.CSV_HEADER + ".",
                "timestamp is the bar's start (UTC; bars are aligned to midnight UTC); ticks of equal timestamp "
                        + "count in the order query prints them; spread_* are over the ticks' stored spreads."})
final class BarsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ParentCommand
    Main main;

    @Mixin
    DataDirsOption data;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Symbols symbols;

    static final class Symbols {
        @Option(names = "--symbol", required = true, paramLabel = "SYMBOL",
                description = "A symbol; repeat for several (printed in the order given).")
        List<String> names;

        @Option(names = "--all-symbols", required = true,
                description = "Every symbol that has ticks on a day of the range (printed in name order).")
        boolean all;
    }

    @Option(names = "--from", required = true, converter = Instants.class, paramLabel = "TIME",
            description = "First instant, inclusive: epoch milliseconds, RFC 3339 or YYYY-MM-DD (UTC).")
    long from;

    @Option(names = "--to", required = true, converter = Instants.class, paramLabel = "TIME",
            description = "End instant, exclusive.")
    long to;

    @Option(names = "--interval", required = true, converter = BarIntervals.class, paramLabel = "DURATION",
            description = "Bar length that divides a day: 1s, 1m, 5m, 15m, 1h, 1d ...")
    long interval;

    @Option(names = "--price", defaultValue = "mid",
            description = "bid, ask or mid ((bid + ask) / 2). Default: ${DEFAULT-VALUE}.")
    String price;

    @Option(names = "--format", defaultValue = "csv",
            description = "csv (with a header) or json (one object per line). Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--fill",
            description = "Also print the intervals without ticks, from a symbol's first bar up to TO (never past now): "
                    + "every price the last close, ticks 0, spread fields empty (null in JSON).")
    boolean fill;

    @Override
    public Integer call() throws StoreException, IOException {
        if (to <= from) {
            throw new ParameterException(spec.commandLine(), "--to must be after --from");
        }
        TickFormat barFormat = Formats.parse(spec, format);
        BarPrice barPrice = BarPrice.parse(spec, price);
        // filled bars for the future would claim a price nobody quoted yet
        long fillEnd = Math.min(to, main.clock().millis());
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        try (TickQueries queries = new TickQueries(data.dataDirs);
             BarReader reader = new BarReader(data.dataDirs, threads);
             BarFormat out = BarFormat.open(barFormat, spec.commandLine().getOut())) {
            for (String symbol : symbols.all ? symbolsInRange(queries) : new LinkedHashSet<>(symbols.names)) {
                BarFill bars = new BarFill(symbol, interval, fill, fillEnd, out);
                reader.bars(symbol, from, to, interval, barPrice, bars);
                bars.finish();
            }
        }
        return 0;
    }

    /** The symbols of the days the range touches, from each file's (symbol, timestamp) index. */
    private SortedSet<String> symbolsInRange(TickQueries queries) throws StoreException {
        LocalDate first = DayFiles.day(from);
        LocalDate last = DayFiles.day(to - 1);
        SortedSet<String> names = new TreeSet<>();
        for (LocalDate day : queries.days()) {
            if (!day.isBefore(first) && !day.isAfter(last)) {
                for (Path file : queries.filesOf(day)) {
                    names.addAll(DayStats.countsBySymbol(file).keySet());
                }
            }
        }
        return names;
    }
}
