package io.ticksink.tools;

import io.ticksink.cli.DataDirsOption;
import io.ticksink.schema.StoreException;
import io.ticksink.schema.Tick;
import io.ticksink.schema.TickQueries;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code recent}: one symbol's latest ticks, printed oldest first like {@code tail}. */
@Command(name = "recent", mixinStandardHelpOptions = true,
        description = "Print one symbol's N most recent ticks, oldest first (reads days newest first, stops when N are found).")
final class RecentCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DataDirsOption data;

    @Option(names = "--symbol", required = true)
    String symbol;

    @Option(names = {"-n", "--count"}, defaultValue = "100", description = "How many ticks. Default: ${DEFAULT-VALUE}.")
    int count;

    @Option(names = "--format", defaultValue = "csv", description = "csv or json. Default: ${DEFAULT-VALUE}.")
    String format;

    @Override
    public Integer call() throws StoreException, IOException {
        if (count < 1) {
            throw new ParameterException(spec.commandLine(), "-n must be at least 1");
        }
        TickFormat tickFormat = Formats.parse(spec, format);
        try (TickQueries queries = new TickQueries(data.dataDirs);
             TickFormat.TickWriter out = tickFormat.open(spec.commandLine().getOut())) {
            for (Tick tick : queries.recent(symbol, count)) {
                out.write(tick);
            }
        }
        return 0;
    }
}
