package io.ticksink.tools;

import io.ticksink.cli.DataDirsOption;
import io.ticksink.schema.StoreException;
import io.ticksink.schema.TickCursor;
import io.ticksink.schema.TickQueries;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code query}: one symbol's ticks in a time range, streamed in timestamp order. */
@Command(name = "query", mixinStandardHelpOptions = true,
        description = "Print one symbol's ticks with FROM <= timestamp < TO, in timestamp order, across days.")
final class QueryCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DataDirsOption data;

    @Option(names = "--symbol", required = true)
    String symbol;

    @Option(names = "--from", required = true, converter = Instants.class, paramLabel = "TIME",
            description = "First instant, inclusive: epoch milliseconds, RFC 3339 or YYYY-MM-DD (UTC).")
    long from;

    @Option(names = "--to", required = true, converter = Instants.class, paramLabel = "TIME",
            description = "End instant, exclusive.")
    long to;

    @Option(names = "--format", defaultValue = "csv", description = "csv (with a header) or json (one object per line). Default: ${DEFAULT-VALUE}.")
    String format;

    @Override
    public Integer call() throws StoreException, IOException {
        if (to < from) {
            throw new ParameterException(spec.commandLine(), "--to is before --from");
        }
        TickFormat tickFormat = Formats.parse(spec, format);
        try (TickQueries queries = new TickQueries(data.dataDirs);
             TickCursor cursor = queries.range(symbol, from, to);
             TickFormat.TickWriter out = tickFormat.open(spec.commandLine().getOut())) {
            while (cursor.next()) {
                out.write(cursor.tick());
            }
        }
        return 0;
    }
}
