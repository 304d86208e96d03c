package io.ticksink.schema;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;

/**
 * A tiny ticksink process for {@link NativeLibraryDirIT}: prepares its native library directory
 * as the product's mains do, stores one tick (which loads SQLite), prints {@code ready <dir>},
 * then stores one more tick per {@code write} line on stdin and answers {@code ok <n>}; exits at
 * the end of stdin.
 */
public final class NativeLibraryChild {

    private NativeLibraryChild() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = NativeLibraryDir.prepare();
        LocalDate day = LocalDate.parse(args[1]);
        String stream = StreamChunk.fileStream("child-" + ProcessHandle.current().pid());
        try (TickStore store = new TickStore(Path.of(args[0]), StoreOptions.defaults())) {
            int written = 0;
            write(store, day, stream, written++);
            System.out.println("ready " + dir);
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.equals("write")) {
                    write(store, day, stream, written++);
                    System.out.println("ok " + written);
                    System.out.flush();
                }
            }
        }
        System.exit(0);
    }

    private static void write(TickStore store, LocalDate day, String stream, int i) throws StoreException {
        StreamChunk chunk = new StreamChunk(stream, null, 1);
        chunk.add(i, new Tick("EURUSD", DayFiles.startMillis(day) + i, 1.0, 1.1, 0.1, null, null));
        store.write(day, List.of(chunk));
    }
}
