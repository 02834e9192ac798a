"""Worker crash and database outage."""

import os
import signal
import unittest

import mcoll as m
from mcoll import call, cpath, wait_for


class ResilienceTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.a = m.new_tenant()
        cls.cid = m.create(cls.a, name="resilience")["id"]

    def list_ok(self, n):
        for i in range(n):
            r = call("GET", cpath(self.a.org), self.a.key)
            m.assert_status(r, 200)

    def test_worker_killed_is_replaced(self):
        master = m.master_pid()
        before = m.worker_pids()
        self.assertGreaterEqual(len(before), 1, "no workers under master %d" % master)
        victim = before[0]
        os.kill(victim, signal.SIGKILL)

        def replaced():
            now = m.worker_pids()
            return now if (victim not in now and len(now) == len(before)
                           and set(now) - set(before)) else None

        now = wait_for(replaced, 10)
        self.assertTrue(now, "worker %d not replaced within 10 s: %r -> %r"
                        % (victim, before, m.worker_pids()))
        self.assertEqual(m.master_pid(), master)
        self.assertEqual(set(before) - {victim}, set(now) & set(before),
                         "other workers must survive")
        self.list_ok(20)
        # every worker answers: more requests than workers, over fresh connections
        for _ in range(len(now) * 2):
            c = m.Client()
            try:
                m.assert_status(c.call("GET", cpath(self.a.org, self.cid), self.a.key), 200)
            finally:
                c.close()

    def test_database_outage(self):
        self.list_ok(3)
        master = m.master_pid()
        workers = m.worker_pids()
        self.assertTrue(workers)
        try:
            m.dbctl("stop")
            reqs = [
                ("GET", cpath(self.a.org), None),
                ("GET", cpath(self.a.org, self.cid), None),
                ("POST", cpath(self.a.org), {"name": "during outage"}),
                ("GET", cpath(self.a.org, self.cid, "tracks"), None),
            ]
            for i in range(3 * len(workers)):
                method, path, body = reqs[i % len(reqs)]
                c = m.Client()          # fresh connection: spread over the workers
                try:
                    r = c.call(method, path, self.a.key, body=body)
                finally:
                    c.close()
                with self.subTest(i=i, method=method, path=path):
                    m.assert_error(r, 503, details={})
                    self.assertEqual(r.headers.get_all("Retry-After"), ["1"], r)
            self.assertEqual(m.master_pid(), master)
            self.assertEqual(m.worker_pids(), workers, "workers died or restarted during outage")
        finally:
            m.dbctl("start")        # always bring the database back

        def healthy():
            r = call("GET", cpath(self.a.org), self.a.key)
            return r.status == 200

        self.assertTrue(wait_for(healthy, 10, 0.25), "no 200 within 10 s after DB start")
        for i in range(20):
            c = m.Client()
            try:
                r = c.call("GET", cpath(self.a.org, self.cid), self.a.key)
            finally:
                c.close()
            m.assert_status(r, 200)
        self.assertEqual(m.master_pid(), master)
        self.assertEqual(m.worker_pids(), workers, "workers were restarted")
        # writes work again too
        c = m.create(self.a, name="after outage")
        self.assertEqual(m.get(self.a, c["id"])["track_count"], 0)


if __name__ == "__main__":
    unittest.main()
