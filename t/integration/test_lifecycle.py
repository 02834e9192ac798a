"""The master/worker lifecycle: reload (SIGHUP) re-reads the configuration
and replaces workers one at a time, stop (SIGTERM) loses nothing that
reached mcolld, dead workers are replaced at once, systemd socket passing
and notification, the command line."""

import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import tempfile
import time
import unittest

import mcoll as m
import pool_helpers as ph
from mcoll import cpath

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MCOLLD = os.path.join(ROOT, "src", "mcolld")


def list_load(t, **kw):
    return m.Load(lambda c, i: c.call("GET", cpath(t.org), t.key), **kw)


def assert_no_failures(tc, load, what):
    bad = load.failures()
    tc.assertGreater(len(load.results), 20, "%s: too few requests ran" % what)
    tc.assertEqual(bad, [], "%s: %d of %d requests failed, e.g. %r"
                   % (what, len(bad), len(load.results), bad[:5]))


class ReloadTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = m.new_tenant()
        m.create(cls.t, name="reload")
        cls.original = ph.read_conf()

    def tearDown(self):
        ph.restore_conf(self.original)

    def test_reload_changes_worker_count_under_load(self):
        n = int(ph.conf_value(self.original, "workers"))
        before = ph.workers()
        self.assertEqual(len(before), n)
        with list_load(self.t, threads=4, seconds=40) as load:
            time.sleep(0.5)
            ph.write_conf(ph.with_value(ph.with_value(self.original, "workers", n + 2),
                                        "log_level", "debug"))
            off = ph.log_size()
            ph.reload_and_wait(off)
            now = ph.workers()
            time.sleep(0.5)
        assert_no_failures(self, load, "reload to %d workers" % (n + 2))
        self.assertEqual(len(now), n + 2, "workers after reload: %r" % now)
        self.assertEqual(set(now) & set(before), set(), "every worker must be replaced")
        log = ph.log_since(off)
        self.assertIn("reload: %s read" % ph.conf_path(), log)
        self.assertIn("(%d -> %d workers)" % (n, n + 2), log)
        # one at a time: each retirement follows the start of the previous
        # slot's replacement (the two new slots start first)
        events = re.findall(r"reload: (retiring) worker (\d+)|worker (\d+) (started)", log)
        seq = [("R", int(a)) if r else ("S", int(b)) for r, a, b, _ in events]
        self.assertEqual(seq, [("S", n), ("S", n + 1)] + [x for i in range(n)
                                                          for x in (("R", i), ("S", i))])
        # and back, still under load
        with list_load(self.t, threads=4, seconds=40) as load:
            time.sleep(0.3)
            ph.write_conf(self.original)
            off = ph.log_size()
            ph.reload_and_wait(off)
            time.sleep(0.3)
        assert_no_failures(self, load, "reload back to %d workers" % n)
        log = ph.log_since(off)
        for i in (n, n + 1):
            self.assertRegex(log, r"reload: stopping worker %d \(pid \d+\): fewer workers" % i)
        self.assertEqual(re.findall(r"reload: retiring worker (\d+)", log),
                         [str(i) for i in range(n)])
        # the workers of the reloaded file ran its log level: they log
        # their exit at debug
        stopped = re.findall(r"debug mcolld worker \d+\[(\d+)\]: stopped", log)
        self.assertEqual(sorted(int(x) for x in stopped), sorted(now))
        self.assertTrue(ph.wait_for(lambda: len(ph.workers()) == n, 10))

    def test_reload_with_a_broken_config_keeps_running(self):
        before = ph.workers()
        broken = ph.with_value(self.original, "workers", "many")
        lineno = [i for i, l in enumerate(broken.splitlines(), 1) if l.startswith("workers")][0]
        with list_load(self.t, threads=2, seconds=30) as load:
            time.sleep(0.3)
            ph.write_conf(broken)
            off = ph.log_size()
            os.kill(m.master_pid(), signal.SIGHUP)
            want = "reload failed, the running configuration stays: %s: line %d: invalid value " \
                   "for 'workers'" % (ph.conf_path(), lineno)
            ok = ph.wait_for(lambda: want in ph.log_since(off), 10)
            time.sleep(1)
        self.assertTrue(ok, "log lacks %r:\n%s" % (want, ph.log_since(off)))
        assert_no_failures(self, load, "reload with a broken file")
        self.assertEqual(ph.workers(), before, "workers must not be replaced")
        self.assertNotIn("reload done", ph.log_since(off))
        m.assert_status(m.call("GET", cpath(self.t.org), self.t.key), 200)

    def test_listen_change_needs_restart(self):
        old = ph.conf_value(self.original, "listen")
        ph.write_conf(ph.with_value(self.original, "listen", "127.0.0.1:1"))
        off = ph.log_size()
        ph.reload_and_wait(off)
        self.assertIn("reload: listen/listen_mode changed (%s -> 127.0.0.1:1): the socket "
                      "changes only with a restart" % old, ph.log_since(off))
        m.assert_status(m.call("GET", cpath(self.t.org), self.t.key), 200)

    def test_sighup_five_times_under_load(self):
        with list_load(self.t, threads=4, seconds=60) as load:
            for _ in range(5):
                off = ph.log_size()
                ph.reload_and_wait(off)
            time.sleep(0.3)
        assert_no_failures(self, load, "SIGHUP x 5")


