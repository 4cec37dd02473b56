-- Where the server stands in its history, so a device can tell when the server went back behind what
-- it was told (restored from a backup, or wiped and seeded again): see core's `sync::history`.

-- One row per commit that wrote records: the last version it wrote and a mark made at random for it.
-- A pull cursor carries the mark of the commit that wrote its version; another mark there, or none,
-- means this history is not the one the cursor was made in.
CREATE TABLE history (
    version BIGINT PRIMARY KEY,
    mark TEXT NOT NULL
);
-- Every version written before marks were kept shares one mark.
INSERT INTO history (version, mark) SELECT value, 'initial' FROM counters WHERE name = 'version';

-- Facts about this database: its identity (`database_id`), made once by the server that first opens
-- it, so a database wiped and seeded again is another database to every device.
CREATE TABLE server_facts (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
