-- ticksink day database, schema version 2.
-- One file per UTC day: <data-dir>/YYYY/MM/ticks_YYYY-MM-DD.db

-- Column names are the legacy store's, so existing SQL keeps working.
-- No unique key: distinct ticks may share symbol and millisecond. Duplicates are prevented
-- by stream_positions instead.
CREATE TABLE ticks (
    symbol    TEXT    NOT NULL,
    timestamp INTEGER NOT NULL,  -- Unix epoch milliseconds, UTC
    bid       REAL    NOT NULL,
    ask       REAL    NOT NULL,
    spread    REAL    NOT NULL,
    lp_source TEXT,
    broker_id TEXT,
    -- lineage: the record the row came from, so that two copies of one record are recognisable in
    -- any file, dir or node; NULL in rows written by schema version 1
    stream_id INTEGER,               -- streams.id of its source stream
    position  INTEGER                -- its Kafka offset, or its record index in a migrated file
);

-- The source streams of this file's rows, numbered in this file: a row names its stream with a
-- small integer instead of the stream's name.
CREATE TABLE streams (
    id   INTEGER PRIMARY KEY,
    name TEXT    NOT NULL UNIQUE     -- kafka:<topic>:<partition> | file:<relative path>
);

CREATE INDEX idx_ticks_symbol_timestamp ON ticks (symbol, timestamp);

-- For every source stream (a Kafka topic-partition, a migrated source file) the next position
-- this file has stored, written in the same transaction as the rows: a redelivered record whose
-- position is below it is already here.
CREATE TABLE stream_positions (
    stream        TEXT    NOT NULL PRIMARY KEY,  -- kafka:<topic>:<partition> | file:<relative path>
    next_position INTEGER NOT NULL,              -- Kafka offset or record index in the file
    fingerprint   TEXT,                          -- source file: size and CRC32C; Kafka: the partition's incarnation (topic id)
    updated_at    INTEGER NOT NULL               -- Unix epoch milliseconds of the last write
) WITHOUT ROWID;
