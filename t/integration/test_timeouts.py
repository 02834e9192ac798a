"""Bounded waits.

A collection row lock held by a SQL session longer than lock_wait_timeout:
the blocked request is answered the 503 envelope within the limit, rolled
back, its worker freed; requests on other collections keep their latency.
With a short request_timeout (mcolld restarted with another config): a
request running past it is cut, rolled back and its database connection
closed; a request that waited for a worker past it is answered 503 without
running.
"""

import os
import shlex
import signal
import subprocess
import time
import unittest

import mcoll as m
from mcoll import cpath

LOCK_WAIT = 3        # lock_wait_timeout of the stack (the default)
SHORT_REQUEST = 2    # request_timeout of the restarted mcolld
MARGIN = 0.75        # seconds allowed beyond a limit (loaded 2-core machine)
P99_MAX = 0.050      # seconds, requests on other collections while blocked

MSG_LOCK = "Timed out waiting for a database lock"
MSG_TIMEOUT = "Request timed out"
MSG_QUEUED = "Request waited too long for a worker"


class RowLock:
    """A SQL session ($MCOLL_SQL, a background mariadb client) that holds
    the row lock of collection cid for `seconds`; release() ends it."""

    def __init__(self, cid, seconds):
        self.tag = "mcoll_lock_" + m.uniq(12)
        query = ("BEGIN; SELECT id FROM collections WHERE id = %s FOR UPDATE; "
                 "SELECT SLEEP(%d) AS %s; ROLLBACK;" % (m.sqlq(cid), seconds, self.tag))
        self.proc = subprocess.Popen(shlex.split(os.environ["MCOLL_SQL"]) + ["-N", "-B", "-e", query],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.conn_id = None
        end = time.time() + 10
        while time.time() < end and self.conn_id is None:
            self.conn_id = m.sql_value(
                "SELECT ID FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID()"
                " AND INFO LIKE '%%%s%%'" % self.tag)
            if self.proc.poll() is not None:
                raise AssertionError("lock session ended: %r" % self.proc.stderr.read())
            time.sleep(0.05)
        if self.conn_id is None:
            self.release()
            raise AssertionError("the lock session did not reach its SLEEP")

    def release(self):
        """Kills the client by pid and its server session (a client killed
        during SLEEP is only noticed when SLEEP ends); the server rolls back."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        self.proc.stderr.close()
        if self.conn_id is not None:
            # fails harmlessly when the session has ended already
            subprocess.run(shlex.split(os.environ["MCOLL_SQL"]) + ["-e", "KILL %d" % int(self.conn_id)],
                           capture_output=True, timeout=30)

def timed(c, method, path, key, body=None):
    t0 = time.time()
    r = c.call(method, path, key, body=body)
    return time.time() - t0, r


def assert_503(tc, r, msg):
    m.assert_error(r, 503, msg, details={})
    tc.assertEqual(r.headers.get_all("Retry-After"), ["1"], r)


def restart_mcolld(conf):
    """Restarts the stack's mcolld with config file conf (dev/lib.sh)."""
    env = dict(os.environ)
    addr = os.environ["MCOLL_FCGI_ADDR"]
    if not addr.startswith("unix:"):     # the stack's FastCGI link is TCP
        env.update(MCOLL_FCGI_PORT=addr.rsplit(":", 1)[1], MCOLL_FCGI_TCP="1")
    p = subprocess.run(["bash", "-c", '. "$0/dev/lib.sh" && mcoll_init && CONF=$1 && mcoll_mcolld_start',
                        os.environ["MCOLL_ROOT"], conf],
                       env=env, capture_output=True, text=True, timeout=90)
    if p.returncode != 0:
        raise AssertionError("mcolld restart failed: %s %s" % (p.stdout[-1000:], p.stderr[-1000:]))


class LockWaitTest(unittest.TestCase):
    def test_blocked_request_503_others_unaffected(self):
        a = m.new_tenant()
        first = m.new_track(a.org, a.user)
        tracks = [m.new_track(a.org, a.user) for _ in range(3)]
        cid = m.create(a, name="locked")["id"]
        m.add(a, cid, first)
        before = m.db_membership(cid)
        other = m.create(a, name="free")["id"]
        moving = m.new_track(a.org, a.user)
        m.add(a, other, m.new_track(a.org, a.user))

        def other_requests(c, i):
            k = i % 4
            if k == 0:
                return c.call("GET", cpath(a.org, other), a.key)
            if k == 1:
                return c.call("GET", cpath(a.org, other, "tracks"), a.key)
            if k == 2:
                return c.call("POST", cpath(a.org, other, "tracks"), a.key, body={"track_id": moving})
            return c.call("DELETE", cpath(a.org, other, "tracks", moving), a.key)

        def blocked(track):
            return lambda c: timed(c, "POST", cpath(a.org, cid, "tracks"), a.key, {"track_id": track})

        # warm every worker's connection first
        for _ in range(8):
            m.assert_status(m.Client().call("GET", cpath(a.org, other), a.key), 200)
        lock = RowLock(cid, 4 * LOCK_WAIT + 6)
        try:
            with m.Load(other_requests, threads=2, seconds=60, pause=0.005) as load:
                t_lock = time.time()
                wave1 = m.run_parallel([blocked(tracks[0]), blocked(tracks[1])], timeout=30)
                wave2 = m.run_parallel([blocked(tracks[2]), blocked(tracks[0])], timeout=30)
                t_end = time.time()
        finally:
            lock.release()

        for i, res in enumerate(wave1 + wave2):
            with self.subTest(blocked=i):
                self.assertIsInstance(res, tuple, res)
                dt, r = res
                assert_503(self, r, MSG_LOCK)
                self.assertGreaterEqual(dt, LOCK_WAIT - 0.2, r)
                self.assertLessEqual(dt, LOCK_WAIT + MARGIN, r)
        during = sorted(dt for (t0, dt, st, err) in load.results if t_lock <= t0 <= t_end)
        self.assertEqual(load.failures(), [])
        self.assertGreaterEqual(len(during), 50, "only %d requests while locked" % len(during))
        p99 = during[int(len(during) * 0.99) - 1]
        print("\n  blocked: %s s; others while locked: n=%d p50=%.1f ms p99=%.1f ms max=%.1f ms"
              % (", ".join("%.2f" % r[0] for r in wave1 + wave2), len(during),
                 during[len(during) // 2] * 1000, p99 * 1000, during[-1] * 1000))
        self.assertLess(p99, P99_MAX, "p99 %.1f ms of requests on another collection" % (p99 * 1000))

        # nothing the client saw fail reached the database
        self.assertEqual(m.db_membership(cid), before)
        self.assertEqual(m.db_track_count(cid), 1)
        self.assertEqual(m.get(a, cid)["track_count"], 1)
        # the lock is gone: the same add now succeeds
        m.add(a, cid, tracks[0])
        self.assertEqual(m.assert_db_consistent(self, cid), [first, tracks[0]])


class ShortRequestTimeoutTest(unittest.TestCase):
    """mcolld restarted with request_timeout = 2, restored afterwards."""

    @classmethod
    def setUpClass(cls):
        cls.conf = os.environ["MCOLL_CONFIG"]
        cls.short = os.path.join(os.environ["MCOLL_VAR"], "mcoll-short-timeout.conf")
        with open(cls.conf) as f:
            text = f.read()
        with open(cls.short, "w") as f:
            f.write(text + "\n# test: a short request_timeout\nrequest_timeout = %d\n" % SHORT_REQUEST)
        restart_mcolld(cls.short)
        cls.a = m.new_tenant()

    @classmethod
    def tearDownClass(cls):
        restart_mcolld(cls.conf)
        os.unlink(cls.short)

    def mcoll_sessions(self):
        return {r[0] for r in m.sql("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = 'mcoll'")}

    def test_running_request_cut_and_rolled_back(self):
        a = self.a
        first, track = m.new_track(a.org, a.user), m.new_track(a.org, a.user)
        cid = m.create(a, name="slow")["id"]
        m.add(a, cid, first)
        for _ in range(8):
            m.assert_status(m.Client().call("GET", cpath(a.org, cid), a.key), 200)
        sessions = self.mcoll_sessions()
        lock = RowLock(cid, SHORT_REQUEST + 6)
        try:
            jobs = [lambda c: timed(c, "POST", cpath(a.org, cid, "tracks"), a.key, {"track_id": track}),
                    lambda c: timed(c, "PATCH", cpath(a.org, cid), a.key, {"name": "renamed"})]
            results = m.run_parallel(jobs, timeout=30)
            # the cut workers close their sessions before they answer; the
            # server ends them a moment later
            end = time.time() + 3
            while len(sessions - self.mcoll_sessions()) < 2 and time.time() < end:
                time.sleep(0.05)
            after = self.mcoll_sessions()
        finally:
            lock.release()
        for res in results:
            self.assertIsInstance(res, tuple, res)
            dt, r = res
            assert_503(self, r, MSG_TIMEOUT)
            self.assertGreaterEqual(dt, SHORT_REQUEST - 0.2, r)
            self.assertLessEqual(dt, SHORT_REQUEST + MARGIN, r)
            tid = r.json["error"]["trace_id"]
            log = [ln for ln in m.read_log().splitlines() if tid in ln]
            self.assertTrue(any("request_timeout" in ln and "rolled back" in ln for ln in log), log)
        print("\n  cut at request_timeout: %s s" % ", ".join("%.2f" % r[0] for r in results))
        # both cut workers closed their database sessions
        self.assertGreaterEqual(len(sessions - after), 2, (sessions, after))
        self.assertEqual(m.db_membership(cid), [(first, 0)])
        self.assertEqual(m.db_track_count(cid), 1)
        self.assertEqual(m.get(a, cid)["name"], "slow")
        m.add(a, cid, track)
        self.assertEqual(m.assert_db_consistent(self, cid), [first, track])

    def test_queued_past_deadline_not_run(self):
        a = self.a
        track = m.new_track(a.org, a.user)
        cid = m.create(a, name="queued")["id"]
        workers = m.worker_pids()
        self.assertTrue(workers)
        # every worker busy (stopped): the request waits in the listen queue
        for pid in workers:
            os.kill(pid, signal.SIGSTOP)
        resumed = []

        def resume(c):
            time.sleep(SHORT_REQUEST + 1.0)
            for pid in workers:
                os.kill(pid, signal.SIGCONT)
            resumed.append(True)

        try:
            results = m.run_parallel(
                [lambda c: timed(c, "POST", cpath(a.org, cid, "tracks"), a.key, {"track_id": track}),
                 resume], timeout=30)
        finally:
            if not resumed:
                for pid in workers:
                    os.kill(pid, signal.SIGCONT)
        self.assertIsInstance(results[0], tuple, results[0])
        dt, r = results[0]
        assert_503(self, r, MSG_QUEUED)
        self.assertGreaterEqual(dt, SHORT_REQUEST + 0.9, r)
        tid = r.json["error"]["trace_id"]
        log = [ln for ln in m.read_log().splitlines() if tid in ln]
        self.assertTrue(any("waited" in ln and "not run" in ln for ln in log), log)
        self.assertEqual(m.db_membership(cid), [])
        m.add(a, cid, track)
        self.assertEqual(m.assert_db_consistent(self, cid), [track])


if __name__ == "__main__":
    unittest.main()
