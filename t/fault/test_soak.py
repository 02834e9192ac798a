"""Soak: CLIENTS clients x OPS mixed mutations on one collection.

Each client owns a few tracks that only it adds and removes, so each owned
track's final membership is the effect of its owner's last acknowledged
operation; every client also reorders the whole collection.  Every request
must be acknowledged (200 and the exact ack); afterwards positions are
0..n-1, no track twice, track_count == rows (SQL), the API agrees with the
database, and the membership is exactly what the acknowledgements say:
no acknowledged change lost.

MCOLL_SOAK_CLIENTS (16) and MCOLL_SOAK_OPS (1000 per client) set the size.
"""

import os
import random
import threading
import time
import unittest

import mcoll as m
from mcoll import cpath

CLIENTS = int(os.environ.get("MCOLL_SOAK_CLIENTS", "16"))
OPS = int(os.environ.get("MCOLL_SOAK_OPS", "1000"))
OWN = 3              # tracks each client adds and removes
SHARED = 4           # tracks always present, only reordered
TIME_LIMIT = 600.0   # seconds: a hung soak fails instead of blocking CI


class SoakTest(unittest.TestCase):
    def test_soak_one_collection(self):
        a = m.new_tenant()
        pool = [m.new_track(a.org, a.user) for _ in range(SHARED + CLIENTS * OWN)]
        shared = pool[:SHARED]
        owned = [pool[SHARED + i * OWN: SHARED + (i + 1) * OWN] for i in range(CLIENTS)]
        cid = m.create(a, name="soak")["id"]
        for t in shared:
            m.add(a, cid, t)
        acked = {}                      # track -> last acknowledged op
        bad = []                        # (client, op, track, status or error, body)
        counts = {"add": 0, "remove": 0, "reorder": 0}
        lock = threading.Lock()
        stop_at = time.time() + TIME_LIMIT
        add_path, order_path = cpath(a.org, cid, "tracks"), cpath(a.org, cid, "order")

        def client(i, c):
            rnd = random.Random(7000 + i)
            mine, last, n = owned[i], {}, {"add": 0, "remove": 0, "reorder": 0}
            errors = []
            for _ in range(OPS):
                if time.time() > stop_at:
                    errors.append((i, "time", None, "time limit reached", b""))
                    break
                x = rnd.random()
                if x < 0.4:
                    op, tr = "add", rnd.choice(mine)
                    r = c.call("POST", add_path, a.key, body={"track_id": tr})
                    want = {"success": True, "id": tr, "detail": "Track added to collection."}
                elif x < 0.7:
                    op, tr = "remove", rnd.choice(mine)
                    r = c.call("DELETE", cpath(a.org, cid, "tracks", tr), a.key)
                    want = {"success": True, "id": tr, "detail": "Track removed from collection."}
                else:
                    op, tr = "reorder", None
                    ids = rnd.sample(pool, rnd.randint(1, len(pool)))
                    r = c.call("PATCH", order_path, a.key, body={"ordered_track_ids": ids})
                    want = {"success": True, "id": cid, "detail": "Collection reordered."}
                n[op] += 1
                if r.status != 200 or m.loads_strict(r.body) != want or \
                        r.headers.get("Content-Type") != m.JSON_CT:
                    errors.append((i, op, tr, r.status, r.body[:300]))
                    if tr:
                        last[tr] = None     # not acknowledged: undecided
                elif tr:
                    last[tr] = op
            with lock:
                acked.update(last)
                bad.extend(errors)
                for k in n:
                    counts[k] += n[k]
            return len(errors)

        t0 = time.time()
        results = m.run_parallel([lambda c, i=i: client(i, c) for i in range(CLIENTS)],
                                 timeout=TIME_LIMIT + 60)
        elapsed = time.time() - t0
        total = sum(counts.values())
        print("\n  soak: %d clients x %d ops = %d requests (%d add, %d remove, %d reorder) "
              "in %.1f s, %.0f req/s, %d not acknowledged"
              % (CLIENTS, OPS, total, counts["add"], counts["remove"], counts["reorder"],
                 elapsed, total / elapsed if elapsed else 0, len(bad)))
        self.assertEqual([r for r in results if not isinstance(r, int)], [],
                         "clients that raised or did not finish")
        self.assertEqual(bad[:20], [], "requests not acknowledged with 200 and the exact ack")
        self.assertEqual(total, CLIENTS * OPS)

        expect = set(shared) | {tr for tr, op in acked.items() if op == "add"}
        db_tracks = m.assert_db_consistent(self, cid)
        self.assertEqual(set(db_tracks), expect, "membership differs from the acknowledged changes")
        entries = m.members(a, cid)
        self.assertEqual([e["track_id"] for e in entries], db_tracks)
        self.assertEqual([e["position"] for e in entries], list(range(len(entries))))
        self.assertEqual(m.get(a, cid)["track_count"], len(db_tracks))
        final = list(reversed(db_tracks))
        m.reorder(a, cid, final)
        self.assertEqual(m.member_ids(a, cid), final)
        m.assert_db_consistent(self, cid)


if __name__ == "__main__":
    unittest.main()
