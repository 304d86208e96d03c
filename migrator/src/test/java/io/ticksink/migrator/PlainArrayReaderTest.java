package io.ticksink.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.ticksink.schema.RejectReason;
import io.ticksink.schema.Tick;
import io.ticksink.schema.TickDecoder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A JSON file read the quick way (plain ticks without a parser, the rest with Jackson from where
 * that stopped) gives what Jackson alone gives: the same ticks and rejects at the same positions,
 * with the same texts, and the same break-off, position and message, line and column included.
 */
class PlainArrayReaderTest {

    private static final SourceFormat ARRAY = new SourceFormat(false, false);

    private static final String[] PLAIN = {
        "{\"symbol\":\"EURUSD\",\"bid\":1.08512,\"ask\":1.08514,\"spread\":2.0E-5,\"timestamp\":\"2026-01-19T10:15:30.123Z\","
                + "\"lp\":\"LP-1\",\"broker_id\":\"BROKER-001\"}",
        "{\"bid\":150.1,\"ask\":150.2,\"timestamp\":1768817730123}",
        "{\n    \"symbol\": \"XAUUSD\",\n    \"timestamp\": \"2026-01-19T10:15:31Z\",\n    \"bid\": 2000.5,\n    \"ask\": 2001\n  }",
    };
    private static final String[] OTHER = {
        "{\"symbol\":\"EUR\\u0055SD\",\"bid\":1,\"ask\":2,\"timestamp\":1768817730}", // decoded by Jackson
        "{\"symbol\":\"EURUSD\",\"bid\":-1.5,\"ask\":2,\"timestamp\":1768817730}",
        "{\"symbol\":\"EURUSD\",\"bid\":\"x\",\"ask\":2,\"timestamp\":1768817730}", // rejected
        "{\"bid\":1,\"ask\":2}",
        "{\"symbol\":\"EURUSD\",\"bid\":1,\"ask\":2,\"timestamp\":1768817730,\"extra\":{\"a\":[1,{\"b\":\"}\"}]}}",
        "[1,2]",
        "42",
        "\"text\"",
        "null",
        "{\"symbol\":\"EURUSD\",\"bid\":1,\"ask\":2,\"timestamp\":1768817730,\"lp\":\"" + "L".repeat(300) + "\"}",
    };
    private static final String[] BROKEN = {
        "{\"symbol\":\"EURUSD\",\"bid\":1,,\"ask\":2}", // malformed inside
        "{\"symbol\":\"EURUSD\" \"bid\":1}",
        "}",
        "{\"symbol\":\"EURUSD\",\"bid\":1.5x,\"ask\":2,\"timestamp\":1768817730}",
    };

