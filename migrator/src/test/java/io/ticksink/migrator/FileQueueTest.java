package io.ticksink.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FileQueueTest {

    private static SourceFile file(String relative) {
        return new SourceFile(Path.of("/in", relative), relative, relative.substring(0, relative.indexOf('/')),
                SourceFormat.of(relative), 1);
    }

    private static List<String> drain(FileQueue queue, int lane, int count) {
        List<String> taken = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            SourceFile f = queue.next(lane);
            taken.add(f == null ? null : f.relativePath());
        }
        return taken;
    }

    @Test
    void eachParserWorksThroughTheDaysOfItsLaneOneDayAfterAnother() {
        // 2026-01-19 is epoch day 20472 (even), 2026-01-20 odd
        FileQueue queue = new FileQueue(List.of(file("B/2026-01-20.json"), file("A/2026-01-19.json"),
                file("A/2026-01-20.json"), file("B/2026-01-19.json"), file("A/2026-01-21.json")), 2);

        assertThat(drain(queue, 0, 3)).containsExactly("A/2026-01-19.json", "B/2026-01-19.json", "A/2026-01-21.json");
        assertThat(drain(queue, 1, 3)).containsExactly("A/2026-01-20.json", "B/2026-01-20.json", null);
    }

    @Test
    void aParserWithAnEmptyLaneTakesFromTheEndOfTheFullestOther() {
        FileQueue queue = new FileQueue(List.of(file("A/2026-01-19.json"), file("A/2026-01-21.json"),
                file("A/2026-01-23.json"), file("odd/notes.json")), 2);

        assertThat(queue.next(1)).extracting(SourceFile::relativePath).isEqualTo("odd/notes.json");
        assertThat(queue.next(1)).extracting(SourceFile::relativePath).isEqualTo("A/2026-01-23.json");
        assertThat(drain(queue, 0, 3)).containsExactly("A/2026-01-19.json", "A/2026-01-21.json", null);
    }
}
