-- Retention purges old settled events in created_at order, and removes their attempts by event.
CREATE INDEX events_by_created ON events (created_at);
CREATE INDEX attempts_by_event ON attempts (event_id);
