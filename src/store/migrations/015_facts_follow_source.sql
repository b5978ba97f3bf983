-- A message's facts are read from its source: they went with it when retention purged it
-- (011); now they also go when the source is replaced, and are read again from the new one
-- the next time a stage needs them (src/store/email-facts.ts). Sources are never replaced in
-- service; a repair by hand, or a test, must not leave facts of another email.
DROP TRIGGER message_facts_purge ON messages;
CREATE TRIGGER message_facts_purge AFTER UPDATE OF raw ON messages
  FOR EACH ROW WHEN (NEW.raw IS DISTINCT FROM OLD.raw) EXECUTE FUNCTION message_facts_purge();
