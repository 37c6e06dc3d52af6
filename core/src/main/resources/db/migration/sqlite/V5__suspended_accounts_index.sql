-- The claim of due work skips suspended accounts; this keeps that check off a scan of all accounts.
CREATE INDEX accounts_suspended ON accounts (id) WHERE status = 'suspended';
