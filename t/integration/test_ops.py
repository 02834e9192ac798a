"""Operations endpoints and the slow request log.

GET /healthz (no key, one database round trip; 503 while the database is
down), GET /status (the scoreboard: fields, counters that move with known
requests, a busy worker and its route while a request waits on a row lock,
refused to a client on 127.0.0.2 by nginx), `mcollctl status`, and
slowlog_ms (set by a reload, restored after): a request held by a row lock
is logged with its statements and counted.
"""

import http.client
import json
import re
import socket
import threading
import time
import unittest
import urllib.parse

import mcoll as m
import openapi_check
import pool_helpers as ph
from mcoll import cpath
from test_timeouts import RowLock

PATCH_ROUTE = "PATCH /v1/music/:org/collections/:coll"
STATUS_KEYS = ["start_time", "uptime_s", "pool_size", "workers", "busy", "idle", "starting",
               "db_connected", "max_busy", "accepted", "requests", "requests_by_class", "respawns",
               "recycled", "slow_requests", "processes"]
WORKER_KEYS = ["slot", "pid", "state", "started", "db_connected", "accepted", "requests", "route",
               "request_ms"]


def status():
    r = m.Client().call("GET", "/status")
    m.assert_status(r, 200)
    return r.json


class FromAddress(http.client.HTTPSConnection):
    """HTTPS to nginx's port on 127.0.0.1, from another local address."""

    def __init__(self, source, **kw):
        u = urllib.parse.urlsplit(m.BASE_URL)
        super().__init__(u.hostname, u.port or 443, context=m.tls_context(), **kw)
        self.source = source

    def connect(self):
        raw = socket.create_connection(("127.0.0.1", self.port), self.timeout,
                                       source_address=(self.source, 0))
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


def blocked_patch(t, cid, out):
    def run():
        out.append(m.Client().call("PATCH", cpath(t.org, cid), t.key, body={"name": "held"}))
    th = threading.Thread(target=run, daemon=True)
    th.start()
    return th


def wait_busy_route(route, min_ms):
    """The status page once a worker shows route running >= min_ms."""
    found = {}

    def seen():
        s = status()
        for p in s["processes"]:
            if p["state"] == "busy" and p["route"] == route and p["request_ms"] >= min_ms:
                found["s"], found["p"] = s, p
                return True
        return False
    if not m.wait_for(seen, 10, 0.05):
        raise AssertionError("no worker ran %s for %d ms: %r" % (route, min_ms, status()))
    return found["s"], found["p"]


class HealthTest(unittest.TestCase):
    def test_ok_without_key(self):
        r = m.call("GET", "/healthz")
        m.assert_status(r, 200)
        self.assertEqual(r.body, b'{"status":"ok"}')
        self.assertEqual(r.headers.get("Content-Type"), m.JSON_CT)

    def test_other_methods_405(self):
        for method in ("POST", "DELETE", "PUT"):
            with self.subTest(method=method):
                r = m.call(method, "/healthz")
                m.assert_error(r, 405, "Method %s is not allowed here" % method,
                               details={"allowed": ["GET"]})
                self.assertEqual(r.headers.get("Allow"), "GET")
        r = m.call("POST", "/status")
        m.assert_error(r, 405, details={"allowed": ["GET"]})

    def test_503_while_database_down(self):
        m.dbctl("stop")
        try:
            r = m.Client().call("GET", "/healthz")
            m.assert_error(r, 503, "Database unavailable", details={})
        finally:
            m.dbctl("start")
        self.assertTrue(m.wait_for(lambda: m.Client().call("GET", "/healthz").status == 200, 30, 0.2))


