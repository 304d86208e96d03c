package io.ticksink.tools;

import java.io.IOException;
import java.io.Writer;

/** CSV fields as every command writes them (RFC 4180). */
final class CsvFields {

    private CsvFields() {
    }

    /** Writes a field, quoted when it holds a comma, quote or line break, its quotes doubled; nothing for null. */
    static void field(String value, Writer out) throws IOException {
        if (value == null) {
            return;
        }
        boolean quote = false;
        for (int i = 0; i < value.length() && !quote; i++) {
            char c = value.charAt(i);
            quote = c == ',' || c == '"' || c == '\n' || c == '\r';
        }
        if (quote) {
            out.write('"');
            out.write(value.replace("\"", "\"\""));
            out.write('"');
        } else {
            out.write(value);
        }
    }
}
