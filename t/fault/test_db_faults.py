"""MariaDB faults under load.

Killed (SIGKILL, a crash) and restarted: while the database is down every
answer that is not 2xx must be the exact contract 503 envelope; from 1 s
after the restarted database answers a ping, every answer must be 2xx.
Acknowledged changes survive the crash (InnoDB recovery), and every
collection is consistent afterwards.

Frozen (SIGSTOP: connections are accepted, nothing answers): the workers'
client read timeout (lock_wait_timeout + 2) and connect timeout end the
wait; requests get the worker's 503 envelope well before nginx's
fastcgi_read_timeout, and nothing they asked for is applied.  One that
nginx sent on a kept connection of a worker already waiting on the frozen
database waits with it and is answered by its own deadline.
"""

import threading
import time
import unittest

import mcoll as m
from mcoll import cpath

THREADS = 4
LOCK_WAIT = 3       # lock_wait_timeout of the stack (the default)
CONNECT = 3         # the workers' connect timeout
REQUEST_TIMEOUT = 10  # request_timeout of the stack (the default)
DOWN = 2.0          # seconds the database stays dead under load
AFTER = 3.0         # seconds of load after it answers ping again
RECOVERY = 1.0      # every request started this long after the ping is 2xx


class DatabaseKillTest(unittest.TestCase):
    def test_kill_and_restart_under_load(self):
        a = m.new_tenant()
        colls = [m.create(a, name="kill-%d" % i)["id"] for i in range(THREADS)]
        own = [[m.new_track(a.org, a.user) for _ in range(3)] for _ in range(THREADS)]
        slot = {}                   # thread ident -> index
        last = [dict() for _ in range(THREADS)]    # track -> last op if acknowledged, else None
        bad = []                    # non-2xx answers that are not the exact 503 envelope
        lock = threading.Lock()

        def request(c, i):
            with lock:
                k = slot.setdefault(threading.get_ident(), len(slot))
            cid, tracks = colls[k], own[k]
            tr = tracks[i % len(tracks)]
            op, r = m.mixed_mutation(c, a, cid, tracks, i)
            if op:
                last[k][tr] = op if r.status == 200 else None
            if not 200 <= r.status < 300:
                try:
                    m.assert_error(r, 503, "Database unavailable", details={})
                except AssertionError as e:
                    with lock:
                        bad.append(str(e)[:500])
            return r

        killed = False
        with m.Load(request, threads=THREADS, seconds=120, pause=0.01) as load:
            try:
                time.sleep(1.0)
                t_kill = time.time()
                m.dbctl("kill")
                killed = True
                time.sleep(DOWN)
            finally:
                t_start = time.time()
                m.dbctl("start")        # always bring the database back
            t_up = time.time()           # dev/db start returns once ping answers
            time.sleep(AFTER)
        self.assertTrue(killed)

        res = load.results
        errors = [r for r in res if r[3] is not None]
        before = [r for r in res if r[0] < t_kill]
        down = [r for r in res if t_kill <= r[0] < t_up]
        late = [r for r in res if r[0] >= t_up + RECOVERY]
        last_503 = max((r[0] + r[1] for r in res if r[2] == 503), default=t_up)
        print("\n  db kill: %d requests; before %d (2xx %d); down %d (503 %d); restart took %.1f s; "
              "last 503 ended %.2f s after ping; after ping+1s %d (2xx %d); max latency %.0f ms"
              % (len(res), len(before), sum(1 for r in before if r[2] == 200),
                 len(down), sum(1 for r in down if r[2] == 503), t_up - t_start,
                 last_503 - t_up, len(late), sum(1 for r in late if r[2] == 200),
                 max(r[1] for r in res) * 1000))
        self.assertEqual(errors, [], "requests without an HTTP answer")
        self.assertEqual(bad, [], "non-2xx answers other than the exact 503 envelope")
        self.assertTrue(before and all(r[2] == 200 for r in before), "load unhealthy before the kill")
        self.assertGreater(sum(1 for r in down if r[2] == 503), 0, "no 503 while the database was down")
        self.assertGreater(len(late), 0)
        self.assertEqual([r for r in late if r[2] != 200], [],
                         "not 2xx from %.1f s after the database answered ping" % RECOVERY)

        # acknowledged changes survived; every collection is consistent
        for k, cid in enumerate(colls):
            rows = m.assert_db_consistent(self, cid)
            for tr, op in last[k].items():
                if op == "add":
                    self.assertIn(tr, rows, "acknowledged add lost in %s" % cid)
                elif op == "remove":
                    self.assertNotIn(tr, rows, "acknowledged remove lost in %s" % cid)
            self.assertEqual(m.member_ids(a, cid), rows)


    def test_frozen_database(self):
        a = m.new_tenant()
        cid = m.create(a, name="frozen")["id"]
        track = m.new_track(a.org, a.user)
        for _ in range(8):
            m.assert_status(m.Client().call("GET", cpath(a.org, cid), a.key), 200)

        def timed(method, path, body=None):
            def job(c):
                t0 = time.time()
                r = c.call(method, path, a.key, body=body)
                return time.time() - t0, r
            return job

        m.dbctl("freeze")
        try:
            results = m.run_parallel([timed("GET", cpath(a.org)),
                                      timed("POST", cpath(a.org, cid, "tracks"), {"track_id": track}),
                                      timed("PATCH", cpath(a.org, cid), {"name": "renamed"})], timeout=60)
        finally:
            m.dbctl("thaw")
        t_thaw = time.time()
        print("\n  frozen database: answered in %s s"
              % ", ".join("%.2f" % r[0] for r in results if isinstance(r, tuple)))
        waited = 0
        for res in results:
            self.assertIsInstance(res, tuple, res)
            dt, r = res
            self.assertGreaterEqual(dt, LOCK_WAIT + 2 - 0.2, r)
            if dt <= LOCK_WAIT + 2 + CONNECT + 1.0:
                m.assert_error(r, 503, "Database unavailable", details={})
                continue
            # nginx sent it on a kept connection of a worker that was
            # waiting on the frozen database (README: FastCGI keep-alive):
            # it waited with it, and is answered by its own deadline plus
            # the backstop, still before nginx's fastcgi_read_timeout (20 s)
            m.assert_error(r, 503, None, details={})
            self.assertIn(r.json["error"]["system_message"],
                          ("Database unavailable", "Request waited too long for a worker",
                           "Request timed out"), r)
            self.assertLessEqual(dt, REQUEST_TIMEOUT + LOCK_WAIT + 5 + 1.0, r)
            waited += 1
        self.assertLess(waited, len(results), "no request was answered from the frozen database's wait")

        def healthy():
            return m.Client().call("GET", cpath(a.org, cid), a.key).status == 200
        while not healthy() and time.time() < t_thaw + 10:
            time.sleep(0.05)
        self.assertLess(time.time() - t_thaw, RECOVERY, "no 200 within %.1f s of the thaw" % RECOVERY)
        for _ in range(8):
            m.assert_status(m.Client().call("GET", cpath(a.org, cid), a.key), 200)
        self.assertEqual(m.db_membership(cid), [])
        self.assertEqual(m.get(a, cid)["name"], "frozen")


if __name__ == "__main__":
    unittest.main()
