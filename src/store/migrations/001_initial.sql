-- claim-intake schema v1: platform records, messages, claims, mailbox checkpoints, audit.

-- Platform records (CONTRACT.md "Records directory"). Each keeps the record as imported
-- (`data`, the contract's JSON) beside the key columns used for look-ups and upserts.
CREATE TABLE accounts (
  id          text PRIMARY KEY,
  data        jsonb NOT NULL,
  imported_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE resources (
  id          text PRIMARY KEY,
  account     text NOT NULL,
  data        jsonb NOT NULL,
  imported_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX resources_account ON resources (account);
CREATE TABLE incidents (
  id          text PRIMARY KEY,
  starts_at   timestamptz NOT NULL,
  data        jsonb NOT NULL,
  imported_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE orders (
  id          text PRIMARY KEY,
  account     text NOT NULL,
  data        jsonb NOT NULL,
  imported_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_account ON orders (account);
CREATE TABLE refund_requests (
  id          text PRIMARY KEY,
  account     text NOT NULL,
  data        jsonb NOT NULL,
  imported_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE past_compensations (
  account     text NOT NULL,
  incident    text NOT NULL,
  data        jsonb NOT NULL,
  imported_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account, incident)
);
CREATE TABLE icp_filings (
  account      text NOT NULL,
  submitted_at timestamptz NOT NULL,
  data         jsonb NOT NULL,
  imported_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account, submitted_at)
);

-- One row per mailbox: where the poller stands.
CREATE TABLE mailboxes (
  name         text PRIMARY KEY,            -- e.g. imap://claims@mail.example:993/INBOX or maildir:/srv/mail
  uid_validity bigint,                      -- IMAP UIDVALIDITY last seen (NULL for Maildir)
  last_uid     bigint NOT NULL DEFAULT 0,   -- highest UID stored under uid_validity
  last_poll_at timestamptz,
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Every message received, raw and untouched, before anything else happens to it.
CREATE TABLE messages (
  id            bigserial PRIMARY KEY,
  mailbox       text NOT NULL REFERENCES mailboxes (name),
  uid_validity  bigint,                     -- IMAP only
  uid           bigint,                     -- IMAP only
  source_key    text NOT NULL,              -- "uidvalidity:uid" (IMAP) or the Maildir file's unique name
  message_id    text,                       -- Message-ID header, without angle brackets
  sha256        bytea NOT NULL,             -- of the raw source
  internal_date timestamptz NOT NULL,       -- the server's receipt time: the received time
  size          bigint NOT NULL,
  raw           bytea,                      -- NULL only for messages too large to keep here (kept in Quarantine)
  state         text NOT NULL DEFAULT 'stored' CHECK (state IN ('stored', 'quarantined')),
  quarantine_reason text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (mailbox, source_key),
  UNIQUE (sha256)
);
CREATE INDEX messages_message_id ON messages (message_id);

-- One claim per message (follow-ups may later attach more messages to a claim).
CREATE TABLE claims (
  id           bigserial PRIMARY KEY,
  message_id   bigint NOT NULL UNIQUE REFERENCES messages (id),
  state        text NOT NULL DEFAULT 'received'
               CHECK (state IN ('received', 'assessed', 'review', 'settled', 'answered', 'closed', 'ignored')),
  type         text,
  decision     text,
  account      text,
  amount       numeric(20, 4),
  currency     text,
  reasons      text[] NOT NULL DEFAULT '{}',
  assessment   jsonb,
  vip          boolean NOT NULL DEFAULT false,
  version      integer NOT NULL DEFAULT 0,
  received_at  timestamptz NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX claims_state ON claims (state);

-- Append-only audit log: every change to a claim, by whom, and why.
CREATE TABLE audit_log (
  id         bigserial PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT now(),
  actor      text NOT NULL,                 -- 'system:poller', 'system:worker', 'agent:<email>'
  action     text NOT NULL,
  claim_id   bigint REFERENCES claims (id),
  message_id bigint REFERENCES messages (id),
  details    jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_claim ON audit_log (claim_id);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
-- TRUNCATE fires no row triggers, so it needs its own (statement-level) guard.
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
