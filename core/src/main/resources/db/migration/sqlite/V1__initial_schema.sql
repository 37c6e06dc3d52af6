-- Times are epoch milliseconds (INTEGER) so SQLite and PostgreSQL compare them the same way.

CREATE TABLE operator_tokens (
    token_hash  TEXT    PRIMARY KEY,
    created_at  INTEGER NOT NULL
);

CREATE TABLE accounts (
    id              TEXT    PRIMARY KEY,
    name            TEXT    NOT NULL,
    plan            TEXT    NOT NULL CHECK (plan IN ('free', 'standard', 'professional')),
    signing_secret  TEXT    NOT NULL,
    created_at      INTEGER NOT NULL
);

CREATE TABLE api_keys (
    id          TEXT    PRIMARY KEY,
    account_id  TEXT    NOT NULL REFERENCES accounts (id),
    key_hash    TEXT    NOT NULL UNIQUE,
    key_prefix  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);

CREATE TABLE chatbots (
    id              TEXT    PRIMARY KEY,
    account_id      TEXT    NOT NULL REFERENCES accounts (id),
    name            TEXT    NOT NULL,
    endpoint_limit  INTEGER,
    created_at      INTEGER NOT NULL
);
CREATE INDEX chatbots_by_account ON chatbots (account_id, id);

CREATE TABLE endpoints (
    id           TEXT    PRIMARY KEY,
    account_id   TEXT    NOT NULL REFERENCES accounts (id),
    chatbot_id   TEXT    NOT NULL REFERENCES chatbots (id),
    url          TEXT    NOT NULL,
    event_types  TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    enabled      BOOLEAN NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX endpoints_by_chatbot ON endpoints (chatbot_id);

CREATE TABLE events (
    id               TEXT    PRIMARY KEY,
    account_id       TEXT    NOT NULL,
    chatbot_id       TEXT    NOT NULL,
    event_type       TEXT    NOT NULL,
    payload          TEXT    NOT NULL,
    idempotency_key  TEXT    UNIQUE,
    created_at       INTEGER NOT NULL
);
CREATE INDEX events_by_account ON events (account_id, id);

CREATE TABLE deliveries (
    id               TEXT    PRIMARY KEY,
    event_id         TEXT    NOT NULL REFERENCES events (id),
    endpoint_id      TEXT    NOT NULL,
    account_id       TEXT    NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    cycle_attempts   INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER,
    leased_by        TEXT,
    lease_until      INTEGER,
    version          INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    UNIQUE (event_id, endpoint_id)
);
-- Only pending rows are ever scanned for due work, so the scan costs what is due, not the history.
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_by_account_status ON deliveries (account_id, status, id);

CREATE TABLE attempts (
    id              TEXT    PRIMARY KEY,
    delivery_id     TEXT    NOT NULL REFERENCES deliveries (id),
    event_id        TEXT    NOT NULL,
    endpoint_id     TEXT    NOT NULL,
    account_id      TEXT    NOT NULL,
    attempt_number  INTEGER NOT NULL,
    cause           TEXT    NOT NULL,
    url             TEXT    NOT NULL,
    started_at      INTEGER NOT NULL,
    latency_ms      INTEGER NOT NULL,
    http_status     INTEGER,
    response_body   TEXT,
    outcome         TEXT    NOT NULL,
    error_kind      TEXT,
    error_message   TEXT,
    node_id         TEXT    NOT NULL
);
CREATE INDEX attempts_by_delivery ON attempts (delivery_id, id);
