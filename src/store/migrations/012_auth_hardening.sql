-- Sign-in and tokens (issue #11, item 6).

-- The limiter reads an (account, address) pair's failures since its last success; each
-- password check is reserved as a failed row before it runs (turned ok on success).
CREATE INDEX sign_in_attempts_pair ON sign_in_attempts (email, ip, at);

-- Refused sign-ins are counted here, one row per (account, address, hour), instead of an
-- audit row each: anyone can send them, and one audit row per refusal let an anonymous
-- client grow audit_log without bound. email is NULL when the address limit refused it
-- (every account the address tries then shares one row: rotating names gains nothing).
CREATE TABLE sign_in_refusals (
  email        text,
  ip           text NOT NULL,
  window_start timestamptz NOT NULL,
  refused      bigint NOT NULL DEFAULT 1,
  last_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX sign_in_refusals_key
  ON sign_in_refusals (email, ip, window_start) NULLS NOT DISTINCT;
CREATE INDEX sign_in_refusals_window ON sign_in_refusals (window_start);

-- A session ends after this many seconds without a request (SESSION_IDLE_MINUTES when it
-- was made), besides its absolute expires_at.
ALTER TABLE sessions ADD COLUMN idle_timeout_s integer NOT NULL DEFAULT 3600
  CHECK (idle_timeout_s > 0);

-- A token belongs to the person who made it (created_by) and expires. Tokens from before
-- this migration get 90 days from now, so no integration stops without warning, and those
-- whose maker is already disabled are revoked.
ALTER TABLE api_tokens ADD COLUMN expires_at timestamptz;
UPDATE api_tokens SET created_by = coalesce(created_by, user_id);
UPDATE api_tokens SET expires_at = now() + interval '90 days';
ALTER TABLE api_tokens ALTER COLUMN expires_at SET NOT NULL;
UPDATE api_tokens t SET revoked_at = now()
  FROM users u WHERE u.id = t.created_by AND u.disabled AND t.revoked_at IS NULL;
CREATE INDEX api_tokens_created_by ON api_tokens (created_by) WHERE revoked_at IS NULL;
