package io.ticksink.tools;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.Writer;

/** JSON output as every command writes it: one object per line, each line ended by the caller. */
final class JsonLines {

    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private JsonLines() {
    }

    /**
     * A generator over {@code out} that writes nothing between objects, so each object's line is
     * ended by {@code writeRaw('\n')} after it; closing it flushes {@code out} and leaves it open.
     */
    static JsonGenerator open(Writer out) throws IOException {
        JsonGenerator json = FACTORY.createGenerator(out);
        json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        json.setRootValueSeparator(null);
        return json;
    }
}
