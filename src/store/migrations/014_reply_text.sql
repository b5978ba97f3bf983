-- Parse once (issue #13, item 2): the claim page's thread shows each reply's text and sender.
-- They are kept when the reply is prepared, so the console does not parse the replies it sent.
-- A reply prepared before has them read from its bytes the first time the thread shows it.
ALTER TABLE replies
  ADD COLUMN text_part text,       -- the text/plain part as rendered
  ADD COLUMN from_address text;    -- our address it was sent from (MAIL_FROM then)

-- The text is read from the bytes: retention drops it with them (it may repeat the customer's
-- name, subject and ids; subject, sender and recipient stay in the row, as they did before),
-- and bytes replaced by others have theirs read again.
CREATE FUNCTION replies_purge_text() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.text_part := NULL;
  RETURN NEW;
END;
$$;
CREATE TRIGGER replies_purge_text BEFORE UPDATE OF raw ON replies
  FOR EACH ROW WHEN (NEW.raw IS DISTINCT FROM OLD.raw) EXECUTE FUNCTION replies_purge_text();