class StopTest(unittest.TestCase):
    def test_sigterm_under_load_fails_nothing_sent(self):
        t = m.new_tenant()
        nginx_log = os.environ["MCOLL_NGINX_ERROR_LOG"]
        master = m.master_pid()
        off = os.path.getsize(nginx_log)
        with list_load(t, threads=4, seconds=40) as load:
            time.sleep(1)
            t_stop = time.time()
            os.kill(master, signal.SIGTERM)
            gone = ph.wait_for(lambda: not ph.alive(master), 15)
            t_gone = time.time()
            subprocess.run(shlex.split(os.environ["MCOLL_MCOLLD"]) + ["start"], check=True,
                           capture_output=True, timeout=60)
            t_up = time.time()
            time.sleep(1)
        self.assertTrue(gone, "master %d still runs 15 s after SIGTERM" % master)
        self.assertNotEqual(m.master_pid(), master)
        with open(nginx_log, "rb") as f:
            f.seek(off)
            lines = f.read().decode("utf-8", "replace").splitlines()
        upstream = [l for l in lines if "upstream" in l]
        lost = [l for l in upstream
                if "No such file or directory" not in l and "Connection refused" not in l]
        if os.environ.get("MCOLL_FCGI_ADDR", "").startswith("unix:"):
            self.assertEqual(lost, [], "nginx lost requests it had sent to mcolld")
        else:
            # TCP: a connection can arrive between the last look at the
            # queue and the close (README, Operations); a rare reset.
            self.assertLessEqual(len(lost), 3, "nginx lost requests it had sent to mcolld")
        # What failed is nginx's own 503 for connects while no mcolld ran.
        bad = load.failures()
        self.assertEqual([r for r in bad if r[2] != 503], [], "failures other than 503")
        before = [r for r in load.results if r[0] + r[1] < t_stop]
        after = [r for r in load.results if r[0] > t_up]
        self.assertGreater(len(before), 10)
        self.assertGreater(len(after), 10, "requests after the restart")
        self.assertEqual([r for r in after if r[2] != 200], [])
        print("\n  stop: %d requests, %d answered 503 while down, %d lost (%.2fs to exit, "
              "%.2fs to restart)" % (len(load.results), len(bad), len(lost), t_gone - t_stop,
                                      t_up - t_gone))


