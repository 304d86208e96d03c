/**
 * What every ticksink command line shares, so that a new command is a new class and nothing else:
 * the exit codes ({@link io.ticksink.cli.ExitCodes}), the duration format and its picocli
 * converter ({@link io.ticksink.cli.Durations}), {@code --version}
 * ({@link io.ticksink.cli.VersionProvider}), how errors are reported
 * ({@link io.ticksink.cli.CommandLines}), and the options several commands take, as picocli
 * mixins: {@link io.ticksink.cli.DataDirOption}, {@link io.ticksink.cli.DataDirsOption},
 * {@link io.ticksink.cli.BusyTimeoutOption} and {@link io.ticksink.cli.LogFormatOption}.
 *
 * <p>Depends on picocli only; the consumer, the migrator and the tools shade it into their jars.
 */
package io.ticksink.cli;
