-- Calendar subscriptions: a calendar app polls a user's promotions at a secret URL. Only the token's
-- hash is kept; a user has at most one live feed, and revoking it ends the URL at once.
CREATE TABLE calendar_feeds (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX calendar_feeds_by_user ON calendar_feeds (user_id);

-- A promotion's scope now names its stores' units (promoters see the promotions that list their
-- store): the server recomputes those scopes on start (`storage::fixups`), and every device
-- downloads its scope again.
UPDATE accounts SET scope_epoch = scope_epoch + 1;

-- Data fix-ups run by the server once each after the migrations (`storage::fixups`), by name.
CREATE TABLE fixups (
    name TEXT PRIMARY KEY,
    done_at BIGINT NOT NULL
);
