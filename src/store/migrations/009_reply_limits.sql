-- Flood limits on automatic replies (issue #11, DESIGN "Automatic replies (v1.1)").

-- Who a reply went to, as the limits count it: the mailbox with case and +tag folded
-- (Victim+1@X.test and victim@x.test are one mailbox), its domain, and whether the address
-- was a contact of a known account when the reply was prepared (the per-domain limit counts
-- only the others). src/reply/recipient.ts sets them; NULL only on rows written by hand.
ALTER TABLE replies ADD COLUMN to_mailbox text;
ALTER TABLE replies ADD COLUMN to_domain text;
ALTER TABLE replies ADD COLUMN to_contact boolean NOT NULL DEFAULT false;

-- Existing rows, folded as foldMailbox does (a quoted or all-tag local part keeps its tag).
UPDATE replies SET
  to_mailbox = regexp_replace(
    regexp_replace(lower(btrim(to_address)), '\.+$', ''),
    '^([^"+@][^+@]*)\+[^@]*@', '\1@'),
  to_domain = regexp_replace(coalesce(substring(lower(btrim(to_address)) from '@([^@]*)$'), ''), '\.+$', ''),
  to_contact = EXISTS (SELECT 1 FROM accounts a WHERE a.emails @> ARRAY[lower(btrim(to_address))]);

-- Each limit counts the rows of its window from an index: per mailbox and per domain over
-- 24 hours, all replies over the last hour.
CREATE INDEX replies_to_mailbox_recent ON replies (to_mailbox, created_at);
CREATE INDEX replies_to_domain_recent ON replies (to_domain, created_at) WHERE NOT to_contact;
CREATE INDEX replies_recent ON replies (created_at);
-- The per-sender count by lower(to_address) it replaces.
DROP INDEX replies_to_recent;

-- A reply that tells of a payment is never dropped by a limit: it waits. One row per
-- (claim, decision version) waiting, with the time the limit's window allows it; the reply
-- job waits in Redis until then, and the sweeps offer the claim again only after it.
CREATE TABLE reply_deferrals (
  claim_id         bigint NOT NULL REFERENCES claims (id),
  decision_version integer NOT NULL,
  until            timestamptz NOT NULL,
  why              text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (claim_id, decision_version)
);
