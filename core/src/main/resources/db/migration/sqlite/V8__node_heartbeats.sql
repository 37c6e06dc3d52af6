-- One row per node, rewritten by its readiness probe (at most once a second while /readyz is polled):
-- a node is ready only if it can commit, and committing this row is how it finds out.
CREATE TABLE node_heartbeats (
    node_id  TEXT   PRIMARY KEY,
    beat_at  BIGINT NOT NULL
);
