-- A reply whose sending attempt was cut off (the process died between handing it to SMTP and
-- recording the answer) may or may not have reached the customer. It is marked here, not by
-- the text of last_error, and is never sent again (src/pipeline/reply.ts).
ALTER TABLE replies ADD COLUMN outcome_unknown boolean NOT NULL DEFAULT false;
ALTER TABLE replies ADD CONSTRAINT replies_outcome_unknown_failed
  CHECK (NOT outcome_unknown OR state = 'failed');
