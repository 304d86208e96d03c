package io.ticksink.tools;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.Writer;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.HexFormat;

/**
 * Writes a result set as it is stepped, row by row, so memory stays flat however many rows come:
 * CSV with a header row of the column names (RFC 4180 quoting), or NDJSON, one object per row
 * keyed by column name. Values keep SQLite's type: integers and reals as numbers, text as text,
 * NULL as an empty field or {@code null}, blobs as hex text.
 */
final class SqlOutput {


    private SqlOutput() {
    }

    /** Writes every row of {@code rs} to {@code out} and flushes it; returns the number of rows. */
    static long write(ResultSet rs, TickFormat format, Writer out) throws SQLException, IOException {
        ResultSetMetaData meta = rs.getMetaData();
        String[] names = new String[meta.getColumnCount()];
        for (int i = 0; i < names.length; i++) {
            names[i] = meta.getColumnLabel(i + 1);
        }
        long rows = format == TickFormat.CSV ? csv(rs, names, out) : json(rs, names, out);
        out.flush();
        return rows;
    }

    private static long csv(ResultSet rs, String[] names, Writer out) throws SQLException, IOException {
        for (int i = 0; i < names.length; i++) {
            if (i > 0) {
                out.write(',');
            }
            CsvFields.field(names[i], out);
        }
        out.write('\n');
        long rows = 0;
        while (rs.next()) {
            for (int i = 0; i < names.length; i++) {
                if (i > 0) {
                    out.write(',');
                }
                Object value = rs.getObject(i + 1);
                if (value instanceof String s) {
                    CsvFields.field(s, out);
                } else if (value instanceof byte[] b) {
                    out.write(HexFormat.of().formatHex(b));
                } else if (value != null) {
                    out.write(value.toString());
                }
            }
            out.write('\n');
            rows++;
        }
        return rows;
    }

    private static long json(ResultSet rs, String[] names, Writer out) throws SQLException, IOException {
        long rows = 0;
        try (JsonGenerator json = JsonLines.open(out)) {
            while (rs.next()) {
                json.writeStartObject();
                for (int i = 0; i < names.length; i++) {
                    json.writeFieldName(names[i]);
                    Object value = rs.getObject(i + 1);
                    if (value == null) {
                        json.writeNull();
                    } else if (value instanceof Integer n) {
                        json.writeNumber(n);
                    } else if (value instanceof Long n) {
                        json.writeNumber(n);
                    } else if (value instanceof Double d) {
                        json.writeNumber(d);
                    } else if (value instanceof byte[] b) {
                        json.writeString(HexFormat.of().formatHex(b));
                    } else {
                        json.writeString(value.toString());
                    }
                }
                json.writeEndObject();
                json.writeRaw('\n');
                rows++;
            }
        }
        return rows;
    }
}
