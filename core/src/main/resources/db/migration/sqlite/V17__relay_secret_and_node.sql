-- A relay endpoint of `chatwire listen --secret-of ENDPOINT` signs as that endpoint: it holds a copy of
-- the endpoint's secrets, renewed whenever they change (rotation, or back to the account's secret), so
-- that a listener started before a rotation keeps signing as production does. NULL for every other row.
ALTER TABLE endpoints ADD COLUMN signs_as TEXT;

-- The node a relay endpoint's listener is connected to (NULL while it is connected nowhere). In a
-- cluster only that node claims the endpoint's deliveries: the others could only fail them.
ALTER TABLE endpoints ADD COLUMN relay_node TEXT;
CREATE INDEX endpoints_relayed ON endpoints (relay_node) WHERE relay;
