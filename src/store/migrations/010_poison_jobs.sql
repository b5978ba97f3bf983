-- Poison jobs (issue #11): how often each stage failed for one decision version of a claim.
-- Counted in PostgreSQL, not in the queue, because a job's own attempts restart whenever a
-- sweep enqueues the work again: only this count can tell "failed five times" across them.
-- At STAGE_MAX_FAILURES the claim goes to review (`stage_failed`) and the sweeps leave it.
CREATE TABLE stage_failures (
  claim_id       bigint NOT NULL REFERENCES claims (id),
  stage          text NOT NULL CHECK (stage IN ('assess', 'settle', 'reply')),
  version        integer NOT NULL,            -- the decision version the job acted on; 0 for assess
  failures       integer NOT NULL,
  last_error     text NOT NULL,
  first_failed_at timestamptz NOT NULL DEFAULT now(),
  last_failed_at timestamptz NOT NULL DEFAULT now(),
  poisoned_at    timestamptz,                 -- when the claim was handed to an agent for it
  PRIMARY KEY (claim_id, stage, version)
);
