-- An endpoint's own delivery policy (all NULL: the operator's defaults, as before this migration).
-- rate_limit: requests per second at most; retry_schedule: pauses before each retry ("5s,1m");
-- timeout_ms: per attempt; header_names: the static headers' names, one per line, shown in the API;
-- static_headers: their names and values, sealed like signing secrets (never stored in plaintext).
ALTER TABLE endpoints ADD COLUMN rate_limit INTEGER;
ALTER TABLE endpoints ADD COLUMN retry_schedule TEXT;
ALTER TABLE endpoints ADD COLUMN timeout_ms BIGINT;
ALTER TABLE endpoints ADD COLUMN header_names TEXT;
ALTER TABLE endpoints ADD COLUMN static_headers TEXT;
-- Pacing state, shared by every node: paced_until is the earliest time the next request may go (the
-- rate limit's next free slot, or the end of a pause the receiver asked for with 429 + Retry-After);
-- paused_until is that pause alone, shown to the customer. Deliveries of an endpoint paced into the
-- future are not claimed, so a slow endpoint's backlog is not claimed and given back over and over.
ALTER TABLE endpoints ADD COLUMN paced_until BIGINT;
ALTER TABLE endpoints ADD COLUMN paused_until BIGINT;
CREATE INDEX endpoints_paced ON endpoints (paced_until) WHERE paced_until IS NOT NULL;
