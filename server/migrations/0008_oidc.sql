-- OpenID Connect sign-in in progress: a state (kept as its hash) sent to the identity provider, with
-- the nonce and PKCE verifier of that sign-in and the page to return to; used up by the callback.
-- In the database so that any server process may receive the callback.
CREATE TABLE oidc_logins (
    state_hash TEXT PRIMARY KEY,
    nonce TEXT NOT NULL,
    verifier TEXT NOT NULL,
    next TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
-- One-time codes the callback hands the app, redeemed for a session within two minutes.
CREATE TABLE oidc_handoffs (
    code_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
