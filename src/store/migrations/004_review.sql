-- The review console: which agent is working on a flagged claim (NULL: nobody yet).
ALTER TABLE claims ADD COLUMN assignee text;
CREATE INDEX claims_review_received ON claims (received_at, id) WHERE state = 'review';
