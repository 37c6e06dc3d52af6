-- Portal sessions: an operator hands a customer a one-time link into the dashboard. Only hashes are
-- kept: of the link's token (spent at the first load, exchanged_at) and of the session cookie made
-- then. A session ends at expires_at, or earlier at ended_at (sign-out or the operator's revocation).
-- chatbot_id has no foreign key: deleting the chatbot must not be blocked by a session, which then
-- simply sees nothing.
CREATE TABLE portal_sessions (
    id            TEXT    PRIMARY KEY,
    account_id    TEXT    NOT NULL REFERENCES accounts (id),
    chatbot_id    TEXT,
    read_only     BOOLEAN NOT NULL,
    token_hash    TEXT    NOT NULL UNIQUE,
    session_hash  TEXT    UNIQUE,
    created_at    BIGINT  NOT NULL,
    expires_at    BIGINT  NOT NULL,
    exchanged_at  BIGINT,
    ended_at      BIGINT
);
CREATE INDEX portal_sessions_by_account ON portal_sessions (account_id, ended_at);
CREATE INDEX portal_sessions_by_expiry ON portal_sessions (expires_at);
