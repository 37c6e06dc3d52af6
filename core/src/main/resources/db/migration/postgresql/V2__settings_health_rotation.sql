-- Accounts can be suspended; a rotated signing secret keeps working until previous_secret_expires_at.
ALTER TABLE accounts ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
ALTER TABLE accounts ADD COLUMN previous_signing_secret TEXT;
ALTER TABLE accounts ADD COLUMN previous_secret_expires_at BIGINT;

-- An endpoint may sign with its own secret instead of the account's, and keeps a health record:
-- it is disabled automatically once it has failed every attempt for the configured period.
ALTER TABLE endpoints ADD COLUMN secret TEXT;
ALTER TABLE endpoints ADD COLUMN previous_secret TEXT;
ALTER TABLE endpoints ADD COLUMN previous_secret_expires_at BIGINT;
ALTER TABLE endpoints ADD COLUMN consecutive_failures BIGINT NOT NULL DEFAULT 0;
ALTER TABLE endpoints ADD COLUMN failing_since BIGINT;
ALTER TABLE endpoints ADD COLUMN disabled_reason TEXT;
ALTER TABLE endpoints ADD COLUMN disabled_at BIGINT;
CREATE UNIQUE INDEX endpoints_by_chatbot_url ON endpoints (chatbot_id, url);

-- Test events ("send a sample event to this endpoint") are logged like others but kept out of usage.
ALTER TABLE events ADD COLUMN test BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX events_by_account_created ON events (account_id, created_at);

CREATE INDEX deliveries_by_endpoint_status ON deliveries (endpoint_id, status, created_at);
CREATE INDEX attempts_by_account ON attempts (account_id, id);
CREATE INDEX attempts_by_endpoint ON attempts (endpoint_id, id);
