"""Idempotency-Key on POST /collections and POST .../tracks: replay, reuse,
in-use, scope, header syntax, stale and expired claims, purge."""

import hashlib
import socket
import ssl
import time
import unittest
import urllib.parse

import mcoll as m
from mcoll import call, cpath

HEADER = "Idempotency-Key"
IN_USE = ("IDEMPOTENCY_KEY_IN_USE", "client_error",
          "A request with this idempotency key is still being processed.",
          "A request with this Idempotency-Key is still being processed")
REUSED = ("IDEMPOTENCY_KEY_REUSED", "client_error",
          "The idempotency key was already used for a different request.",
          "Idempotency-Key was already used with a different request")
BAD_KEY = "Idempotency-Key must be 1 to 255 printable ASCII characters"


def key():
    return "k-" + m.uniq(16)


def assert_key_error(tc, r, status, which):
    code, etype, msg, sysmsg = which
    tc.assertEqual(r.status, status, r)
    m.assert_common(r)
    err = r.json["error"]
    tc.assertEqual(list(r.json), ["success", "error"])
    tc.assertEqual(list(err), m.ERROR_KEYS)
    tc.assertEqual((err["code"], err["type"], err["message"], err["system_message"],
                    err["status"], err["details"]),
                   (code, etype, msg, sysmsg, status, {"field": HEADER}))
    tc.assertEqual(err["trace_id"], "req_" + r.headers["X-Request-Id"])


def count_named(org, name):
    return int(m.sql_value("SELECT COUNT(*) FROM collections WHERE org_id = %s AND name = %s"
                           % (m.sqlq(org), m.sqlq(name))))


def key_rows(user, k):
    return m.sql("SELECT state, status FROM idempotency_keys WHERE user_id = %s AND idem_key = %s"
                 % (m.sqlq(user), m.sqlq(k)))


def fingerprint(method, path, body):
    return hashlib.sha256(method.encode() + b"\n" + path.encode() + b"\n" + body).hexdigest()


def send_then_drop(path, api_key, k, body, user):
    """Sends a POST over a fresh TLS connection, waits until the service has
    claimed the key (the request is running) and closes the connection
    without reading the answer: a client that timed out."""
    u = urllib.parse.urlsplit(m.BASE_URL)
    raw = socket.create_connection((u.hostname, u.port), timeout=10)
    s = m.tls_context().wrap_socket(raw, server_hostname=u.hostname)
    req = ("POST %s HTTP/1.1\r\nHost: %s\r\nX-API-Key: %s\r\n%s: %s\r\n"
           "Content-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
           % (path, u.hostname, api_key, HEADER, k, len(body))).encode() + body
    try:
        s.sendall(req)
        return m.wait_for(lambda: key_rows(user, k), 10, step=0.05)
    finally:
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()


class IdempotencyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.a = m.new_tenant()
        cls.b = m.new_member(cls.a.org)      # another user, same organization
        cls.t = [m.new_track(cls.a.org, cls.a.user) for _ in range(4)]

    def post(self, body, k, tenant=None, raw=None):
        t = tenant or self.a
        hdrs = {HEADER: k} if k is not None else None
        return call("POST", cpath(t.org), t.key, body=body if raw is None else None, raw=raw,
                    headers=hdrs)

    def test_replay_same_answer_one_row(self):
        k, name = key(), "idem-" + m.uniq(8)
        r1 = self.post({"name": name}, k)
        c1 = m.assert_status(r1, 201)
        self.assertIsNone(r1.headers.get("Idempotent-Replayed"))
        time.sleep(1.1)  # a second create would show another created_at
        r2 = self.post({"name": name}, k)
        c2 = m.assert_status(r2, 201)
        self.assertEqual(r2.body, r1.body)
        self.assertEqual(c2, c1)
        self.assertEqual(r2.headers["Location"], r1.headers["Location"])
        self.assertEqual(r2.headers["Location"], "/v1/music/%s/collections/%s" % (self.a.org, c1["id"]))
        self.assertEqual(r2.headers["Idempotent-Replayed"], "true")
        self.assertEqual(count_named(self.a.org, name), 1)
        self.assertEqual(key_rows(self.a.user, k), [["done", "201"]])

    def test_dropped_connection_then_retry_creates_one(self):
        k, name = key(), "drop-" + m.uniq(8)
        body = m.dumps({"name": name})
        self.assertTrue(send_then_drop(cpath(self.a.org), self.a.key, k, body, self.a.user),
                        "the request never claimed its key")
        # the request finishes without its client
        self.assertEqual(m.wait_for(lambda: key_rows(self.a.user, k) == [["done", "201"]], 10), True)
        r = self.post(None, k, raw=body)
        c = m.assert_status(r, 201)
        self.assertEqual(count_named(self.a.org, name), 1)
        cid = m.sql_value("SELECT id FROM collections WHERE org_id = %s AND name = %s"
                          % (m.sqlq(self.a.org), m.sqlq(name)))
        self.assertEqual(c["id"], cid)
        self.assertEqual(r.headers["Location"], "/v1/music/%s/collections/%s" % (self.a.org, cid))
        self.assertEqual(r.headers["Idempotent-Replayed"], "true")
        # and so does every further retry
        self.assertEqual(self.post(None, k, raw=body).body, r.body)
        self.assertEqual(count_named(self.a.org, name), 1)

    def test_concurrent_requests_create_one(self):
        k, name = key(), "conc-" + m.uniq(8)
        body = {"name": name}

        def job(c):
            return c.call("POST", cpath(self.a.org), self.a.key, body=body, headers={HEADER: k})
        results = m.run_parallel([job] * 6, timeout=60)
        for r in results:
            self.assertIsInstance(r, m.Response, r)
        created = [r for r in results if r.status == 201]
        for r in results:
            if r.status == 409:
                assert_key_error(self, r, 409, IN_USE)
            else:
                self.assertEqual(r.status, 201, r)
        self.assertGreaterEqual(len(created), 1)
        self.assertEqual({r.json["id"] for r in created}, {created[0].json["id"]})
        self.assertEqual(count_named(self.a.org, name), 1)
        # afterwards every retry is the replay
        r = self.post(body, k)
        self.assertEqual(m.assert_status(r, 201)["id"], created[0].json["id"])

    def test_other_body_is_422(self):
        k = key()
        m.assert_status(self.post({"name": "one-" + k}, k), 201)
        r = self.post({"name": "two-" + k}, k)
        assert_key_error(self, r, 422, REUSED)
        self.assertEqual(count_named(self.a.org, "two-" + k), 0)
        # the same JSON written differently is another body
        r = self.post(None, k, raw=' {"name": "one-%s"}' % k)
        assert_key_error(self, r, 422, REUSED)
        # and the same key on the other endpoint is another request
        cid = m.create(self.a)["id"]
        r = call("POST", cpath(self.a.org, cid, "tracks"), self.a.key, body={"track_id": self.t[0]},
                 headers={HEADER: k})
        assert_key_error(self, r, 422, REUSED)
        self.assertEqual(m.get(self.a, cid)["track_count"], 0)

    def test_key_syntax(self):
        name = "syn-" + m.uniq(8)
        for bad in ["x" * 256, "clé", "a\x7fb", "a\x01b"]:
            r = self.post({"name": name}, bad)
            m.assert_error(r, 422, BAD_KEY, field=HEADER)
        self.assertEqual(count_named(self.a.org, name), 0)
        ok = "x" * 254 + "~"
        r1 = self.post({"name": name}, ok)
        m.assert_status(r1, 201)
        r2 = self.post({"name": name}, ok)
        self.assertEqual(r2.body, r1.body)
        self.assertEqual(count_named(self.a.org, name), 1)
        # printable includes spaces and quotes: taken as sent
        q = '"8e03978e 40d5"'
        self.assertEqual(self.post({"name": name + "q"}, q).status, 201)
        self.assertEqual(self.post({"name": name + "q"}, q).headers["Idempotent-Replayed"], "true")

    def test_scoped_per_user(self):
        k, name = key(), "scope-" + m.uniq(8)
        ca = m.assert_status(self.post({"name": name}, k), 201)
        cb = m.assert_status(self.post({"name": name}, k, tenant=self.b), 201)
        self.assertNotEqual(ca["id"], cb["id"])
        self.assertEqual(count_named(self.a.org, name), 2)
        # b's replay is b's own collection
        r = self.post({"name": name}, k, tenant=self.b)
        self.assertEqual(m.assert_status(r, 201)["id"], cb["id"])
        # and the same user in another organization is another scope
        other = m.new_org()
        m.add_member(other, self.a.user)
        r = call("POST", cpath(other), self.a.key, body={"name": name}, headers={HEADER: k})
        self.assertNotEqual(m.assert_status(r, 201)["id"], ca["id"])

    def test_failures_are_not_stored(self):
        k, name = key(), "fail-" + m.uniq(8)
        # a body that fails validation takes no key
        m.assert_error(self.post({"description": "no name"}, k), 422, "name is required", field="name")
        self.assertEqual(key_rows(self.a.user, k), [])
        m.assert_status(self.post({"name": name}, k), 201)
        # a 404 from the work releases the key: the next request with it runs
        k2 = key()
        cid = m.create(self.a)["id"]
        path = cpath(self.a.org, cid, "tracks")
        missing = "mtrack_000000000000"
        r = call("POST", path, self.a.key, body={"track_id": missing}, headers={HEADER: k2})
        m.assert_error(r, 404, "Music track not found in this organization",
                       details={"track_id": missing})
        self.assertEqual(key_rows(self.a.user, k2), [])
        r = call("POST", path, self.a.key, body={"track_id": self.t[1]}, headers={HEADER: k2})
        m.assert_ack(r, self.t[1], "Track added to collection.")
        self.assertEqual(key_rows(self.a.user, k2), [["done", "200"]])

    def test_track_add_replay(self):
        cid = m.create(self.a)["id"]
        path = cpath(self.a.org, cid, "tracks")
        k = key()
        body = {"track_ids": self.t[:3]}
        r1 = call("POST", path, self.a.key, body=body, headers={HEADER: k})
        self.assertEqual(m.assert_status(r1, 200),
                         {"success": True, "id": cid, "added": 3, "detail": "Tracks added to collection."})
        before = m.get(self.a, cid)
        time.sleep(1.1)
        m.remove(self.a, cid, self.t[0])
        r2 = call("POST", path, self.a.key, body=body, headers={HEADER: k})
        self.assertEqual(r2.body, r1.body)
        self.assertEqual(r2.headers["Idempotent-Replayed"], "true")
        # no second effect: t[0] stays removed
        self.assertEqual(m.member_ids(self.a, cid), self.t[1:3])
        self.assertEqual(m.assert_db_consistent(self, cid), self.t[1:3])
        self.assertEqual(before["track_count"], 3)
        self.assertEqual(m.get(self.a, cid)["track_count"], 2)

    def insert_key(self, k, fp, state, claimed_ago, created_ago=None, status=None):
        created_ago = claimed_ago if created_ago is None else created_ago
        m.sql("INSERT INTO idempotency_keys (user_id, org_id, idem_key, fingerprint, state, claim_token,"
              " status, headers, body, created_at, claimed_at) VALUES (%s, %s, %s, UNHEX(%s), %s,"
              " 'aaaaaaaaaaaa', %s, %s, %s, UTC_TIMESTAMP(6) - INTERVAL %d SECOND,"
              " UTC_TIMESTAMP(6) - INTERVAL %d SECOND)"
              % (m.sqlq(self.a.user), m.sqlq(self.a.org), m.sqlq(k), m.sqlq(fp), m.sqlq(state),
                 "NULL" if status is None else str(status),
                 "NULL" if status is None else "''",
                 "NULL" if status is None else "'{\"old\":true}'", created_ago, claimed_ago))

    def test_running_claim_is_409_then_stale_is_taken_over(self):
        name = "stale-" + m.uniq(8)
        body = m.dumps({"name": name})
        fp = fingerprint("POST", cpath(self.a.org), body)
        # a claim of a request still running: 409, nothing done
        k = key()
        self.insert_key(k, fp, "running", 1)
        assert_key_error(self, self.post(None, k, raw=body), 409, IN_USE)
        self.assertEqual(count_named(self.a.org, name), 0)
        # a claim older than the longest request (a crash: no effect, no
        # answer): the retry takes it over and runs
        k2 = key()
        self.insert_key(k2, fp, "running", 3600)
        r = self.post(None, k2, raw=body)
        c = m.assert_status(r, 201)
        self.assertIsNone(r.headers.get("Idempotent-Replayed"))
        self.assertEqual(count_named(self.a.org, name), 1)
        self.assertEqual(key_rows(self.a.user, k2), [["done", "201"]])
        self.assertEqual(m.assert_status(self.post(None, k2, raw=body), 201)["id"], c["id"])
        # a stale claim with another body is still a reuse
        k3 = key()
        self.insert_key(k3, "00" * 32, "running", 3600)
        assert_key_error(self, self.post(None, k3, raw=body), 422, REUSED)

    def test_expired_keys_are_free_and_purged(self):
        name = "exp-" + m.uniq(8)
        k = key()
        # done 25 hours ago, with another body: expired, so the key is new
        self.insert_key(k, "00" * 32, "done", 90000, status=201)
        r = self.post({"name": name}, k)
        m.assert_status(r, 201)
        self.assertIsNone(r.headers.get("Idempotent-Replayed"))
        self.assertEqual(key_rows(self.a.user, k), [["done", "201"]])
        # purge deletes what is older than 24 hours, nothing younger
        old, young = key(), key()
        self.insert_key(old, "00" * 32, "done", 86500, status=201)
        self.insert_key(young, "00" * 32, "done", 86000, status=201)
        self.assertEqual(m.ctl("purge", "--deleted-before", "2001-01-01"), "0")
        self.assertEqual(key_rows(self.a.user, old), [])
        self.assertEqual(key_rows(self.a.user, young), [["done", "201"]])
        self.assertEqual(key_rows(self.a.user, k), [["done", "201"]])


if __name__ == "__main__":
    unittest.main()
