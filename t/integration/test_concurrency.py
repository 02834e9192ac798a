"""Concurrent adds, removes and reorders on one collection.

Each thread owns a disjoint set of tracks that only it adds and removes, so
the final membership of every track is decided by the last acknowledged
operation of one thread; all threads also reorder the whole collection (ids of
every track, members or not).  Afterwards the positions must be exactly
0..n-1, no track twice, track_count == membership rows, and the membership
must match the acknowledged operations.
"""

import random
import threading
import time
import unittest

import mcoll as m
from mcoll import call, cpath

THREADS = 12
OWN = 3              # tracks owned by each thread
SHARED = 4           # tracks always in the collection, only reordered
OPS_PER_THREAD = 25  # 300 operations in all
DEADLINE = 50.0      # seconds for the whole burst


class ConcurrencyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.a = m.new_tenant()
        n = THREADS * OWN + SHARED
        cls.pool = [m.new_track(cls.a.org, cls.a.user) for _ in range(n)]
        cls.shared = cls.pool[:SHARED]
        cls.owned = [cls.pool[SHARED + i * OWN: SHARED + (i + 1) * OWN] for i in range(THREADS)]
        cls.cid = m.create(cls.a, name="concurrency")["id"]
        cls.initial = set(cls.shared)
        for t in cls.shared:
            m.add(cls.a, cls.cid, t)
        # every thread starts with its first track in the collection
        for own in cls.owned:
            m.add(cls.a, cls.cid, own[0])
            cls.initial.add(own[0])

    def test_concurrent_mutations(self):
        a, cid = self.a, self.cid
        errors = []          # (thread, op, track, status or exception, body)
        last = {}            # track -> (op, acknowledged?)
        count = {"add": 0, "remove": 0, "reorder": 0}
        lock = threading.Lock()
        start = threading.Barrier(THREADS)
        stop_at = time.time() + DEADLINE

        def worker(i):
            rnd = random.Random(1000 + i)
            cl = m.Client()
            own = self.owned[i]
            try:
                start.wait(timeout=30)
                for _ in range(OPS_PER_THREAD):
                    if time.time() > stop_at:
                        break
                    x = rnd.random()
                    if x < 0.4:
                        op, tr = "add", rnd.choice(own)
                        method, path = "POST", cpath(a.org, cid, "tracks")
                        body, detail, ack_id = {"track_id": tr}, "Track added to collection.", tr
                    elif x < 0.7:
                        op, tr = "remove", rnd.choice(own)
                        method, path = "DELETE", cpath(a.org, cid, "tracks", tr)
                        body, detail, ack_id = None, "Track removed from collection.", tr
                    else:
                        op, tr = "reorder", None
                        ids = rnd.sample(self.pool, rnd.randint(1, len(self.pool)))
                        method, path = "PATCH", cpath(a.org, cid, "order")
                        body, detail, ack_id = {"ordered_track_ids": ids}, "Collection reordered.", cid
                    try:
                        r = cl.call(method, path, a.key, body=body)
                    except Exception as e:  # noqa: BLE001
                        with lock:
                            errors.append((i, op, tr, repr(e), b""))
                            if tr:
                                last[tr] = (op, False)
                        continue
                    ok = (r.status == 200 and r.body and
                          m.loads_strict(r.body) == {"success": True, "id": ack_id,
                                                     "detail": detail}
                          and r.headers.get("Content-Type") == m.JSON_CT)
                    with lock:
                        count[op] += 1
                        if not ok:
                            errors.append((i, op, tr, r.status, r.body[:300]))
                        if tr:
                            last[tr] = (op, ok)
            finally:
                cl.close()

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
        t0 = time.time()
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=DEADLINE + 40)
        elapsed = time.time() - t0
        self.assertFalse(any(th.is_alive() for th in threads), "threads still running")
        self.assertEqual(errors, [], "requests not acknowledged with 200 and the exact ack")
        total = sum(count.values())
        self.assertGreaterEqual(total, 100, "only %d operations in %.1fs" % (total, elapsed))

        # expected membership: shared tracks + per owned track the last ack'd op
        expect = set(self.shared)
        undecided = set()
        for own in self.owned:
            for tr in own:
                if tr in last:
                    op, acked = last[tr]
                    if not acked:
                        undecided.add(tr)
                    elif op == "add":
                        expect.add(tr)
                elif tr in self.initial:
                    expect.add(tr)

        # the database: positions 0..n-1, unique tracks, track_count == rows
        db_tracks = m.assert_db_consistent(self, cid)
        # the API agrees with the database
        entries = m.members(a, cid)
        self.assertEqual([e["track_id"] for e in entries], db_tracks)
        self.assertEqual([e["position"] for e in entries], list(range(len(entries))))
        self.assertEqual(m.get(a, cid)["track_count"], len(entries))
        self.assertEqual(set(db_tracks) - undecided, expect - undecided,
                         "membership does not match the acknowledged operations")

        # after the storm, a reorder is still exact
        final = list(reversed(db_tracks))
        m.reorder(a, cid, final)
        self.assertEqual(m.member_ids(a, cid), final)
        m.assert_db_consistent(self, cid)

    def test_concurrent_adds_of_one_track(self):
        """Many clients adding the same tracks at once: each at most once."""
        a = self.a
        cid = m.create(a, name="same-track")["id"]
        tracks = self.pool[:5]

        def adder(cl):
            errors = []
            for tr in tracks:
                r = cl.call("POST", cpath(a.org, cid, "tracks"), a.key, body={"track_id": tr})
                if r.status != 200:
                    errors.append((tr, r.status, r.body[:300]))
            return errors

        results = m.run_parallel([adder] * 8, timeout=60)
        errors = [(i, r) for i, r in enumerate(results) if r != []]
        self.assertEqual(errors, [])
        got = m.assert_db_consistent(self, cid)
        self.assertEqual(sorted(got), sorted(tracks))
        self.assertEqual(m.get(a, cid)["track_count"], 5)

    def test_admin_delete_races_adds(self):
        """Adding a track to many collections while the admin deletes it:
        every answer is 200 or the track 404, and no collection keeps it."""
        a = self.a
        victim = m.new_track(a.org, a.user)
        keep = m.new_track(a.org, a.user)
        cids = []
        for i in range(8):
            cid = m.create(a, name="race-%d" % i)["id"]
            m.add(a, cid, keep)
            cids.append(cid)

        def adder(cid):
            def job(c):
                out = []
                for _ in range(6):
                    out.append(c.call("POST", cpath(a.org, cid, "tracks"), a.key,
                                      body={"track_id": victim}))
                    out.append(c.call("PATCH", cpath(a.org, cid, "order"), a.key,
                                      body={"ordered_track_ids": [victim, keep]}))
                return out
            return job

        def deleter(c):
            time.sleep(0.05)
            return m.ctl_proc("track", "delete", victim)

        results = m.run_parallel([adder(cid) for cid in cids] + [deleter])
        proc = results[-1]
        self.assertNotIsInstance(proc, Exception, proc)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        for res in results[:-1]:
            self.assertNotIsInstance(res, Exception, res)
            for r in res:
                if r.status == 200:
                    continue
                m.assert_error(r, 404, m.MSG_TRACK_404, details={"track_id": victim})
        for cid in cids:
            rows = m.assert_db_consistent(self, cid)
            self.assertEqual(rows, [keep], "collection %s after the race" % cid)
            self.assertEqual(m.member_ids(a, cid), [keep])
            self.assertEqual(m.get(a, cid)["track_count"], 1)

    def test_delete_collection_races_mutations(self):
        """Mutations racing a collection's deletion: each 200 or the 404 envelope."""
        a = self.a
        cid = m.create(a, name="doomed")["id"]
        tracks = self.pool[:10]

        def mutator(i):
            def job(c):
                out = []
                for k in range(6):
                    tr = tracks[(i + k) % len(tracks)]
                    out.append(c.call("POST", cpath(a.org, cid, "tracks"), a.key,
                                      body={"track_id": tr}))
                    out.append(c.call("PATCH", cpath(a.org, cid, "order"), a.key,
                                      body={"ordered_track_ids": list(reversed(tracks))}))
                    out.append(c.call("DELETE", cpath(a.org, cid, "tracks", tr), a.key))
                return out
            return job

        def deleter(c):
            time.sleep(0.05)
            return [c.call("DELETE", cpath(a.org, cid), a.key)]

        results = m.run_parallel([mutator(i) for i in range(6)] + [deleter])
        m.assert_ack(results[-1][0], cid, "Collection deleted.")
        for res in results[:-1]:
            self.assertNotIsInstance(res, Exception, res)
            for r in res:
                if r.status != 200:
                    m.assert_error(r, 404, m.MSG_COLL_404, details={"collection_id": cid})
        m.assert_error(call("GET", cpath(a.org, cid), a.key), 404)
        m.assert_db_consistent(self, cid)


if __name__ == "__main__":
    unittest.main()