class StatusTest(unittest.TestCase):
    def test_fields(self):
        s = status()
        self.assertEqual(list(s), STATUS_KEYS)
        want = int(ph.conf_value(ph.read_conf(), "workers") or 4)
        self.assertEqual(s["pool_size"], want)
        self.assertEqual(s["workers"], want)
        self.assertEqual(s["busy"] + s["idle"] + s["starting"], want)
        self.assertGreaterEqual(s["busy"], 1)           # this request
        self.assertEqual(sorted(p["pid"] for p in s["processes"]), m.worker_pids())
        for p in s["processes"]:
            self.assertEqual(list(p), WORKER_KEYS)
        me = [p for p in s["processes"] if p["route"] == "GET /status"]
        self.assertEqual(len(me), 1, s)
        self.assertEqual(me[0]["state"], "busy")
        m.check_ts(s["start_time"], "start_time", window=10 ** 7)
        self.assertLessEqual(m.parse_ts(s["start_time"]), time.time())

    def test_counters_move(self):
        t = m.new_tenant()
        s0 = status()
        for _ in range(3):
            m.assert_status(m.call("GET", cpath(t.org), t.key), 200)
        for _ in range(2):
            m.assert_status(m.call("GET", "/no/such/" + m.uniq()), 404)
        m.assert_status(m.call("GET", cpath(t.org)), 401)
        s1 = status()
        c0, c1 = s0["requests_by_class"], s1["requests_by_class"]
        # s0's own request is counted once it was answered
        self.assertEqual(c1["2xx"] - c0["2xx"], 4)
        self.assertEqual(c1["4xx"] - c0["4xx"], 3)
        self.assertEqual(c1["5xx"] - c0["5xx"], 0)
        self.assertEqual(s1["requests"] - s0["requests"], 7)
        # nginx keeps its FastCGI connections: 7 requests take between 0
        # and 7 new ones
        self.assertTrue(0 <= s1["accepted"] - s0["accepted"] <= 7, (s0["accepted"], s1["accepted"]))
        self.assertEqual(s1["respawns"], s0["respawns"])

    def test_busy_and_route_while_blocked(self):
        t = m.new_tenant()
        cid = m.create(t, name="blocked")["id"]
        out = []
        lock = RowLock(cid, 10)
        try:
            th = blocked_patch(t, cid, out)
            s, p = wait_busy_route(PATCH_ROUTE, 200)
        finally:
            lock.release()
        th.join(15)
        self.assertGreaterEqual(s["busy"], 2, s)        # the blocked one and this one
        self.assertGreaterEqual(s["max_busy"], 2, s)
        self.assertGreaterEqual(p["request_ms"], 200)
        self.assertIn(p["pid"], m.worker_pids())
        self.assertEqual(len(out), 1)
        m.assert_status(out[0], 200)
        after = status()
        same = [q for q in after["processes"] if q["pid"] == p["pid"]]
        self.assertEqual(len(same), 1)
        self.assertNotEqual(same[0]["route"], PATCH_ROUTE)

    def test_refused_from_other_address(self):
        for source in ("127.0.0.2", "127.0.0.3"):
            with self.subTest(source=source):
                c = FromAddress(source, timeout=30)
                try:
                    c.request("GET", "/status")
                    r = c.getresponse()
                    body = r.read()
                finally:
                    c.close()
                openapi_check.check("GET", "/status", r.status, r.headers, body)
                resp = m.Response("GET", "/status", r.status, r.reason, r.headers, body)
                m.assert_error(resp, 403, "The status page is served to loopback clients only",
                               details={})
        # the health check stays open to every client
        c = FromAddress("127.0.0.2", timeout=30)
        try:
            c.request("GET", "/healthz")
            r = c.getresponse()
            self.assertEqual((r.status, r.read()), (200, b'{"status":"ok"}'))
        finally:
            c.close()

    def test_mcollctl_status(self):
        out = m.ctl("status")
        lines = out.split("\n")
        want = int(ph.conf_value(ph.read_conf(), "workers") or 4)
        self.assertEqual(lines[1], "pool size:      %d" % want)
        self.assertRegex(lines[0], r"^start time:     \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(up \d+ s\)$")
        self.assertRegex(lines[2], r"^workers:        %d \(busy [1-9]\d*, idle \d+, starting \d+; "
                                   r"\d+ connected to the database\)$" % want)
        self.assertRegex(out, r"\nrequests:       \d+ \(2xx \d+, 4xx \d+, 5xx \d+\)\n")
        self.assertRegex(out, r"\nslow requests:  \d+\n")
        self.assertRegex(out, r"\nrespawns:       \d+\n")
        head = lines.index("SLOT  PID      STATE     REQUESTS  RUNNING    ROUTE")
        row = re.compile(r"^(\d+) +(\d+) +(starting|idle|busy) +(\d+) +(-|\d+ ms) +(.+)$")
        rows = [row.match(l) for l in lines[head + 1:]]
        self.assertTrue(all(rows), out)
        self.assertEqual(len(rows), want)
        self.assertEqual(sorted(int(r.group(2)) for r in rows), m.worker_pids())
        mine = [r for r in rows if r.group(6) == "GET /status"]
        self.assertEqual(len(mine), 1, out)
        self.assertEqual(mine[0].group(3), "busy")


class SlowlogTest(unittest.TestCase):
    def setUp(self):
        self.original = ph.read_conf()

    def tearDown(self):
        ph.restore_conf(self.original)

    def test_slow_request_logged_and_counted(self):
        t = m.new_tenant()
        cid = m.create(t, name="slow")["id"]
        off = ph.log_size()
        ph.write_conf(ph.with_value(self.original, "slowlog_ms", "300"))
        ph.reload_and_wait(off)
        fast = m.Client().call("GET", "/healthz")
        m.assert_status(fast, 200)
        s0 = status()
        out = []
        lock = RowLock(cid, 10)
        try:
            th = blocked_patch(t, cid, out)
            wait_busy_route(PATCH_ROUTE, 500)
        finally:
            lock.release()
        th.join(15)
        self.assertEqual(len(out), 1)
        m.assert_status(out[0], 200)
        trace = "req_" + out[0].headers["X-Request-Id"]
        s1 = status()
        self.assertEqual(s1["slow_requests"] - s0["slow_requests"], 1)
        log = ph.log_since(off)
        lines = [l for l in log.split("\n") if trace + ": slow request" in l]
        self.assertEqual(len(lines), 1, log[-3000:])
        mt = re.search(r" warn mcolld worker \d+\[\d+\]: %s: slow request PATCH "
                       r"/v1/music/:org/collections/:coll (\d+) ms: (.*)$" % trace, lines[0])
        self.assertIsNotNone(mt, lines[0])
        self.assertGreaterEqual(int(mt.group(1)), 500)
        stmts = [x.rsplit(" ", 2) for x in mt.group(2).split(", ")]
        names = [x[0] for x in stmts]
        for x in stmts:
            self.assertEqual(x[2], "ms", lines[0])
            float(x[1])
        self.assertIn("START TRANSACTION", names)
        self.assertIn("STMT_AUTH", names)
        self.assertIn("STMT_COLL_LOCK", names)
        self.assertIn("STMT_COLL_UPDATE", names)
        self.assertEqual(names[-1], "COMMIT")
        lock_ms = float(stmts[names.index("STMT_COLL_LOCK")][1])
        self.assertGreaterEqual(lock_ms, 400, lines[0])
        # the fast request is not in the slow log
        fast_trace = "req_" + fast.headers["X-Request-Id"]
        self.assertNotIn(fast_trace + ": slow request", log)
