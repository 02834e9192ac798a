"""The service log on stderr (the dev stack's log file): one line per
request with its trace id, method, path, status, duration and user; and a
database outage under load writes a handful of lines, not one per request."""

import re
import time
import unittest

import mcoll as m
from mcoll import call, cpath, wait_for

# "2026-12-01T11:39:58Z info mcolld worker 1[13079]: req_... GET /path 200 0.6ms user=usr_..."
RE_REQ_LINE = re.compile(
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ info mcolld worker \d+\[\d+\]: "
    r"(req_[0-9a-f]{32}) (GET|POST|PATCH|DELETE|PUT) (\S+) (\d{3}) (\d+\.\d)ms user=(\S+)$")
RE_LEVEL = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (error|warn|info|debug) ")


def log_size():
    with open(m._env("MCOLL_LOG"), "rb") as f:
        return f.seek(0, 2)


def log_since(offset):
    with open(m._env("MCOLL_LOG"), "rb") as f:
        f.seek(offset)
        return f.read().decode("utf-8", "replace").splitlines()


def request_lines(lines):
    return [RE_REQ_LINE.match(l) for l in lines if RE_REQ_LINE.match(l)]


class RequestLineTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.a = m.new_tenant()

    def find_line(self, offset, trace):
        def found():
            for mt in request_lines(log_since(offset)):
                if mt.group(1) == trace:
                    return mt
            return None
        mt = wait_for(found, 5)
        self.assertIsNotNone(mt, "no request line for %s in the log" % trace)
        return mt

    def test_fields_of_a_request_line(self):
        off = log_size()
        r = call("POST", cpath(self.a.org), self.a.key, body={"name": "log line"})
        obj = m.assert_status(r, 201)
        trace = "req_" + r.headers["X-Request-Id"]
        mt = self.find_line(off, trace)
        self.assertEqual(mt.group(2), "POST")
        self.assertEqual(mt.group(3), cpath(self.a.org))
        self.assertEqual(mt.group(4), "201")
        self.assertLess(float(mt.group(5)), 10000.0)
        self.assertEqual(mt.group(6), self.a.user)
        self.assertTrue(m.RE_COLL.match(obj["id"]))

    def test_unauthenticated_and_unknown_route(self):
        off = log_size()
        r = call("GET", "/v1/music/%s/nowhere" % self.a.org, self.a.key)
        err = m.assert_error(r, 404)
        mt = self.find_line(off, err["trace_id"])
        self.assertEqual((mt.group(2), mt.group(4), mt.group(6)), ("GET", "404", "-"))
        r = call("GET", cpath(self.a.org), None)
        err = m.assert_error(r, 401)
        mt = self.find_line(off, err["trace_id"])
        self.assertEqual((mt.group(3), mt.group(4), mt.group(6)), (cpath(self.a.org), "401", "-"))

    def test_no_secret_or_body_in_the_log(self):
        off = log_size()
        secret_name = "body-secret-" + m.uniq(12)
        r = call("POST", cpath(self.a.org), self.a.key, body={"name": secret_name})
        m.assert_status(r, 201)
        r = call("GET", cpath(self.a.org), "mck_" + "0" * 48)
        m.assert_error(r, 401)
        trace = r.json["error"]["trace_id"]
        self.find_line(off, trace)
        text = "\n".join(log_since(off))
        self.assertNotIn(self.a.key, text)
        self.assertNotIn("mck_" + "0" * 48, text)
        self.assertNotIn(secret_name, text)


class OutageLogTest(unittest.TestCase):
    """The database stopped under load: 300 requests answer 503, and the
    log gets a handful of warning/error lines (identical lines are
    rate-limited per process), besides the one line per request."""

    REQUESTS = 300
    MAX_LINES = 15
    PAUSE = 0.065        # 300 requests over about 5 s

    @classmethod
    def setUpClass(cls):
        cls.a = m.new_tenant()
        cls.cid = m.create(cls.a, name="outage log")["id"]

    def test_outage_is_quiet(self):
        m.assert_status(call("GET", cpath(self.a.org), self.a.key), 200)
        off = log_size()
        try:
            m.dbctl("stop")
            t0 = time.time()
            load = m.Load(lambda c, i: c.call("GET", cpath(self.a.org, self.cid), self.a.key),
                          threads=4, seconds=60, max_requests=self.REQUESTS,
                          pause=self.PAUSE).start()
            wait_for(lambda: len(load.results) >= self.REQUESTS, 60)
            load.stop()
            statuses = [status if status is not None else err
                        for _, _, status, err in load.results]
            took = time.time() - t0
        finally:
            m.dbctl("start")

        def healthy():
            return call("GET", cpath(self.a.org), self.a.key).status == 200
        self.assertTrue(wait_for(healthy, 15, 0.25), "no 200 within 15 s after DB start")
        for _ in range(8):      # every worker sees the database again
            c = m.Client()
            try:
                m.assert_status(c.call("GET", cpath(self.a.org, self.cid), self.a.key), 200)
            finally:
                c.close()
        self.assertEqual(len(statuses), self.REQUESTS)
        self.assertEqual(statuses, [503] * self.REQUESTS, "during the outage (%.1f s)" % took)

        lines = wait_for(lambda: (lambda ls: ls if len(request_lines(ls)) >= self.REQUESTS + 9
                                  else None)(log_since(off)), 10) or log_since(off)
        reqs = request_lines(lines)
        n503 = sum(1 for mt in reqs if mt.group(4) == "503")
        # one line per 503 request (the health probes after the start may add a few)
        self.assertGreaterEqual(n503, self.REQUESTS, "one log line per 503 request")
        self.assertLessEqual(n503, self.REQUESTS + 61)
        others = [l for l in lines if RE_LEVEL.match(l) and RE_LEVEL.match(l).group(1) in
                  ("warn", "error")]
        self.assertGreaterEqual(len(others), 1, "the outage is not logged at all")
        self.assertLessEqual(len(others), self.MAX_LINES,
                             "%d warning/error lines for a %.1f s outage:\n%s"
                             % (len(others), took, "\n".join(others)))
        print("\n    outage: %d requests in %.1f s, %d warning/error lines"
              % (self.REQUESTS, took, len(others)), end=" ")


if __name__ == "__main__":
    unittest.main()
