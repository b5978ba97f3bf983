-- Settlement and replies: every external effect has a key that makes it happen once.

-- Credits and refunds for billing. The partial unique indexes are the "paid once" rule:
-- per (account, incident) for compensation, per order for refunds, per account for the
-- ICP reward. A second settlement of the same thing fails on the index, whatever the queue did.
CREATE TABLE ledger_entries (
  id           bigserial PRIMARY KEY,
  claim_id     bigint NOT NULL REFERENCES claims (id),
  account      text NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('compensation', 'refund', 'icp_reward')),
  incident     text,
  order_id     text,
  amount       numeric(20, 4) NOT NULL CHECK (amount >= 0),
  currency     text NOT NULL,
  details      jsonb NOT NULL DEFAULT '{}',   -- formula inputs: fees, seconds, multipliers, deductions
  credit_by    timestamptz,                   -- ICP reward: to be credited within a week
  valid_until  timestamptz,                   -- ICP reward: valid one year
  created_at   timestamptz NOT NULL DEFAULT now(),
  exported_at  timestamptz                    -- when the billing export took it
);
CREATE UNIQUE INDEX ledger_once_per_incident ON ledger_entries (account, incident) WHERE kind = 'compensation';
CREATE UNIQUE INDEX ledger_once_per_order ON ledger_entries (order_id) WHERE kind = 'refund';
CREATE UNIQUE INDEX ledger_once_per_account ON ledger_entries (account) WHERE kind = 'icp_reward';
CREATE INDEX ledger_unexported ON ledger_entries (id) WHERE exported_at IS NULL;

-- A refund's steps, as the seed lists them: submitted → confirmed → receipt generated → completed.
CREATE TABLE refund_settlements (
  claim_id       bigint PRIMARY KEY REFERENCES claims (id),
  account        text NOT NULL,
  state          text NOT NULL CHECK (state IN ('submitted', 'confirmed', 'receipt_generated', 'completed')),
  receipt_no     text UNIQUE,
  lines          jsonb NOT NULL,               -- [{order, amount, deduction}]
  deduction      numeric(20, 4) NOT NULL DEFAULT 0,
  amount         numeric(20, 4) NOT NULL,
  currency       text NOT NULL,
  submitted_at   timestamptz NOT NULL DEFAULT now(),
  confirmed_at   timestamptz,
  receipt_at     timestamptz,
  completed_at   timestamptz
);

-- One reply per (claim, decision version). Its Message-ID and bytes are fixed before the
-- first attempt, so a retry sends the very same message.
CREATE TABLE replies (
  id               bigserial PRIMARY KEY,
  claim_id         bigint NOT NULL REFERENCES claims (id),
  decision_version integer NOT NULL,
  kind             text NOT NULL,
  lang             text NOT NULL,
  to_address       text NOT NULL,
  message_id       text NOT NULL UNIQUE,
  subject          text NOT NULL,
  raw              bytea NOT NULL,
  state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  sent_at          timestamptz,
  UNIQUE (claim_id, decision_version)
);
CREATE INDEX replies_to_recent ON replies (lower(to_address), created_at);

-- Later messages of a claim (a customer's answer to a needs-info reply).
CREATE TABLE claim_messages (
  claim_id   bigint NOT NULL REFERENCES claims (id),
  message_id bigint NOT NULL UNIQUE REFERENCES messages (id),
  added_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (claim_id, message_id)
);

ALTER TABLE claims DROP CONSTRAINT claims_state_check;
ALTER TABLE claims ADD CONSTRAINT claims_state_check
  CHECK (state IN ('received', 'assessed', 'review', 'settling', 'settled', 'answered', 'closed', 'ignored', 'merged'));
