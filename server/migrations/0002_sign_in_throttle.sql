-- Sign-in throttling: one counter per (account, address) pair, per address and per account, with
-- growing delays (src/sign_in_limits.rs). It replaces the flat failure log, whose hard per-account lock
-- let anyone lock anyone out and whose count-then-insert let parallel attempts overrun it.
DROP TABLE login_failures;

CREATE TABLE sign_in_throttle (
    -- 'pair' (login and address), 'address' (any login) or 'account' (any address).
    kind TEXT NOT NULL,
    -- '' where the kind does not use it.
    login TEXT NOT NULL,
    address TEXT NOT NULL,
    -- Failures (attempts not yet known to be right count as failures) since the counter was last
    -- forgotten or, for a pair, since its last correct password.
    failures BIGINT NOT NULL,
    last_failure_at BIGINT NOT NULL,
    -- Pairs only: the last correct password from this address, which exempts it from the account's
    -- limit (the owner is not locked out by someone guessing from elsewhere).
    signed_in_at BIGINT NOT NULL,
    PRIMARY KEY (kind, login, address)
);
CREATE INDEX sign_in_throttle_by_time ON sign_in_throttle (last_failure_at);
