-- Ordered delivery per conversation (io.chatwire.ordering). An endpoint with ordering 'conversation'
-- gets a conversation's events one at a time, in acceptance order.
ALTER TABLE endpoints ADD COLUMN ordering TEXT NOT NULL DEFAULT 'none';

-- The position of an ordered delivery in its conversation; both NULL for unordered deliveries.
ALTER TABLE deliveries ADD COLUMN conversation_id TEXT;
ALTER TABLE deliveries ADD COLUMN position BIGINT;

-- One row per endpoint and conversation, updated in every ingest transaction that adds to the
-- conversation: it hands out positions, and its row lock puts concurrent ingests (and the end of the
-- conversation's head) one after the other, so positions follow commit order.
CREATE TABLE conversation_positions (
    endpoint_id      TEXT   NOT NULL,
    conversation_id  TEXT   NOT NULL,
    account_id       TEXT   NOT NULL,
    last_position    BIGINT NOT NULL,
    PRIMARY KEY (endpoint_id, conversation_id)
);

-- A delivery held behind its conversation's head has no due time. The claim index leaves such rows
-- out, so a conversation held for hours costs the scheduler nothing per poll.
DROP INDEX deliveries_due;
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending' AND next_attempt_at IS NOT NULL;
-- Finds a conversation's head and its successors (small: pending ordered deliveries only).
CREATE INDEX deliveries_in_conversation ON deliveries (endpoint_id, conversation_id, position)
    WHERE status = 'pending' AND conversation_id IS NOT NULL;