    @Test
    void plainTicksAndEverythingElseReadAsJacksonReadsThem() throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        int quick = 0;
        for (int file = 0; file < 3_000; file++) {
            byte[] bytes = randomFile(random);
            List<String> expected = new ArrayList<>();
            String expectedEnd = readWithJackson(bytes, expected);
            List<String> actual = new ArrayList<>();
            String actualEnd = read(bytes, actual, new ByteArrayInputStream(bytes));
            assertThat(actual).as(new String(bytes, StandardCharsets.UTF_8)).isEqualTo(expected);
            assertThat(actualEnd).as(new String(bytes, StandardCharsets.UTF_8)).isEqualTo(expectedEnd);
            quick += expectedEnd.startsWith("records") ? 1 : 0;
        }
        assertThat(quick).as("files read to their end").isGreaterThan(500);
    }

    @Test
    void aReadFailureInTheMiddleIsMetWhereJacksonMeetsIt() throws Exception {
        StringBuilder text = new StringBuilder("[\n");
        for (int i = 0; i < 2_000; i++) {
            text.append(PLAIN[i % 2]).append(",\n");
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        List<String> expected = new ArrayList<>();
        String expectedEnd = readWithJackson(failingAfter(bytes, 100_000), expected);
        List<String> actual = new ArrayList<>();
        String actualEnd = read(bytes, actual, failingAfter(bytes, 100_000));
        assertThat(actualEnd).startsWith("broken").isEqualTo(expectedEnd);
        assertThat(actual).hasSizeGreaterThan(500).isEqualTo(expected);
    }

    /** Minified on one line, broken far into it: Jackson's column is the file's own. */
    @Test
    void theLineAndColumnOfABreakAreTheFilesOwn() throws Exception {
        StringBuilder text = new StringBuilder("[");
        for (int i = 0; i < 3_000; i++) {
            text.append(PLAIN[i % 2]).append(',');
        }
        text.append(BROKEN[0]).append("]");
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        List<String> expected = new ArrayList<>();
        String expectedEnd = readWithJackson(bytes, expected);
        assertThat(expectedEnd).contains("line 1, column");
        List<String> actual = new ArrayList<>();
        assertThat(read(bytes, actual, new ByteArrayInputStream(bytes))).isEqualTo(expectedEnd);
        assertThat(actual).hasSize(3_000).isEqualTo(expected);
    }

    private static String read(byte[] bytes, List<String> events, InputStream in) throws InterruptedException {
        RecordReader reader = new RecordReader(new TickDecoder());
        try {
            return "records " + reader.read(in, ARRAY, "DIRSYM", handler(events));
        } catch (BrokenSourceException e) {
            return "broken at " + e.position() + ": " + e.getMessage();
        }
    }

    private static String readWithJackson(byte[] bytes, List<String> events) throws InterruptedException {
        return readWithJackson(new ByteArrayInputStream(bytes), events);
    }

    private static String readWithJackson(InputStream in, List<String> events) throws InterruptedException {
        RecordReader reader = new RecordReader(new TickDecoder());
        try {
            return "records " + reader.readJsonWithParser(in, "DIRSYM", handler(events), 0);
        } catch (BrokenSourceException e) {
            return "broken at " + e.position() + ": " + e.getMessage();
        }
    }

    private static RecordReader.Handler handler(List<String> events) {
        return new RecordReader.Handler() {
            @Override
            public void tick(long position, Tick tick) {
                events.add(position + " " + tick);
            }

            @Override
            public void reject(long position, RejectReason reason, String detail, String raw) {
                events.add(position + " reject " + reason + " " + detail + " | " + raw);
            }
        };
    }

    /** The bytes, then an I/O failure. */
    private static InputStream failingAfter(byte[] bytes, int count) {
        return new InputStream() {
            private int next;

            @Override
            public int read() throws IOException {
                if (next >= count) {
                    throw new IOException("Input/output error");
                }
                return bytes[next++] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (next >= count) {
                    throw new IOException("Input/output error");
                }
                int n = Math.min(len, count - next);
                System.arraycopy(bytes, next, b, off, n);
                next += n;
                return n;
            }
        };
    }

    private static byte[] randomFile(SplittableRandom random) {
        StringBuilder text = new StringBuilder();
        String[] spaces = {"", "\n", "\r\n", "  ", "\n  ", "\t", "\r"};
        if (random.nextInt(20) == 0) {
            text.append('\uFEFF');
        }
        text.append(spaces[random.nextInt(spaces.length)]);
        boolean array = random.nextInt(15) != 0;
        if (array) {
            text.append('[');
        }
        int elements = random.nextInt(0, 40);
        for (int i = 0; i < elements; i++) {
            text.append(spaces[random.nextInt(spaces.length)]);
            int kind = random.nextInt(100);
            text.append(kind < 85 ? PLAIN[random.nextInt(PLAIN.length)]
                    : kind < 97 ? OTHER[random.nextInt(OTHER.length)] : BROKEN[random.nextInt(BROKEN.length)]);
            text.append(spaces[random.nextInt(spaces.length)]);
            if (i + 1 < elements || random.nextInt(30) == 0) {
                text.append(random.nextInt(60) == 0 ? ";" : array ? "," : "");
            }
        }
        text.append(spaces[random.nextInt(spaces.length)]);
        if (array && random.nextInt(20) != 0) {
            text.append(']');
        }
        switch (random.nextInt(25)) {
            case 0 -> text.append(" x");
            case 1 -> text.append("]");
            case 2 -> text.append("\n\n");
            default -> {
            }
        }
        String file = text.toString();
        if (random.nextInt(20) == 0 && file.length() > 1) {
            file = file.substring(0, random.nextInt(1, file.length())); // cut off
        }
        return file.getBytes(StandardCharsets.UTF_8);
    }
}
