-- 002_order_keys.sql -- order by sort keys with a per-collection block
-- index, so that adding, removing and reordering write O(k) rows instead
-- of renumbering every later position.
--
-- collection_tracks.sort_key replaces the stored position: a track's
-- position is its rank by sort_key within the collection (0..n-1, derived
-- on read).  Appends take the largest key + 1, a reorder gives the tracks
-- it lists keys below the smallest one, a removal only deletes: keys never
-- need renumbering.
--
-- collection_blocks partitions each collection's key space in key order:
-- a block covers [first_key, the next block's first_key) and counts the
-- entries in it, so the rank of a block's first entry is the sum of the
-- counts before it.  Paging to an offset reads the few block rows (about
-- n/128) and then scans at most one block's entries.  The blocks are kept
-- up to date by every change; mcolld rebuilds a collection's blocks when
-- they no longer add up to its track_count or have grown too many.
--
-- Existing data: sort_key = position, blocks of 128 in position order.

ALTER TABLE collection_tracks
  ADD COLUMN sort_key BIGINT NOT NULL DEFAULT 0 AFTER track_id;

UPDATE collection_tracks SET sort_key = position;

ALTER TABLE collection_tracks
  DROP INDEX collection_tracks_position,
  DROP COLUMN position,
  ALTER COLUMN sort_key DROP DEFAULT,
  ADD UNIQUE KEY collection_tracks_order (collection_id, sort_key);

CREATE TABLE collection_blocks (
  collection_id CHAR(18)     NOT NULL,
  first_key     BIGINT       NOT NULL,
  entries       INT          NOT NULL,
  PRIMARY KEY (collection_id, first_key),
  CONSTRAINT collection_blocks_collection FOREIGN KEY (collection_id) REFERENCES collections (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT INTO collection_blocks (collection_id, first_key, entries)
  SELECT collection_id, MIN(sort_key), COUNT(*)
  FROM (SELECT collection_id, sort_key,
               (ROW_NUMBER() OVER (PARTITION BY collection_id ORDER BY sort_key) - 1) DIV 128 AS block
        FROM collection_tracks) numbered
  GROUP BY collection_id, block;
