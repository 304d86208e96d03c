package io.ticksink.migrator;

import io.ticksink.cli.ExitCodes;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Map;

/**
 * Report stage: the summary printed at the end of a run. Pure formatting, thread safe.
 */
final class MigrationSummary {

    private MigrationSummary() {
    }

    static String format(MigrationResult r) {
        RunTotals t = r.totals();
        StringBuilder s = new StringBuilder();
        s.append(r.dryRun() ? "Migration summary (dry run: nothing written)\n" : "Migration summary\n");
        StringBuilder files = new StringBuilder(String.format("%,d found", r.scan().sources().size()));
        part(files, r.count(FileJob.Outcome.LOADED), "loaded", true);
        part(files, r.count(FileJob.Outcome.ALREADY_LOADED), "already loaded (skipped)", false);
        part(files, r.count(FileJob.Outcome.LOADED_WITH_REJECTS), "loaded with rejects", false);
        part(files, r.count(FileJob.Outcome.BROKEN), "broken (loaded up to the break)", false);
        part(files, r.count(FileJob.Outcome.CHANGED), "changed since loaded (not loaded)", false);
        part(files, r.count(FileJob.Outcome.WRITE_FAILED), "not written completely", false);
        part(files, r.unprocessed(), "not processed", false);
        s.append("  files     ").append(files).append('\n');
        if (t.reloading() > 0) {
            s.append(String.format("            %,d listed as loaded but not complete in their day files: loaded again%n",
                    t.reloading()));
        }
        if (!r.scan().ignored().isEmpty()) {
            s.append(String.format("            %,d other files ignored (not <SYMBOL>/*.json, .jsonl, .ndjson[.gz])%n",
                    r.scan().ignored().size()));
        }
        if (r.scan().linkedSources() > 0 || !r.scan().skippedLinks().isEmpty()) {
            s.append(String.format("  links     %,d source files reached through symbolic links, %,d paths skipped%n",
                    r.scan().linkedSources(), r.scan().skippedLinks().size()));
            r.scan().skippedLinks().forEach(k -> s.append("            ").append(k.path()).append(": ")
                    .append(k.reason()).append('\n'));
        }
        long stored = 0;
        long present = 0;
        Map<LocalDate, long[]> perDay = t.perDay();
        for (long[] counts : perDay.values()) {
            stored += counts[0];
            present += counts[1];
        }
        s.append(String.format("  records   %,d read: %,d ticks, %,d rejected%n", t.records(), t.accepted(), t.rejected()));
        if (!r.dryRun()) {
            s.append(String.format("  ticks     %,d stored, %,d already stored (skipped)%n", stored, present));
            for (Map.Entry<LocalDate, long[]> day : perDay.entrySet()) {
                s.append(String.format("            %s  %,12d stored  %,12d already stored%n",
                        day.getKey(), day.getValue()[0], day.getValue()[1]));
            }
        }
        double seconds = r.elapsedNanos() / 1e9;
        s.append(String.format("  duration  %s, %,.0f records/s%n", duration(r.elapsedNanos()),
                seconds > 0 ? t.records() / seconds : 0));
        if (r.reportLines() > 0) {
            s.append(String.format("  report    %,d entries in %s%n", r.reportLines(), r.report()));
        }
        if (r.differences() != null) {
            if (r.differences().isEmpty()) {
                s.append("  verify    counts per symbol and day match\n");
            } else {
                s.append(String.format("  verify    %,d differences (symbol and day: source vs stored)%n",
                        r.differences().size()));
                r.differences().forEach(d -> s.append("            ").append(d.describe()).append('\n'));
            }
        }
        if (r.failure() != null) {
            s.append("  STOPPED   ").append(r.failure()).append('\n');
        }
        s.append("  result    ").append(verdict(r)).append(String.format(" (exit %d)%n", r.exitCode()));
        return s.toString();
    }

    private static void part(StringBuilder s, long n, String what, boolean always) {
        if (n > 0 || always) {
            s.append(s.indexOf(":") < 0 ? ": " : ", ").append(String.format("%,d ", n)).append(what);
        }
    }

    private static String verdict(MigrationResult r) {
        return switch (r.exitCode()) {
            case ExitCodes.OK -> r.dryRun() ? "every record readable" : "every file loaded";
            case ExitCodes.FATAL -> "stopped; fix the cause and run again";
            case ExitCodes.VERIFY_FAILED -> "stored counts differ from the source";
            default -> "incomplete: see the report; fix or remove the files named there and run again";
        };
    }

    static String duration(long nanos) {
        Duration d = Duration.ofNanos(nanos);
        return String.format("%d:%02d:%02d.%d", d.toHours(), d.toMinutesPart(), d.toSecondsPart(),
                d.toMillisPart() / 100);
    }
}
