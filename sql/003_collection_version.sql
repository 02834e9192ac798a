-- 003_collection_version.sql -- a version per collection, the source of
-- its ETag (If-None-Match, If-Match).
--
-- collections.version changes with every change to the collection: its
-- fields, its members, their order, its deletion and restoration, and an
-- operator's track delete that touches it.  Each statement that already
-- writes the collection row in a change adds 1 to it in the same UPDATE
-- (no extra round trip), under the row lock the change holds, so two
-- changes never leave the same version and a write that checks If-Match
-- against it after locking the row is free of races (on Galera too: a
-- conflicting write on another node fails certification and retries).
-- Nothing else may write the row without moving the version.
--
-- Existing collections start at version 1, as new ones do.

ALTER TABLE collections
  ADD COLUMN version BIGINT NOT NULL DEFAULT 1 AFTER track_count;
