-- What kind of receiver an endpoint is: 'webhook' (the event as sent, what every endpoint was before),
-- 'slack' or 'discord' (a message rendered for that service's incoming webhook). A constant default
-- adds the column without rewriting the table and keeps existing endpoints as they were.
ALTER TABLE endpoints ADD COLUMN kind TEXT NOT NULL DEFAULT 'webhook';
