-- 004_idempotency_keys.sql -- Idempotency-Key on POST /collections and
-- POST /collections/{id}/tracks (README: "Idempotency keys").
--
-- A key is claimed by inserting its row (state 'running') in a short
-- transaction of its own, committed before the work, so a concurrent retry
-- finds it and is told 409.  The work's transaction then stores the answer
-- (state 'done', status, headers, body) in the same commit as its effect:
-- after a crash there is either the effect with its stored answer, or no
-- effect and a 'running' row that a retry takes over once it is older than
-- the longest a request can run.  claim_token tells the claimant apart from
-- a later one that took a stale row over.  Rows expire after 24 hours
-- (created_at); `mcollctl purge` deletes them.
CREATE TABLE idempotency_keys (
  user_id      CHAR(16)     NOT NULL,
  org_id       VARCHAR(64)  NOT NULL,
  idem_key     VARBINARY(255) NOT NULL,
  fingerprint  BINARY(32)   NOT NULL,
  state        ENUM('running', 'done') NOT NULL,
  claim_token  CHAR(12)     NOT NULL,
  status       SMALLINT     NULL,
  headers      VARBINARY(1024) NULL,
  body         MEDIUMBLOB   NULL,
  created_at   DATETIME(6)  NOT NULL,
  claimed_at   DATETIME(6)  NOT NULL,
  PRIMARY KEY (user_id, org_id, idem_key),
  KEY idempotency_keys_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
