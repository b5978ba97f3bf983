-- Per-claim record slices (issue #10): every look-up one assessment needs goes through an
-- index, so a worker never holds all records. Columns derived from `data` are filled by
-- import (and backfilled here); `data` stays the record as given.

-- Ids are matched case-insensitively (an email may write DEMO-SHOP for demo-shop).
CREATE INDEX accounts_id_lower ON accounts (lower(id));
CREATE INDEX orders_id_lower ON orders (lower(id));

-- The account's contacts, lower-cased: "which accounts may this sender claim for".
ALTER TABLE accounts ADD COLUMN emails text[] NOT NULL DEFAULT '{}';
UPDATE accounts SET emails = ARRAY(
  SELECT lower(btrim(e)) FROM jsonb_array_elements_text(data -> 'emails') AS e);
-- GIN indexes here are read on every claim: without fastupdate, inserts go straight into the
-- index instead of a pending list that every look-up would have to read through.
CREATE INDEX accounts_emails ON accounts USING gin (emails) WITH (fastupdate = off);

-- A resource's "service<US>region", the key an incident's scope entries are matched by.
ALTER TABLE resources ADD COLUMN scope text NOT NULL DEFAULT '';
UPDATE resources SET scope = btrim(data ->> 'service') || chr(31) || btrim(data ->> 'region');

-- Incidents: what they touch (resource ids; "service<US>region" scopes) and when they end,
-- so the incidents affecting an account's resources around the claimed times are found
-- without reading the others.
ALTER TABLE incidents ADD COLUMN ends_at timestamptz;
ALTER TABLE incidents ADD COLUMN resources text[] NOT NULL DEFAULT '{}';
ALTER TABLE incidents ADD COLUMN scopes text[] NOT NULL DEFAULT '{}';
UPDATE incidents SET
  ends_at = (data ->> 'end')::timestamptz,
  resources = ARRAY(SELECT btrim(r) FROM jsonb_array_elements_text(
    CASE jsonb_typeof(data -> 'resources') WHEN 'array' THEN data -> 'resources' ELSE '[]' END) AS r),
  scopes = ARRAY(SELECT (s ->> 'service') || chr(31) || (s ->> 'region') FROM jsonb_array_elements(
    CASE jsonb_typeof(data -> 'scope') WHEN 'array' THEN data -> 'scope' ELSE '[]' END) AS s);
ALTER TABLE incidents ALTER COLUMN ends_at SET NOT NULL;
CREATE INDEX incidents_resources ON incidents USING gin (resources) WITH (fastupdate = off);
CREATE INDEX incidents_scopes ON incidents USING gin (scopes) WITH (fastupdate = off);
-- When they happened: the incidents overlapping a claimed time's window, and those that
-- started within the look-back before one.
CREATE INDEX incidents_period ON incidents USING gist (tstzrange(starts_at, ends_at, '[]'));
CREATE INDEX incidents_starts ON incidents (starts_at);

-- Past refund requests: by account (the per-account limit) and by order (already refunded).
ALTER TABLE refund_requests ADD COLUMN orders text[] NOT NULL DEFAULT '{}';
UPDATE refund_requests SET orders = ARRAY(
  SELECT lower(btrim(o)) FROM jsonb_array_elements_text(data -> 'orders') AS o);
CREATE INDEX refund_requests_account ON refund_requests (account);
CREATE INDEX refund_requests_orders ON refund_requests USING gin (orders) WITH (fastupdate = off);

-- The service's own settled history, by account.
CREATE INDEX refund_settlements_account ON refund_settlements (account);

-- Replayable decisions: each assessment keeps the records it read (`slice`, contract JSON
-- per records file) and what else it depended on, so it can be re-run exactly as made.
CREATE TABLE engine_settings (
  hash       text PRIMARY KEY,              -- sha256 of the canonical JSON below
  policy     jsonb NOT NULL,                -- the policy file's JSON, every key present
  calendar   jsonb NOT NULL,                -- the calendar file's JSON
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE claim_assessments (
  claim_id             bigint NOT NULL REFERENCES claims (id),
  version              integer NOT NULL,     -- claims.version this assessment produced
  message_ids          bigint[] NOT NULL,    -- the email as assessed: one message, or a follow-up then its original
  received_at          timestamptz NOT NULL,
  sender_authenticated boolean,
  settings             text NOT NULL REFERENCES engine_settings (hash),
  slice                jsonb NOT NULL,
  assessment           jsonb NOT NULL,       -- the engine's result, before any agent action
  created_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (claim_id, version)
);