class RespawnTest(unittest.TestCase):
    def test_slot_dying_twice_is_replaced_at_once(self):
        before = ph.workers()
        n = len(before)
        os.kill(before[0], signal.SIGKILL)
        fresh = ph.wait_for(lambda: [p for p in ph.workers() if p not in before], 2, 0.005)
        self.assertTrue(fresh, "no replacement within 2 s")
        second = fresh[0]
        t0 = time.time()
        os.kill(second, signal.SIGKILL)   # the same slot dies again at once
        whole = ph.wait_for(lambda: (lambda w: len(w) == n and second not in w and w)(
            ph.workers()), 2, 0.002)
        dt = time.time() - t0
        self.assertTrue(whole, "pool not whole 2 s after the second kill")
        self.assertLess(dt, 0.1, "pool whole only %.3fs after the second kill" % dt)

    def test_kill_a_worker_every_second_loses_no_acknowledged_write(self):
        t = m.new_tenant()
        cid = m.create(t, name="kills")["id"]
        ntracks = 3000
        tracks = ["mtrack_" + secrets.token_hex(6) for _ in range(ntracks)]
        m.sql("INSERT INTO tracks (id, org_id, user_id, title, created_at) VALUES "
              + ",".join("(%s, %s, %s, 'k', UTC_TIMESTAMP(6))"
                         % (m.sqlq(x), m.sqlq(t.org), m.sqlq(t.user)) for x in tracks))
        path = cpath(t.org, cid, "tracks")

        acked = {}

        def add(c, i):
            r = c.call("POST", path, t.key, body={"track_id": tracks[i - 1]})
            if r.status == 200:
                m.assert_ack(r, tracks[i - 1], "Track added to collection.")
                acked[i] = tracks[i - 1]
            return r

        n = len(ph.workers())
        kills = 0
        with m.Load(add, threads=4, seconds=40, max_requests=ntracks) as load:
            end = time.time() + 20
            while time.time() < end:
                time.sleep(1)
                w = ph.workers()
                if not w:
                    continue
                os.kill(min(w, key=start_time), signal.SIGKILL)   # the oldest
                t_kill = time.time()
                kills += 1
            whole = ph.wait_for(lambda: len(ph.workers()) == n, 2, 0.002)
            dt = time.time() - t_kill
        self.assertGreaterEqual(kills, 18)
        self.assertTrue(whole)
        self.assertLess(dt, 0.1, "pool whole %.3fs after the last kill" % dt)
        ok_tracks = list(acked.values())
        self.assertGreater(len(ok_tracks), 100)
        members = {tr for tr, _ in m.db_membership(cid)}
        missing = [tr for tr in ok_tracks if tr not in members]
        self.assertEqual(missing, [], "acknowledged adds missing from the collection")
        m.assert_db_consistent(self, cid)
        print("\n  kills: %d, %d adds, %d acknowledged, %d failed"
              % (kills, len(load.results), len(ok_tracks), len(load.failures())))


def start_time(pid):
    with open("/proc/%d/stat" % pid) as f:
        s = f.read()
    return int(s[s.rindex(")") + 2:].split()[19])


def package_version():
    with open(os.path.join(ROOT, "configure.ac")) as f:
        return re.search(r"AC_INIT\(\[mcoll\], \[([^\]]+)\]", f.read()).group(1)


class CommandLineTest(unittest.TestCase):
    def test_version_and_help(self):
        p = subprocess.run([MCOLLD, "--version"], capture_output=True, text=True, timeout=10)
        self.assertEqual((p.returncode, p.stdout, p.stderr),
                         (0, "mcolld %s\n" % package_version(), ""))
        for opt in ("--help", "-h"):
            p = subprocess.run([MCOLLD, opt], capture_output=True, text=True, timeout=10)
            self.assertEqual(p.returncode, 0)
            self.assertTrue(p.stdout.startswith("usage: mcolld [-c CONFIG] [-t]\n"), p.stdout)
            self.assertIn("--version", p.stdout)
            self.assertEqual(p.stderr, "")
        p = subprocess.run([MCOLLD, "--bogus"], capture_output=True, text=True, timeout=10)
        self.assertEqual(p.returncode, 2)
        self.assertEqual(p.stdout, "")
        p = subprocess.run([MCOLLD, "-t", "-c", ph.conf_path()], capture_output=True, text=True,
                           timeout=10)
        self.assertEqual((p.returncode, p.stdout), (0, "%s: ok\n" % ph.conf_path()))


