"""Two mcolld pools (two configurations, two sockets) behind one nginx
upstream, one of them killed (SIGKILL of its master and workers).

nginx is given `fastcgi_next_upstream error timeout` for this test (the
site's example upstream): a request nginx could not hand to a pool, or
whose pool died before the response header, goes to the other pool --
but only for idempotent methods.  nginx never passes a POST (or PATCH)
to the next server once it has been sent (`non_idempotent` is not set),
so a POST in flight in the killed pool fails with the 503 envelope and
runs nowhere else: counted in rows.
"""

import os
import shlex
import signal
import socket
import subprocess
import threading
import time
import unittest

import mcoll as m
import pool_helpers as ph
from mcoll import cpath
from test_galera import NODES, node_sql_argv


def nginx(*args):
    return m._run(shlex.split(os.environ["MCOLL_NGINX_CMD"]) + list(args), timeout=30)


def sock_open(path):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(2)
    try:
        s.connect(path)
        return True
    except OSError:
        return False
    finally:
        s.close()


def lock_waits():
    """Transactions waiting for a row lock, on all nodes together."""
    n = 0
    for k in range(1, NODES + 1):
        p = m._run(node_sql_argv(k, causal=False) + ["-N", "-B", "-e", "SELECT COUNT(*) FROM information_schema.INNODB_TRX"
                                       " WHERE trx_state = 'LOCK WAIT'"], check=False, timeout=10)
        n += int(p.stdout.strip() or 0) if p.returncode == 0 else 0
    return n


class TwoPoolsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sock_a = os.environ["MCOLL_FCGI_ADDR"][len("unix:"):]
        cls.sock_b = os.environ["MCOLL_FCGI_B"]
        cls.log_b = open(os.environ["MCOLL_LOG_B"], "ab")
        cls.pool_b = None
        cls.site = os.environ["MCOLL_NGINX_SITE"]
        with open(cls.site) as f:
            cls.site_text = f.read()

    @classmethod
    def tearDownClass(cls):
        cls.kill_b()
        with open(cls.site, "w") as f:
            f.write(cls.site_text)
        nginx("-s", "reload")
        time.sleep(1.0)
        cls.log_b.close()

    @classmethod
    def start_b(cls):
        if os.path.exists(cls.sock_b):
            os.unlink(cls.sock_b)      # left by a killed pool
        cls.pool_b = subprocess.Popen([os.environ["MCOLL_MCOLLD_BIN"], "-c", os.environ["MCOLL_CONFIG_B"]],
                                      stdin=subprocess.DEVNULL, stdout=cls.log_b, stderr=cls.log_b,
                                      start_new_session=True)
        if not m.wait_for(lambda: sock_open(cls.sock_b), 30):
            raise AssertionError("pool B does not accept on %s" % cls.sock_b)

    @classmethod
    def kill_b(cls):
        """SIGKILL pool B's master and workers, by pid; returns when gone."""
        if cls.pool_b is None or cls.pool_b.poll() is not None:
            return []
        master = cls.pool_b.pid
        pids = [master] + m.children(master)
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        cls.pool_b.wait(timeout=30)
        m.wait_for(lambda: not any(ph.alive(p) for p in pids), 10)
        return pids

    def use_both_pools(self):
        """The site with the example upstream of both sockets."""
        include = [ln.split()[1].rstrip(";") for ln in self.site_text.splitlines()
                   if ln.strip().startswith("include ") and "mcoll-fastcgi" in ln][0]
        with open(include) as f:
            fcgi = f.read()
        self.assertIn("fastcgi_next_upstream off;", fcgi)
        pools_inc = os.path.join(os.path.dirname(self.site), "mcoll-fastcgi-pools.conf")
        with open(pools_inc, "w") as f:
            f.write(fcgi.replace("fastcgi_next_upstream off;",
                                 "fastcgi_next_upstream error timeout;\nfastcgi_next_upstream_tries 2;"))
        # the site's upstream of the one pool gets the second pool's
        # server line, as in the site's commented example
        one = "upstream mcolld {\n    server unix:%s;\n" % self.sock_a
        self.assertEqual(self.site_text.count(one), 1, "the site's upstream block is not as expected")
        both = ("upstream mcolld {\n    server unix:%s max_fails=1 fail_timeout=10s;\n"
                "    server unix:%s max_fails=1 fail_timeout=10s;\n" % (self.sock_a, self.sock_b))
        text = self.site_text.replace(one, both).replace(include, pools_inc)
        self.assertIn("fastcgi_pass mcolld;", text)
        self.assertEqual([ln for ln in text.splitlines()
                          if "non_idempotent" in ln.split("#")[0]], [])
        with open(self.site, "w") as f:
            f.write(text)
        nginx("-t", "-q")
        nginx("-s", "reload")

    def b_requests(self):
        with open(os.environ["MCOLL_LOG_B"], "rb") as f:
            return f.read().decode("utf-8", "replace").count(" GET /v1/")

    def setUp(self):
        self.start_b()
        # a cleanup, not tearDown: it runs also when setUp fails
        self.addCleanup(self.kill_b)
        self.use_both_pools()
        self.a = m.new_tenant()
        self.cid = m.create(self.a, name="pools")["id"]
        # both pools serve, once nginx's new workers have the upstream of
        # both (a reload is asynchronous): every GET answers 200, and
        # pool B gets some of them within 10 s
        before = self.b_requests()
        c = m.Client()

        def b_served():
            for _ in range(10):
                m.assert_status(c.call("GET", cpath(self.a.org, self.cid), self.a.key), 200)
            return self.b_requests() > before
        self.assertTrue(m.wait_for(b_served, 10, step=0.2), "pool B got no request")

    def test_gets_carry_on_when_a_pool_is_killed(self):
        path = cpath(self.a.org, self.cid)
        with m.Load(lambda c, i: c.call("GET", path, self.a.key), threads=4, seconds=60,
                    pause=0.005) as load:
            time.sleep(1.5)
            t_kill = time.time()
            pids = self.kill_b()
            time.sleep(3.0)
        res = load.results
        after = [r for r in res if r[0] >= t_kill]
        print("\n  pool B (%d processes) killed: %d GETs, %d after the kill, failures %d"
              % (len(pids), len(res), len(after), len(load.failures())))
        self.assertEqual(len(pids), 1 + 4)
        self.assertGreater(len(after), 20)
        self.assertEqual(load.failures(), [], "GETs failed although pool A serves")

    def test_post_in_flight_in_the_killed_pool_is_not_retried(self):
        a, cid = self.a, self.cid
        tracks = [m.new_track(a.org, a.user) for _ in range(6)]
        # hold the collection's row lock on every node, so every POST waits
        # inside its pool (lock_wait_timeout is 3 s)
        holders = []
        try:
            for n in range(1, NODES + 1):
                p = subprocess.Popen(node_sql_argv(n) + ["-N", "-B", "-n"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                holders.append(p)
                p.stdin.write("START TRANSACTION; SELECT id FROM collections WHERE id = '%s' FOR UPDATE;"
                              " SELECT 'locked';\n" % cid)
                p.stdin.flush()
                while p.stdout.readline().strip() != "locked":
                    pass
            results = [None] * len(tracks)

            def post(i):
                results[i] = m.Client().call("POST", cpath(a.org, cid, "tracks"), a.key,
                                             body={"track_id": tracks[i]})
            ths = [threading.Thread(target=post, args=(i,)) for i in range(len(tracks))]
            for th in ths:
                th.start()
            # every POST is waiting for the row lock in a worker (within
            # lock_wait_timeout, 3 s, of the first one)
            m.wait_for(lambda: lock_waits() >= len(tracks), 2.5, step=0.05)
            self.kill_b()
        finally:
            for p in holders:            # release: pool A's POSTs go on
                try:
                    p.stdin.write("ROLLBACK;\n")
                    p.stdin.close()
                except OSError:
                    pass
                p.wait(timeout=30)
        for th in ths:
            th.join(timeout=60)
        ok = [tracks[i] for i, r in enumerate(results) if r.status == 200]
        cut = [tracks[i] for i, r in enumerate(results) if r.status != 200]
        for r in results:
            if r.status != 200:
                m.assert_error(r, 503, "Upstream unavailable", details={})
        rows = [t for t, _ in m.db_membership(cid)]
        print("\n  6 POSTs in flight: %d answered 200 (pool A), %d answered 503 (pool B killed); "
              "%d rows" % (len(ok), len(cut), len(rows)))
        self.assertGreater(len(cut), 0, "no POST was in flight in pool B")
        self.assertGreater(len(ok), 0, "no POST was in flight in pool A")
        self.assertEqual(sorted(rows), sorted(ok), "a cut POST ran (twice or at all), or an ok one is missing")
        self.assertEqual(m.db_track_count(cid), len(ok))


if __name__ == "__main__":
    unittest.main()
