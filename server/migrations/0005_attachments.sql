-- Attachments (files named from records, such as a report's display photos): one row per file, named by
-- the SHA-256 of its bytes, and its bytes in the chunks it was uploaded in. A file is staged until its
-- last chunk arrives and the bytes hash to its name; then it is complete and never changes. Records
-- hold only the hash: file bytes are never part of a record's JSON.
CREATE TABLE attachments (
    -- 64 lowercase hex digits: the SHA-256 of the file.
    hash TEXT PRIMARY KEY,
    -- One of core::attachment::TYPES, as declared and checked against the first bytes.
    content_type TEXT NOT NULL,
    -- The file's size in bytes, declared with its first chunk.
    size BIGINT NOT NULL,
    -- The bytes stored so far: the offset the next chunk must start at.
    received BIGINT NOT NULL,
    -- 1 once every byte arrived and the bytes hash to the name.
    complete BIGINT NOT NULL,
    uploaded_by TEXT,
    created_at BIGINT NOT NULL,
    completed_at BIGINT
);
-- Housekeeping finds uploads left incomplete by their start time.
CREATE INDEX attachments_by_state ON attachments (complete, created_at);

-- The file's bytes in the chunks they came in; read back in offset order.
-- BYTEA is PostgreSQL's binary type. SQLite has no type of that name and gives the column NUMERIC
-- affinity, under which a blob is stored unchanged (only text that looks like a number is converted,
-- and nothing here binds text): the same bytes come back on both (server/tests/attachments.rs).
CREATE TABLE attachment_chunks (
    hash TEXT NOT NULL,
    chunk_offset BIGINT NOT NULL,
    bytes BYTEA NOT NULL,
    PRIMARY KEY (hash, chunk_offset)
);
