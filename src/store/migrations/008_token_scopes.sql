-- API token scopes (issue #10): a scope adds one capability to a token on top of its role.
-- 'records' lets a token push platform records (PUT /api/records/{kind}), so a billing or
-- incident system's token can feed records without being an admin.
ALTER TABLE api_tokens ADD COLUMN scopes text[] NOT NULL DEFAULT '{}';
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_scopes_known CHECK (scopes <@ ARRAY['records']);