class SystemdTest(unittest.TestCase):
    """A second mcolld started the way systemd starts it: the socket as fd 3
    with LISTEN_FDS/LISTEN_PID/LISTEN_FDNAMES, NOTIFY_SOCKET and a watchdog."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="sd.", dir=os.path.join(os.environ["MCOLL_VAR"], "run"))
        self.sock_path = os.path.join(self.dir, "mcolld.sock")
        self.lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.lsock.bind(self.sock_path)
        self.lsock.listen(64)
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(os.path.join(self.dir, "notify"))
        self.notify.settimeout(0.2)
        self.conf = os.path.join(self.dir, "mcoll.conf")
        with open(self.conf, "w") as f:
            f.write(ph.with_value(ph.with_value(ph.read_conf(), "workers", 2),
                                  "listen", "/nonexistent/ignored.sock"))
        self.log = os.path.join(self.dir, "mcolld.log")
        self.procs = []
        self.msgs = []

    def tearDown(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(15)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(10)
        self.lsock.close()
        self.notify.close()
        for name in os.listdir(self.dir):
            os.unlink(os.path.join(self.dir, name))
        os.rmdir(self.dir)

    def start(self):
        fd = self.lsock.fileno()
        env = dict(os.environ, LISTEN_FDS="1", LISTEN_FDNAMES="mcolld.socket",
                   NOTIFY_SOCKET=os.path.join(self.dir, "notify"), WATCHDOG_USEC="400000")
        env.pop("JOURNAL_STREAM", None)
        logf = open(self.log, "ab")
        p = subprocess.Popen(
            ["sh", "-c", 'LISTEN_PID=$$ WATCHDOG_PID=$$ exec "$0" "$@"', MCOLLD, "-c", self.conf],
            env=env, stdin=subprocess.DEVNULL, stdout=logf, stderr=logf, pass_fds=(3,),
            preexec_fn=lambda: os.dup2(fd, 3))
        logf.close()
        self.procs.append(p)
        return p

    def recv_until(self, want, timeout=10):
        end = time.time() + timeout
        while time.time() < end:
            try:
                data = self.notify.recv(4096).decode()
            except socket.timeout:
                continue
            self.msgs.append((time.time(), data))
            if want in data.split("\n"):
                return True
        return False

    def read_log(self):
        with open(self.log) as f:
            return f.read()

    def test_socket_notify_watchdog_reload_and_restart(self):
        p = self.start()
        self.assertTrue(self.recv_until("READY=1"), "no READY=1: %r\n%s" % (self.msgs, self.read_log()))
        self.assertIn("listening on systemd socket mcolld.socket fd 3 (%s) with 2 workers"
                      % self.sock_path, self.read_log())
        out = ph.fcgi_get(self.sock_path)
        self.assertTrue(out.startswith(b"Status: 404 Not Found\r\n"), out)
        self.assertIn(b"Content-Type: application/json; charset=utf-8\r\n", out)
        # watchdog pings at half the interval (200 ms); STATUS from the scoreboard
        t0 = time.time()
        while time.time() - t0 < 1.2:
            self.recv_until("never", 0.2)
        pings = [t for t, d in self.msgs if "WATCHDOG=1" in d and t >= t0]
        self.assertGreaterEqual(len(pings), 4, "watchdog pings in 1.2 s: %r" % self.msgs)
        self.assertLessEqual(len(pings), 8, "watchdog pings in 1.2 s: %r" % self.msgs)
        status = [d for _, d in self.msgs if d.startswith("STATUS=")]
        self.assertTrue(status, self.msgs)
        self.assertRegex(status[-1], r"^STATUS=2 workers: [0-2] busy, [0-2] idle, 0 starting; "
                                     r"2 connected to the database$")
        # reload: RELOADING=1, then READY=1 once the workers are replaced
        self.msgs = []
        os.kill(p.pid, signal.SIGHUP)
        self.assertTrue(self.recv_until("READY=1"), self.msgs)
        self.assertTrue(any(d.startswith("RELOADING=1\nMONOTONIC_USEC=") for _, d in self.msgs),
                        self.msgs)
        # stop: the socket is systemd's; a connection queued after the stop
        # is answered by the next instance
        os.kill(p.pid, signal.SIGTERM)
        self.assertTrue(self.recv_until("STOPPING=1"), self.msgs)
        self.assertEqual(p.wait(15), 0)
        self.assertIn("the queue stays with systemd", self.read_log())
        c = socket.socket(socket.AF_UNIX)
        c.settimeout(20)
        c.connect(self.sock_path)
        ph.fcgi_send(c, {"REQUEST_METHOD": "GET", "REQUEST_URI": "/queued"})
        self.start()
        out = ph.fcgi_read(c)
        c.close()
        self.assertTrue(out.startswith(b"Status: 404 Not Found\r\n"), out)

    def test_workers_leave_with_a_killed_master(self):
        p = self.start()
        self.assertTrue(self.recv_until("READY=1"), self.msgs)
        kids = ph.children(p.pid)
        self.assertEqual(len(kids), 2)
        p.kill()
        p.wait(10)
        self.assertTrue(ph.wait_for(lambda: not any(ph.alive(k) for k in kids), 5),
                        "workers of a killed master still run")


if __name__ == "__main__":
    unittest.main()
