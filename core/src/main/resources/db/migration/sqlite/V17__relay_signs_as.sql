-- A relay endpoint of `chatwire listen --secret-of ENDPOINT` signs as that endpoint: it holds a copy of
-- the endpoint's secrets, renewed whenever they change (rotation, or back to the account's secret), so
-- that a listener started before a rotation keeps signing as production does. NULL for every other row.
ALTER TABLE endpoints ADD COLUMN signs_as TEXT;
