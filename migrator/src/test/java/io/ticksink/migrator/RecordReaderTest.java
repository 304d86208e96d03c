package io.ticksink.migrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ticksink.schema.RejectReason;
import io.ticksink.schema.Tick;
import io.ticksink.schema.TickDecoder;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordReaderTest {

    private static final SourceFormat ARRAY = new SourceFormat(false, false);
    private static final SourceFormat LINES = new SourceFormat(true, false);

    private final RecordReader reader = new RecordReader(new TickDecoder());
    private final List<String> events = new ArrayList<>();
    private final List<Tick> ticks = new ArrayList<>();

    private final RecordReader.Handler handler = new RecordReader.Handler() {
        @Override
        public void tick(long position, Tick tick) {
            events.add(position + " tick " + tick.symbol() + " " + tick.timestampMillis());
            ticks.add(tick);
        }

        @Override
        public void reject(long position, RejectReason reason, String detail, String raw) {
            events.add(position + " reject " + reason + " | " + raw);
        }
    };

    private long read(String text, SourceFormat format) throws Exception {
        return reader.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), format, "DIRSYM", handler);
    }

    @Test
    void prettyArrayElementsAreRecordsInOrder() throws Exception {
        long n = read("[\n  {\"symbol\":\"EURUSD\",\"bid\":1.1,\"ask\":1.2,\"timestamp\":\"2026-01-19T10:15:30.123456789Z\"},\n"
                + "  {\"bid\":1.1,\"ask\":1.2,\"timestamp\":1768817730123}\n]\n", ARRAY);

        assertThat(n).isEqualTo(2);
        assertThat(events).containsExactly("0 tick EURUSD 1768817730123", "1 tick DIRSYM 1768817730123");
    }

    @Test
    void byteOrderMarkIsSkippedInArraysAndLines() throws Exception {
        read("\uFEFF[{\"bid\":1,\"ask\":2,\"timestamp\":1768817730}]", ARRAY);
        read("\uFEFF{\"bid\":1,\"ask\":2,\"timestamp\":1768817730}\n", LINES);

        assertThat(events).containsExactly("0 tick DIRSYM 1768817730000", "0 tick DIRSYM 1768817730000");
    }

    @Test
    void aSequenceOfRootObjectsInAJsonFileIsReadToo() throws Exception {
        long n = read("{\"bid\":1,\"ask\":2,\"timestamp\":1768817730}\n{\"bid\":1,\"ask\":2,\"timestamp\":1768817731}", ARRAY);

        assertThat(n).isEqualTo(2);
    }

    @Test
    void fractionalEpochSecondsKeepTheirMillisecondsExactly() throws Exception {
        // 1768817730.123 is not exact as a double; floor of the double would give .122
        read("[{\"bid\":1,\"ask\":2,\"timestamp\":1768817730.123}]", ARRAY);
        read("{\"bid\":1,\"ask\":2,\"timestamp\":1768817730.123}", LINES);

        assertThat(events).containsExactly("0 tick DIRSYM 1768817730123", "0 tick DIRSYM 1768817730123");
    }

    @Test
    void aRejectedArrayElementIsPrintedAndTheNextOneIsRead() throws Exception {
        long n = read("[\n {\"symbol\":\"EURUSD\",\"bid\":\"1.1\",\"ask\":1.2,\"timestamp\":1768817730},\n"
                + " {\"bid\":1,\"ask\":2,\"timestamp\":1768817731}\n]", ARRAY);

        assertThat(n).isEqualTo(2);
        assertThat(events).containsExactly(
                "0 reject WRONG_TYPE | {\"symbol\":\"EURUSD\",\"bid\":\"1.1\",\"ask\":1.2,\"timestamp\":1768817730}",
                "1 tick DIRSYM 1768817731000");
    }

    @Test
    void aRejectedElementIsReportedAsItsExactTextAlsoDeepIntoALargeFile() throws Exception {
        StringBuilder json = new StringBuilder("\uFEFF[\n");
        for (int i = 0; i < 20_000; i++) {
            json.append("  {\"bid\": 1, \"ask\": 2, \"timestamp\": 1768817730},\n");
        }
        String bad = "{\n    \"symbol\": \"EUR\u20acUSD\",\n    \"bid\": 1,\n    \"timestamp\": 1768817730\n  }";
        json.append("  ").append(bad).append(",\n  [1, 2],\n  {\"bid\": 1, \"ask\": 2, \"timestamp\": 1768817731}\n]");

        long n = read(json.toString(), ARRAY);

        assertThat(n).isEqualTo(20_003);
        assertThat(events.subList(20_000, 20_003)).containsExactly(
                "20000 reject MISSING_FIELD | " + bad,
                "20001 reject NOT_JSON | [1, 2]",
                "20002 tick DIRSYM 1768817731000");
    }

    @Test
    void aMalformedLineIsRejectedAloneWithItsText() throws Exception {
        long n = read("{\"bid\":1,\"ask\":2,\"timestamp\":1768817730}\r\n"
                + "\n"
                + "{\"bid\":1,\"ask\":2,\"timestamp\":17688177\n"
                + "[1,2]\n"
                + "{\"bid\":1,\"ask\":2,\"timestamp\":1768817731} {}\n"
                + "{\"bid\":1,\"ask\":2,\"timestamp\":1768817732}", LINES);

        assertThat(n).isEqualTo(5);
        assertThat(events).containsExactly(
                "0 tick DIRSYM 1768817730000",
                "1 reject NOT_JSON | {\"bid\":1,\"ask\":2,\"timestamp\":17688177",
                "2 reject NOT_JSON | [1,2]",
                "3 reject NOT_JSON | {\"bid\":1,\"ask\":2,\"timestamp\":1768817731} {}",
                "4 tick DIRSYM 1768817732000");
    }

    @Test
    void aTruncatedArrayBreaksOffAfterTheLastCompleteElement() {
        assertThatThrownBy(() -> read("[{\"bid\":1,\"ask\":2,\"timestamp\":1768817730},{\"bid\":1,\"as", ARRAY))
                .isInstanceOf(BrokenSourceException.class)
                .satisfies(e -> assertThat(((BrokenSourceException) e).position()).isEqualTo(1));
        assertThat(events).containsExactly("0 tick DIRSYM 1768817730000");
    }

    @Test
    void anUnclosedArrayIsReportedAsTruncated() {
        assertThatThrownBy(() -> read("[{\"bid\":1,\"ask\":2,\"timestamp\":1768817730}", ARRAY))
                .isInstanceOf(BrokenSourceException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void anEmptyFileHoldsNoRecords() throws Exception {
        assertThat(read("", ARRAY)).isZero();
        assertThat(read("\n\n", LINES)).isZero();
    }

    @Test
    void equalStringsOfDifferentTicksAreShared() throws Exception {
        read("{\"symbol\":\"EURUSD\",\"lp\":\"LP\",\"bid\":1,\"ask\":2,\"timestamp\":1768817730}\n"
                + "{\"symbol\":\"EURUSD\",\"lp\":\"LP\",\"bid\":1,\"ask\":2,\"timestamp\":1768817731}\n", LINES);

        assertThat(ticks.get(1).symbol()).isSameAs(ticks.get(0).symbol());
        assertThat(ticks.get(1).lpSource()).isSameAs(ticks.get(0).lpSource());
    }

    private static final String TICK =
            "{\"symbol\":\"EURUSD\",\"bid\":1.1,\"ask\":1.2,\"timestamp\":\"2026-01-19T10:00:00Z\"}";

    /**
     * {@code head}, then {@code body} {@code repeats} times, then {@code tail}; counts what the
     * reader took. The repeated part is never in memory as a whole.
     */
    private static final class GeneratedInput extends java.io.InputStream {
        private final byte[] head;
        private final byte[] body;
        private final byte[] tail;
        private final long size;
        private long served;

        GeneratedInput(String head, String body, long repeats, String tail) {
            this.head = head.getBytes(StandardCharsets.UTF_8);
            this.body = body.getBytes(StandardCharsets.UTF_8);
            this.tail = tail.getBytes(StandardCharsets.UTF_8);
            this.size = this.head.length + repeats * this.body.length + this.tail.length;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) <= 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            int n = 0;
            while (n < len) {
                long at = served + n;
                byte next;
                if (at < head.length) {
                    next = head[(int) at];
                } else if (at < size - tail.length) {
                    next = body[(int) ((at - head.length) % body.length)];
                } else if (at < size) {
                    next = tail[(int) (at - (size - tail.length))];
                } else {
                    break;
                }
                b[off + n++] = next;
            }
            served += n;
            return n == 0 ? -1 : n;
        }
    }

    @Test
    void anArchiveWrappedInOneObjectIsRefusedWithTheReasonAfterABoundedRead() {
        // 64 MiB of ticks inside {"ticks":[...]}: one top-level object, not an array of ticks
        GeneratedInput in = new GeneratedInput("{\"ticks\":[" + TICK, "," + TICK, (64L << 20) / (TICK.length() + 1), "]}");

        assertThatThrownBy(() -> reader.read(in, ARRAY, "DIRSYM", handler))
                .isInstanceOf(BrokenSourceException.class)
                .hasMessageContaining("not a JSON array of tick objects")
                .hasMessageContaining("longer than " + RecordReader.MAX_RECORD_BYTES + " bytes");
        assertThat(in.served).as("bytes read of the 64 MiB object").isLessThan(2L * RecordReader.MAX_RECORD_BYTES);
        assertThat(events).isEmpty();
    }

    @Test
    void aGiantArrayElementEndsTheFileThereWithTheReasonAfterABoundedRead() {
        // the second element holds a 64 MiB string
        GeneratedInput in = new GeneratedInput("[" + TICK + ",{\"symbol\":\"EURUSD\",\"lp\":\"", "x", 64L << 20,
                "\",\"bid\":1.1,\"ask\":1.2,\"timestamp\":\"2026-01-19T10:00:00Z\"}]");

        assertThatThrownBy(() -> reader.read(in, ARRAY, "DIRSYM", handler))
                .isInstanceOf(BrokenSourceException.class)
                .hasMessageContaining("record 1 holds a value beyond the parser's bounds (String value length")
                .hasMessageContaining("the file is not read past it")
                .satisfies(e -> assertThat(((BrokenSourceException) e).position()).isEqualTo(1));
        assertThat(in.served).as("bytes read of the 64 MiB element").isLessThan(2L * RecordReader.MAX_RECORD_BYTES);
        assertThat(events).containsExactly("0 tick EURUSD 1768816800000");
    }
}
