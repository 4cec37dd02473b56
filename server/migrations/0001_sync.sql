-- Sync storage. Written in the common subset of SQLite and PostgreSQL: TEXT and BIGINT only, JSON kept as
-- text (PostgreSQL's jsonb refuses \u0000; we validate instead), booleans as 0/1.

-- The global version counter. Pushes update its row first, so on PostgreSQL concurrent pushes take
-- versions in commit order and a pull cursor never skips a change committed late.
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('version', 0);

-- Every record of every collection, tombstones included.
CREATE TABLE records (
    collection TEXT NOT NULL,
    id TEXT NOT NULL,
    version BIGINT NOT NULL,
    deleted BIGINT NOT NULL DEFAULT 0,
    fields TEXT NOT NULL,
    stamps TEXT NOT NULL,
    -- ScopeFacts JSON: the unit, users and customer that decide who sees the record.
    scope TEXT NOT NULL,
    -- Denormalised from scope for the two lookups the scope rule needs quickly.
    owner_id TEXT,
    customer_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (collection, id)
);
CREATE INDEX records_by_version ON records (version);
CREATE INDEX records_by_customer ON records (customer_id);
CREATE INDEX records_by_owner ON records (collection, owner_id);

-- A record's scope before a change that moved it: pulls turn these into removals for users who could
-- see the record before and cannot now.
CREATE TABLE scope_moves (
    version BIGINT NOT NULL,
    collection TEXT NOT NULL,
    id TEXT NOT NULL,
    old_scope TEXT NOT NULL
);
CREATE INDEX scope_moves_by_version ON scope_moves (version);

-- One row per device: exactly-once delivery of its mutations.
CREATE TABLE clients (
    client_id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    last_mutation_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Every processed mutation with its author, time and effect: the audit trail, and the rejections that
-- pulls repeat to their device.
CREATE TABLE mutations (
    client_id TEXT NOT NULL,
    mutation_id BIGINT NOT NULL,
    user_id TEXT NOT NULL,
    name TEXT NOT NULL,
    collection TEXT NOT NULL,
    record_id TEXT NOT NULL,
    args TEXT NOT NULL,
    hlc TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    version BIGINT,
    reject_code TEXT,
    reject_message TEXT,
    PRIMARY KEY (client_id, mutation_id)
);
CREATE INDEX mutations_by_record ON mutations (collection, record_id);

-- Credentials, kept apart from the synced `users` records so no hash ever reaches a device.
CREATE TABLE accounts (
    user_id TEXT PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    disabled BIGINT NOT NULL DEFAULT 0,
    -- Changes when the user's role, unit or the org tree changes: their devices download scope again.
    scope_epoch BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Failed sign-ins, for rate limiting per account and per address across server processes.
CREATE TABLE login_failures (
    login TEXT NOT NULL,
    address TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_by_login ON login_failures (login, at);
CREATE INDEX login_failures_by_address ON login_failures (address, at);
