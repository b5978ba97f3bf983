-- What lists show of a message (issue #11, item 5): kept when the message is parsed for
-- assessment, so the review queue (refreshed every 5 s per open console) reads a few hundred
-- bytes per row instead of parsing raw sources of up to 25 MB.
CREATE TABLE message_facts (
  message_id   bigint PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
  subject      text NOT NULL,               -- decoded, unfolded ('' when absent), at most 4,000 characters
  from_address text,                        -- first From address, lower-cased
  from_name    text,                        -- its display name, decoded
  attachments  jsonb NOT NULL DEFAULT '[]', -- [{"filename","contentType","size"}], at most 100
  attachment_count integer NOT NULL DEFAULT 0,
  parse_error  text,                        -- set when only the bounded fallback reading worked
  parsed_at    timestamptz NOT NULL DEFAULT now()
);

-- The facts are read from the source: when retention purges the source, they go with it
-- (subject and sender are the customer's words, kept no longer than the email itself).
CREATE FUNCTION message_facts_purge() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM message_facts WHERE message_id = NEW.id;
  RETURN NULL;
END;
$$;
CREATE TRIGGER message_facts_purge AFTER UPDATE OF raw ON messages
  FOR EACH ROW WHEN (NEW.raw IS NULL) EXECUTE FUNCTION message_facts_purge();
