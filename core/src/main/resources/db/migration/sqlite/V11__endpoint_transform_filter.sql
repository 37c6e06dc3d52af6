-- An endpoint's JSONata filter (decides at ingest whether it gets an event at all) and transform (makes
-- the body it is sent); NULL when it has none. filtered_out counts the events its filter kept from it,
-- which are no deliveries and would otherwise leave no trace.
ALTER TABLE endpoints ADD COLUMN filter_expression TEXT;
ALTER TABLE endpoints ADD COLUMN transform_expression TEXT;
ALTER TABLE endpoints ADD COLUMN filtered_out BIGINT NOT NULL DEFAULT 0;
