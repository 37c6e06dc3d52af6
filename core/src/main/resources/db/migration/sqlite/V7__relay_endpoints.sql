-- Relay endpoints (chatwire listen): their deliveries travel over a connection the listener opened,
-- never dialled, and they do not use one of the chatbot's endpoint slots. relay_seen_at is when a
-- node last saw the listener connected; one not seen for the relay timeout is removed.
ALTER TABLE endpoints ADD COLUMN relay BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE endpoints ADD COLUMN relay_seen_at BIGINT;
