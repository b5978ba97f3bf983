-- The agent console's foundation: people who sign in, their sessions, API tokens for
-- machines, and sign-in attempts (the rate limiter's memory).

CREATE TABLE users (
  id            bigserial PRIMARY KEY,
  -- Stored lower-cased so "A@x" and "a@x" are one account; the check keeps it that way.
  email         text NOT NULL UNIQUE CHECK (email = lower(email)),
  role          text NOT NULL CHECK (role IN ('agent', 'ops', 'admin')),
  password_hash text NOT NULL,              -- scrypt$N$r$p$salt$hash (base64)
  created_at    timestamptz NOT NULL DEFAULT now(),
  disabled      boolean NOT NULL DEFAULT false
);

-- The cookie holds a random token; only its SHA-256 is stored, so a leaked table
-- (backup, replica) does not hand out live sessions.
CREATE TABLE sessions (
  id           text PRIMARY KEY,            -- hex SHA-256 of the cookie's token
  user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Bearer tokens (`cit_…`) for scripts; shown once, stored as SHA-256. A token acts with
-- its own role; user_id is the person it acts for, when there is one.
CREATE TABLE api_tokens (
  id           bigserial PRIMARY KEY,
  name         text NOT NULL,
  token_hash   text NOT NULL UNIQUE,
  user_id      bigint REFERENCES users (id),
  role         text NOT NULL CHECK (role IN ('agent', 'ops', 'admin')),
  created_by   bigint REFERENCES users (id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);

CREATE TABLE sign_in_attempts (
  id    bigserial PRIMARY KEY,
  email text NOT NULL,
  ip    text NOT NULL,
  at    timestamptz NOT NULL DEFAULT now(),
  ok    boolean NOT NULL
);
CREATE INDEX sign_in_attempts_email ON sign_in_attempts (email, at) WHERE NOT ok;
CREATE INDEX sign_in_attempts_ip ON sign_in_attempts (ip, at) WHERE NOT ok;
