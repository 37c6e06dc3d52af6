-- The content-type header of an endpoint's deliveries: 'text/plain' (sent as text/plain; charset=utf-8,
-- what Chat Data's example receiver needs) or 'application/json'. The default here is for the rows
-- that exist when this runs: they were registered when every delivery was application/json, and a
-- receiver working with that may break if the label changes under it. New endpoints get text/plain
-- from the application, which always names the column on insert. A constant default adds the column
-- without rewriting the table.
ALTER TABLE endpoints ADD COLUMN content_type TEXT NOT NULL DEFAULT 'application/json';
