"""Workers without a database connection do not take requests away from
connected workers; with no database at all every answer is a quick 503."""

import statistics
import time
import unittest

import mcoll as m
import pool_helpers as ph
from mcoll import cpath

ACCOUNT = "'mcoll'@'localhost'"   # the workers connect through the socket


def service_connections():
    return [r[0] for r in m.sql("SELECT ID FROM information_schema.PROCESSLIST "
                                "WHERE USER = 'mcoll'")]


class DatabaseFairnessTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = m.new_tenant()
        cls.cid = m.create(cls.t, name="fair")["id"]

    def healthy(self):
        return m.call("GET", cpath(self.t.org), self.t.key).status == 200

    def test_half_the_workers_connected(self):
        n = len(ph.workers())
        half = n // 2
        self.assertGreaterEqual(half, 1)
        self.assertTrue(ph.wait_for(lambda: len(service_connections()) == n, 10))
        try:
            m.sql("ALTER USER %s WITH MAX_USER_CONNECTIONS %d" % (ACCOUNT, half))
            for cid in service_connections():
                m.sql("KILL CONNECTION %s" % cid)
            # the workers see their connection go and reconnect: `half` get in
            self.assertTrue(ph.wait_for(lambda: len(service_connections()) == half, 10),
                            "connections: %r" % service_connections())
            time.sleep(1)
            self.assertEqual(len(service_connections()), half)
            with m.Load(lambda c, i: c.call("GET", cpath(self.t.org, self.cid), self.t.key),
                        threads=4, seconds=30) as load:
                time.sleep(5)
            self.assertEqual(len(service_connections()), half)
        finally:
            m.sql("ALTER USER %s WITH MAX_USER_CONNECTIONS 0" % ACCOUNT)
        total, bad = len(load.results), len(load.failures())
        print("\n  %d of %d workers connected: %d of %d requests failed" % (half, n, bad, total))
        self.assertGreater(total, 100)
        self.assertLessEqual(bad, total * 0.05, "failures: %r" % load.failures()[:5])
        # the others come back once they may
        self.assertTrue(ph.wait_for(lambda: len(service_connections()) == n, 10),
                        "connections after the limit went: %r" % service_connections())
        self.assertTrue(self.healthy())

    def test_no_database_every_answer_is_a_quick_503(self):
        self.assertTrue(self.healthy())
        workers = ph.workers()
        times = []
        try:
            m.dbctl("stop")
            c = m.Client()
            self.assertTrue(ph.wait_for(
                lambda: c.call("GET", cpath(self.t.org), self.t.key).status == 503, 10, 0.1))
            time.sleep(1)       # every worker has noticed
            for i in range(100):
                path = cpath(self.t.org) if i % 2 else cpath(self.t.org, self.cid)
                t0 = time.perf_counter()
                r = c.call("GET", path, self.t.key)
                times.append(time.perf_counter() - t0)
                m.assert_error(r, 503, details={})
            c.close()
        finally:
            m.dbctl("start")
        med = statistics.median(times)
        p95 = sorted(times)[int(len(times) * 0.95) - 1]
        print("\n  503 without a database: median %.2f ms, p95 %.2f ms, max %.2f ms"
              % (med * 1000, p95 * 1000, max(times) * 1000))
        self.assertLess(med, 0.010)
        self.assertLess(p95, 0.010)
        self.assertEqual(ph.workers(), workers, "workers restarted during the outage")
        self.assertTrue(ph.wait_for(self.healthy, 15, 0.25), "no 200 within 15 s of DB start")


if __name__ == "__main__":
    unittest.main()
