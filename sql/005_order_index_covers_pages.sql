-- 005_order_index_covers_pages.sql -- a page of tracks read from the order
-- index alone.
--
-- A page (GET .../tracks) reads track_id and added_at in sort_key order.
-- With the order index on (collection_id, sort_key) every entry of the
-- page, and every entry skipped inside a block, took a second lookup in
-- the primary key for added_at: two thirds of a 200-entry page's cost in
-- the server.  The order index now carries added_at (track_id is in it as
-- part of the primary key), so a page is one range scan of one index.
--
-- The index replaces the old one rather than adding a second, so a
-- reorder still rewrites one secondary entry per moved track.  It is
-- unique on (collection_id, sort_key, added_at): two entries of a
-- collection are never given one key (every change to a collection's
-- order holds its row locked, and a Galera node certifies that row), and
-- should two ever share one by hand, the order stays total.
--
-- Existing data: the index is built in place (online: reads and writes go
-- on meanwhile on a single server; about 0.5 s per 350,000 entries on a
-- 2-core machine); rows are unchanged.  On a Galera cluster the ALTER is
-- replicated in total order (TOI), so writes wait on every node while it
-- runs: apply it when a pause of that length is acceptable.

ALTER TABLE collection_tracks
  DROP INDEX collection_tracks_order,
  ADD UNIQUE KEY collection_tracks_order (collection_id, sort_key, added_at);
