-- The signing and content headers each attempt sent (a JSON object; signatures cut to a short
-- prefix), so that the attempt log shows what a receiver got, whatever the secrets are now.
-- NULL for attempts made before this was recorded.
ALTER TABLE attempts ADD COLUMN request_headers TEXT;
