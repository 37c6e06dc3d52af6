-- Schema version 1 (PRAGMA user_version). Times are epoch milliseconds, so that they sort. Statements are separated by ";" at the end of a line.

-- Every delivery taken, by webhook-id: a redelivery finds its row and changes nothing.
CREATE TABLE deliveries (
    delivery_id TEXT PRIMARY KEY,
    event_type  TEXT NOT NULL,
    received_at INTEGER NOT NULL
);

CREATE TABLE leads (
    lead_uuid   TEXT PRIMARY KEY,
    name        TEXT,
    email       TEXT,
    phone       TEXT,
    lead_json   TEXT,
    first_seen  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL
);

CREATE TABLE conversations (
    conversation_id TEXT PRIMARY KEY,
    chatbot_id      TEXT NOT NULL,
    lead_uuid       TEXT REFERENCES leads (lead_uuid),
    source          TEXT NOT NULL,
    first_seen      INTEGER NOT NULL,
    last_seen       INTEGER NOT NULL
);
CREATE INDEX conversations_by_lead ON conversations (lead_uuid, last_seen);

-- The transcript: one row per message, in conversation order.
CREATE TABLE turns (
    conversation_id TEXT NOT NULL REFERENCES conversations (conversation_id),
    position        INTEGER NOT NULL,
    role            TEXT NOT NULL,
    content         TEXT NOT NULL,
    score           REAL,
    delivery_id     TEXT NOT NULL,
    PRIMARY KEY (conversation_id, position)
);

-- Lead submissions and live-chat escalations, on their conversation and lead.
CREATE TABLE activity (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id     TEXT NOT NULL,
    event_type      TEXT NOT NULL,
    conversation_id TEXT,
    lead_uuid       TEXT,
    summary         TEXT NOT NULL,
    received_at     INTEGER NOT NULL
);
CREATE INDEX activity_by_conversation ON activity (conversation_id, id);
CREATE INDEX activity_by_lead ON activity (lead_uuid, id);
