"""Routing: unknown paths, wrong methods, common headers, trace ids."""

import time
import unittest

import mcoll as m
from mcoll import call, cpath

CID = "mcoll_0123456789ab"
TID = "mtrack_0123456789ab"


class RoutesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.a = m.new_tenant()

    def test_unknown_routes_404(self):
        org = self.a.org
        paths = [
            "/",
            "/nope",
            "/v1",
            "/v1/",
            "/v1/music",
            "/v1/music/%s" % org,
            "/v1/music/%s/collection" % org,
            "/v1/music/%s/tracks" % org,
            "/v1/music/%s/collections/%s/extra" % (org, CID),
            "/v1/music/%s/collections/%s/tracks/%s/x" % (org, CID, TID),
            "/v1/music/%s/collections/%s/orders" % (org, CID),
            "/v2/music/%s/collections" % org,
        ]
        for p in paths:
            for key in (None, self.a.key):
                with self.subTest(path=p, key=bool(key)):
                    r = call("GET", p, key)
                    m.assert_error(r, 404, m.MSG_NO_ROUTE, details={})

    def test_unknown_route_with_other_methods(self):
        p = "/v1/music/%s/nothing" % self.a.org
        for method in ("POST", "DELETE", "PATCH", "PUT"):
            with self.subTest(method=method):
                r = call(method, p, None)
                m.assert_error(r, 404, m.MSG_NO_ROUTE, details={})

    def check_405(self, method, path, allowed, key=None, body=None):
        r = call(method, path, key, body=body)
        err = m.assert_error(r, 405)
        hdr = r.headers.get_all("Allow") or []
        self.assertEqual(len(hdr), 1, r)
        listed = hdr[0].split(", ")
        self.assertEqual(sorted(listed), sorted(allowed), r)
        self.assertEqual(err["details"], {"allowed": listed},
                         "details.allowed must list the Allow header's methods in order")
        return listed

    def test_wrong_method_405(self):
        org = self.a.org
        cases = [
            (cpath(org), ["GET", "POST"], ["PUT", "DELETE", "PATCH"]),
            (cpath(org, CID), ["GET", "PATCH", "DELETE"], ["POST", "PUT"]),
            (cpath(org, CID, "tracks"), ["GET", "POST"], ["PUT", "PATCH", "DELETE"]),
            (cpath(org, CID, "tracks", TID), ["DELETE"], ["GET", "POST", "PATCH", "PUT"]),
            (cpath(org, CID, "order"), ["PATCH"], ["GET", "POST", "PUT", "DELETE"]),
        ]
        for path, allowed, wrong in cases:
            for method in wrong:
                with self.subTest(path=path, method=method):
                    # before authentication: no key and a valid key alike
                    self.check_405(method, path, allowed)
                    self.check_405(method, path, allowed, key=self.a.key)

    def test_405_ignores_body(self):
        self.check_405("PUT", cpath(self.a.org), ["GET", "POST"], key=self.a.key,
                       body={"name": "x"})

    def test_common_headers_on_every_answer(self):
        org = self.a.org
        answers = [
            (call("GET", cpath(org), self.a.key), 200),
            (call("POST", cpath(org), self.a.key, body={"name": "hdr"}), 201),
            (call("GET", cpath(org), None), 401),
            (call("GET", cpath("org_nope_" + m.uniq(6)), self.a.key), 403),
            (call("GET", "/v1/nope", None), 404),
            (call("GET", cpath(org, CID), self.a.key), 404),
            (call("PUT", cpath(org), None), 405),
            (call("GET", cpath(org, query="limit=0"), self.a.key), 422),
            (call("POST", cpath(org), self.a.key, raw=b"x", headers={"Content-Type": "text/plain"}),
             415),
        ]
        for r, st in answers:
            with self.subTest(resp=repr(r)[:120]):
                if st >= 400:
                    m.assert_error(r, st)
                else:
                    m.assert_status(r, st)

    def test_nginx_level_errors_are_json(self):
        """Requests nginx refuses itself still answer the JSON envelope."""
        org = self.a.org
        cases = [
            ("bad percent-escape in path", cpath(org, "%ZZ"), {}),
            ("percent-encoded NUL in path", cpath(org, "%00"), {}),
            ("URI over the header buffers", "/v1/music/org_" + "a" * 9000 + "/collections", {}),
            ("header over the header buffers", cpath(org), {"X-Big": "b" * 9000}),
        ]
        for label, path, headers in cases:
            with self.subTest(case=label):
                r = call("GET", path, self.a.key, headers=headers)
                m.assert_envelope_shape(r)

    def test_client_request_id_not_trusted(self):
        fixed = "0123456789abcdef0123456789abcdef"
        seen = set()
        for _ in range(3):
            r = call("GET", cpath(self.a.org), None, headers={"X-Request-Id": fixed})
            err = m.assert_error(r, 401)
            seen.add(err["trace_id"])
        self.assertNotIn("req_" + fixed, seen)
        self.assertEqual(len(seen), 3)

    def test_trace_id_in_log(self):
        r = call("GET", cpath(self.a.org, "mcoll_" + m.uniq(12)), self.a.key)
        err = m.assert_error(r, 404)
        r2 = call("GET", cpath(self.a.org), self.a.key)
        m.assert_status(r2, 200)
        deadline = time.time() + 5
        while True:
            log = m.read_log()
            if err["trace_id"] in log and ("req_" + r2.headers.get("X-Request-Id")) in log:
                break
            self.assertLess(time.time(), deadline, "trace ids %s / %s not in the service log"
                            % (err["trace_id"], r2.headers.get("X-Request-Id")))
            time.sleep(0.2)

    def test_trace_ids_differ(self):
        seen = set()
        for i in range(10):
            r = call("GET", cpath(self.a.org), self.a.key)
            m.assert_status(r, 200)
            seen.add(r.headers.get("X-Request-Id"))
            r = call("GET", cpath(self.a.org), None)
            err = m.assert_error(r, 401)
            seen.add(err["trace_id"][4:])
        self.assertEqual(len(seen), 20, "trace ids repeat: %r" % seen)


if __name__ == "__main__":
    unittest.main()
