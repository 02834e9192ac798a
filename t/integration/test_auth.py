"""Authentication, authorization and transport (TLS, http -> https)."""

import http.client
import re
import secrets
import socket
import ssl
import unittest
import urllib.parse

import mcoll as m
from mcoll import call, cpath


class AuthTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.a = m.new_tenant()                      # member with the capability
        cls.nocap = m.new_member(cls.a.org, caps=())  # member without it
        cls.b = m.new_tenant()                      # another organization

    def list_as(self, key, org=None, bearer=False, headers=None):
        return call("GET", cpath(org or self.a.org), key, bearer=bearer, headers=headers)

    def assert_401(self, r):
        m.assert_error(r, 401, m.MSG_401, details={})

    # -- 401 ------------------------------------------------------------

    def test_no_key(self):
        self.assert_401(self.list_as(None))

    def test_wrong_keys(self):
        for key in ["mck_" + secrets.token_hex(16), "mck_" + secrets.token_hex(32),
                    self.a.key + "0", self.a.key[:-1], "abc", "mck_",
                    self.a.key.upper(), "mck_" + "a" * 6000, self.a.key + " " + self.a.key]:
            with self.subTest(key=key):
                self.assert_401(self.list_as(key))
                self.assert_401(self.list_as(key, bearer=True))

    def test_malformed_headers(self):
        cases = [
            {"Authorization": "Basic " + self.a.key},
            {"Authorization": "Bearer"},
            {"Authorization": "Bearer "},
            {"Authorization": self.a.key},
            {"Authorization": "Token " + self.a.key},
            {"X-API-Key": ""},
        ]
        for h in cases:
            with self.subTest(headers=h):
                self.assert_401(self.list_as(None, headers=h))

    def test_401_bodies_identical(self):
        bodies = {m.normalized_error(r) for r in [
            self.list_as(None),
            self.list_as("mck_" + secrets.token_hex(16)),
            self.list_as(None, headers={"Authorization": "Basic x"}),
        ]}
        self.assertEqual(len(bodies), 1, bodies)

    def test_401_before_403(self):
        # no key on an organization that does not exist: authentication first
        self.assert_401(self.list_as(None, org="org_nope" + secrets.token_hex(4)))
        self.assert_401(self.list_as("mck_" + secrets.token_hex(16), org=self.b.org))

    def test_every_endpoint_requires_auth(self):
        org, cid, tid = self.a.org, "mcoll_0123456789ab", "mtrack_0123456789ab"
        reqs = [
            ("GET", cpath(org), None),
            ("POST", cpath(org), {"name": "x"}),
            ("GET", cpath(org, cid), None),
            ("PATCH", cpath(org, cid), {"name": "x"}),
            ("DELETE", cpath(org, cid), None),
            ("GET", cpath(org, cid, "tracks"), None),
            ("POST", cpath(org, cid, "tracks"), {"track_id": tid}),
            ("DELETE", cpath(org, cid, "tracks", tid), None),
            ("PATCH", cpath(org, cid, "order"), {"ordered_track_ids": []}),
        ]
        for method, path, body in reqs:
            with self.subTest(method=method, path=path):
                self.assert_401(call(method, path, None, body=body))
                self.assert_401(call(method, path, "mck_" + secrets.token_hex(16), body=body))

    # -- key sources and revocation -----------------------------------------

    def test_x_api_key_works(self):
        r = self.list_as(self.a.key)
        m.assert_status(r, 200)

    def test_bearer_works(self):
        r = self.list_as(self.a.key, bearer=True)
        m.assert_status(r, 200)
        r = call("POST", cpath(self.a.org), self.a.key, bearer=True, body={"name": "bearer"})
        m.assert_status(r, 201)

    def test_key_in_query_string_not_accepted(self):
        for qs in ["api_key=", "key=", "X-API-Key=", "access_token="]:
            with self.subTest(qs=qs):
                r = call("GET", cpath(self.a.org, query=qs + self.a.key), None)
                self.assert_401(r)

    def test_key_never_logged(self):
        key = m.new_key(self.a.user)
        m.assert_status(self.list_as(key), 200)
        self.assert_401(self.list_as(key + "x"))
        m.ctl("key", "revoke", key)
        self.assert_401(self.list_as(key))
        log = m.read_log()
        self.assertNotIn(key, log, "the raw key appears in the service log")
        self.assertNotIn(key[4:], log, "the raw key appears in the service log")

    def test_demo_tenant(self):
        key, org = m._env("MCOLL_DEMO_KEY"), m._env("MCOLL_DEMO_ORG")
        r = call("GET", cpath(org), key)
        m.assert_status(r, 200)
        user = m._env("MCOLL_DEMO_USER")
        self.assertRegex(user, r"^usr_[0-9a-f]{12}$")
        tracks = m._env("MCOLL_DEMO_TRACKS").split()
        self.assertTrue(tracks)
        for t in tracks:
            self.assertRegex(t, r"^mtrack_[0-9a-f]{12}$")
            sc = m.schema()
            self.assertEqual(m.sql_value("SELECT `%s` FROM `%s` WHERE `%s` = %s"
                                         % (sc.track_org, sc.track, sc.track_id, m.sqlq(t))), org)

    def test_key_format(self):
        self.assertRegex(self.a.key, r"^mck_[0-9a-f]+$")
        self.assertRegex(self.a.user, r"^usr_[0-9a-f]{12}$")

    def fresh_calls(self, key, n=8):
        """n requests over fresh connections (spread over the workers)."""
        out = []
        for _ in range(n):
            c = m.Client()
            try:
                out.append(c.call("GET", cpath(self.a.org), key))
            finally:
                c.close()
        return out

    def test_revoke_by_raw_key(self):
        key = m.new_key(self.a.user)
        for r in self.fresh_calls(key):       # every worker has seen the key
            m.assert_status(r, 200)
        m.ctl("key", "revoke", key)
        for r in self.fresh_calls(key):       # ...and none still accepts it
            self.assert_401(r)
        self.assert_401(self.list_as(key, bearer=True))
        # the user's other key is untouched
        m.assert_status(self.list_as(self.a.key), 200)

    def test_revoke_by_key_id_and_list(self):
        t = m.new_member(self.a.org)
        lines = m.ctl("key", "list", t.user).split("\n")
        self.assertEqual(len(lines), 1, lines)
        rx = re.compile(r"^(key_[0-9a-f]{12})\t(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)\t(-|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)$")
        mt = rx.match(lines[0])
        self.assertIsNotNone(mt, "key list line %r" % lines[0])
        self.assertEqual(mt.group(3), "-")
        self.assertNotIn(t.key, lines[0], "key list must never print the secret")
        self.assertNotIn(t.key[4:], lines[0], "key list must never print the secret")
        m.assert_status(self.list_as(t.key), 200)
        m.ctl("key", "revoke", mt.group(1))
        self.assert_401(self.list_as(t.key))
        lines = m.ctl("key", "list", t.user).split("\n")
        mt2 = rx.match(lines[0])
        self.assertIsNotNone(mt2, lines)
        self.assertEqual(mt2.group(1), mt.group(1))
        self.assertNotEqual(mt2.group(3), "-", "revoked key listed without revocation time")

    # -- 403 ------------------------------------------------------------------

    def test_missing_capability(self):
        r = self.list_as(self.nocap.key)
        m.assert_error(r, 403, m.MSG_NO_CAP, details={})
        r = call("POST", cpath(self.a.org), self.nocap.key, body={"name": "x"})
        m.assert_error(r, 403, m.MSG_NO_CAP, details={})

    def test_non_member_and_nonexistent_org(self):
        r1 = self.list_as(self.a.key, org=self.b.org)
        m.assert_error(r1, 403, m.MSG_NOT_MEMBER, details={})
        r2 = self.list_as(self.a.key, org="org_nope" + secrets.token_hex(6))
        m.assert_error(r2, 403, m.MSG_NOT_MEMBER, details={})
        self.assertEqual(m.normalized_error(r1), m.normalized_error(r2))
        self.assertNotEqual(r1.json["error"]["trace_id"], r2.json["error"]["trace_id"])
        # odd organization ids are just organizations the caller is not in
        for org in ["org_%27%3B--", "org_" + "x" * 3000, self.a.org.upper(), self.a.org + "x",
                    self.a.org[:-1], "%20" + self.a.org]:
            with self.subTest(org=org[:40]):
                r = self.list_as(self.a.key, org=org)
                m.assert_error(r, 403, m.MSG_NOT_MEMBER, details={})
                self.assertEqual(m.normalized_error(r), m.normalized_error(r1))
        # also for a collection path in the other org
        r3 = call("GET", cpath(self.b.org, "mcoll_0123456789ab"), self.a.key)
        m.assert_error(r3, 403, m.MSG_NOT_MEMBER, details={})

    def test_403_before_validation(self):
        r = call("GET", cpath(self.b.org, query="limit=abc"), self.a.key)
        m.assert_error(r, 403, m.MSG_NOT_MEMBER, details={})
        r = call("POST", cpath(self.a.org), self.nocap.key, raw=b"{not json")
        m.assert_error(r, 403, m.MSG_NO_CAP, details={})

    # -- transport ------------------------------------------------------------

    def test_tls_verified_with_ca(self):
        u = urllib.parse.urlsplit(m.BASE_URL)
        ctx = ssl.create_default_context(cafile=m.CA)
        with socket.create_connection((u.hostname, u.port or 443), timeout=10) as s:
            with ctx.wrap_socket(s, server_hostname=u.hostname) as ts:
                self.assertIsNotNone(ts.getpeercert())
                self.assertIn(ts.version(), ("TLSv1.2", "TLSv1.3"))
        # without the CA the self-signed certificate is rejected: verification is real
        plain = ssl.create_default_context()
        with socket.create_connection((u.hostname, u.port or 443), timeout=10) as s:
            with self.assertRaises(ssl.SSLError):
                plain.wrap_socket(s, server_hostname=u.hostname)

    def test_http_redirects_to_https(self):
        self.assertTrue(m.HTTP_URL, "MCOLL_HTTP_URL not set")
        u = urllib.parse.urlsplit(m.HTTP_URL)
        path = "/v1/music/%s/collections?limit=5&offset=0" % self.a.org
        c = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=10)
        try:
            c.request("GET", path, headers={"X-API-Key": self.a.key})
            r = c.getresponse()
            r.read()
        finally:
            c.close()
        self.assertEqual(r.status, 308)
        self.assertEqual(r.getheader("Location"), m.BASE_URL + path)


if __name__ == "__main__":
    unittest.main()
