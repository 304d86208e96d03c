package io.ticksink.schema;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/** SQLite errors sorted by what the caller should do: retry (an operator or time fixes it) or stop. */
class ErrorClassificationTest {

    private static StoreException classify(SQLiteErrorCode code) {
        return DayDatabase.classify("read day.db", new SQLiteException("[" + code.name() + "] " + code.message, code));
    }

    @Test
    void busyLockedFullReadOnlyAndIoErrorsAreRetriable() {
        for (SQLiteErrorCode code : new SQLiteErrorCode[] {SQLiteErrorCode.SQLITE_BUSY, SQLiteErrorCode.SQLITE_LOCKED,
            SQLiteErrorCode.SQLITE_FULL, SQLiteErrorCode.SQLITE_READONLY, SQLiteErrorCode.SQLITE_IOERR_WRITE,
            SQLiteErrorCode.SQLITE_CANTOPEN}) {
            assertThat(classify(code)).as(code.name()).isInstanceOf(StoreException.Retriable.class);
        }
    }

    @Test
    void corruptionAndMisuseAreFatal() {
        assertThat(classify(SQLiteErrorCode.SQLITE_CORRUPT)).isInstanceOf(StoreException.Fatal.class);
        assertThat(classify(SQLiteErrorCode.SQLITE_NOTADB)).isInstanceOf(StoreException.Fatal.class);
    }

    @Test
    void aFileLeftByACreatorKilledMidTransactionSaysTheNextWriterRecoversIt() {
        StoreException e = classify(SQLiteErrorCode.SQLITE_READONLY_ROLLBACK);
        assertThat(e).isInstanceOf(StoreException.Retriable.class);
        assertThat(e.getMessage()).startsWith("cannot read day.db: [SQLITE_READONLY_ROLLBACK]")
                .endsWith("a writer was killed while creating the file, and the next writer to open it rolls that back");
    }
}
