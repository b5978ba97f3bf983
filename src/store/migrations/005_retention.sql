-- Retention (issue #6, part 9): after RETENTION_DAYS the raw source of a finished claim's
-- messages and of the replies we sent is dropped (src/store/retention.ts). The rows stay:
-- ids, SHA-256 (a redelivered copy is still recognised), Message-IDs (threading of a late
-- answer), sizes and dates. Claims, decisions, the ledger and the audit log are untouched.

-- When the raw source was dropped; NULL while it is kept.
ALTER TABLE messages ADD COLUMN purged_at timestamptz;
ALTER TABLE replies ADD COLUMN purged_at timestamptz;
ALTER TABLE replies ALTER COLUMN raw DROP NOT NULL;

-- Purged means gone: a purged row never carries bytes again.
ALTER TABLE messages ADD CONSTRAINT messages_purged_without_raw CHECK (purged_at IS NULL OR raw IS NULL);
ALTER TABLE replies ADD CONSTRAINT replies_purged_without_raw CHECK (purged_at IS NULL OR raw IS NULL);
-- Only a sent reply may lose its bytes: a pending or failed one may still be (re)sent.
ALTER TABLE replies ADD CONSTRAINT replies_raw_until_sent CHECK (raw IS NOT NULL OR state = 'sent');

-- The purge walks rows still holding bytes, oldest first; purged rows leave these indexes.
CREATE INDEX messages_retention ON messages (created_at, id) WHERE raw IS NOT NULL;
CREATE INDEX replies_retention ON replies (created_at, id) WHERE raw IS NOT NULL;
