-- Usage per chatbot, UTC day and source, kept up to date in the ingest transaction, so that a year
-- of analytics is a few hundred rows per chatbot instead of a scan of every event.
CREATE TABLE usage_daily (
    account_id   TEXT    NOT NULL,
    chatbot_id   TEXT    NOT NULL,
    day          TEXT    NOT NULL,
    source       TEXT    NOT NULL,
    chats        BIGINT NOT NULL DEFAULT 0,
    credits      DOUBLE PRECISION NOT NULL DEFAULT 0,
    leads        BIGINT NOT NULL DEFAULT 0,
    escalations  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (chatbot_id, day, source)
);
CREATE INDEX usage_daily_by_account ON usage_daily (account_id, day);

-- Delivery outcomes per endpoint and UTC day, with a fixed latency histogram (upper bounds in ms:
-- 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, above), updated with each attempt.
CREATE TABLE endpoint_daily (
    account_id  TEXT    NOT NULL,
    endpoint_id TEXT    NOT NULL,
    day         TEXT    NOT NULL,
    attempts    BIGINT NOT NULL DEFAULT 0,
    successes   BIGINT NOT NULL DEFAULT 0,
    b0  BIGINT NOT NULL DEFAULT 0, b1  BIGINT NOT NULL DEFAULT 0, b2  BIGINT NOT NULL DEFAULT 0,
    b3  BIGINT NOT NULL DEFAULT 0, b4  BIGINT NOT NULL DEFAULT 0, b5  BIGINT NOT NULL DEFAULT 0,
    b6  BIGINT NOT NULL DEFAULT 0, b7  BIGINT NOT NULL DEFAULT 0, b8  BIGINT NOT NULL DEFAULT 0,
    b9  BIGINT NOT NULL DEFAULT 0, b10 BIGINT NOT NULL DEFAULT 0, b11 BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (endpoint_id, day)
);
CREATE INDEX endpoint_daily_by_account ON endpoint_daily (account_id, day);
