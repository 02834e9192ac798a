"""Collections: create, get, update, delete, field validation, IDOR."""

import time
import unittest

import mcoll as m
from mcoll import call, cpath

HOSTILE = [
    'quote " double and \' single',
    "back\\slash \\\\ and \\n literal",
    "'; DROP TABLE collections; --",
    "\"; DELETE FROM tracks WHERE 1=1; --",
    "<script>alert('x')</script>",
    "emoji \U0001F3B5\U0001F3B6 \U0001F469\u200D\U0001F467 flags \U0001F1E8\U0001F1ED",
    "RTL \u05E9\u05DC\u05D5\u05DD \u0645\u0631\u062D\u0628\u0627 \u202Eabc\u202C",
    "NUL\u0000inside",
    "\u0000",
    "ctrl \t tab \n newline \r cr \u0001 \u001f \u007f",
    "%s %n %x {} ${x} $(id) `id`",
    "combining e\u0301 and \uFEFF bom and \u2028 line sep",
    "max \uFFFF and \U0010FFFF",
    "  leading and trailing spaces  ",
    "\u00e9t\u00e9 caf\u00e9 \u4e2d\u6587 \u65e5\u672c\u8a9e",
]


class CreateGetTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.a = m.new_tenant()
        cls.track = m.new_track(cls.a.org, cls.a.user)
        cls.b = m.new_tenant()
        cls.btrack = m.new_track(cls.b.org, cls.b.user)

    def post(self, body=None, raw=None, headers=None):
        return call("POST", cpath(self.a.org), self.a.key, body=body, raw=raw, headers=headers)

    def test_create_full(self):
        body = {"name": "Focus Sessions", "description": "Instrumental tracks for deep work",
                "cover_track_id": self.track, "cover_image_url": "https://example.com/c.png"}
        r = self.post(body)
        obj = m.assert_status(r, 201)
        m.assert_collection(obj, r, window=60)
        self.assertEqual(r.headers.get_all("Location"),
                         ["/v1/music/%s/collections/%s" % (self.a.org, obj["id"])])
        for k, v in body.items():
            self.assertEqual(obj[k], v, k)
        self.assertEqual(obj["track_count"], 0)
        self.assertEqual(obj["created_at"], obj["updated_at"])
        got = m.get(self.a, obj["id"])
        self.assertEqual(got, obj)

    def test_create_minimal(self):
        r = self.post({"name": "x"})
        obj = m.assert_status(r, 201)
        m.assert_collection(obj, r, window=60)
        self.assertEqual(obj["name"], "x")
        self.assertIsNone(obj["description"])
        self.assertIsNone(obj["cover_track_id"])
        self.assertIsNone(obj["cover_image_url"])
        self.assertEqual(obj["track_count"], 0)
        self.assertEqual(m.get(self.a, obj["id"]), obj)

    def test_create_explicit_nulls(self):
        r = self.post({"name": "n", "description": None, "cover_track_id": None,
                       "cover_image_url": None})
        obj = m.assert_status(r, 201)
        self.assertEqual([obj["description"], obj["cover_track_id"], obj["cover_image_url"]],
                         [None, None, None])

    def test_ids_unique(self):
        ids = {m.create(self.a)["id"] for _ in range(5)}
        self.assertEqual(len(ids), 5)

    def test_charset_parameter_accepted(self):
        for ct in ["application/json; charset=utf-8", "application/json;charset=UTF-8",
                   "Application/JSON"]:
            with self.subTest(ct=ct):
                r = self.post(raw=m.dumps({"name": "cs"}), headers={"Content-Type": ct})
                m.assert_status(r, 201)

    def test_unknown_fields_ignored(self):
        r = self.post({"name": "u", "foo": 1, "id": "mcoll_000000000000", "track_count": 99,
                       "created_at": "2000-01-01T00:00:00Z", "nested": {"a": [1, 2]}})
        obj = m.assert_status(r, 201)
        m.assert_collection(obj, r, window=60)
        self.assertNotEqual(obj["id"], "mcoll_000000000000")
        self.assertEqual(obj["track_count"], 0)
        self.assertNotEqual(obj["created_at"], "2000-01-01T00:00:00Z")

    def test_name_rules(self):
        for name in ["a", "x" * 512, "\U0001F3B5" * 512, "\u00e9" * 512]:
            with self.subTest(name_len=len(name), first=name[0]):
                obj = m.assert_status(self.post({"name": name}), 201)
                self.assertEqual(obj["name"], name)
        cases = [
            ({}, "name is required"),
            ({"description": "d"}, "name is required"),
            ({"name": ""}, "name must be between 1 and 512 characters"),
            ({"name": "x" * 513}, "name must be between 1 and 512 characters"),
            ({"name": "\U0001F3B5" * 513}, "name must be between 1 and 512 characters"),
            ({"name": 5}, "name must be a string"),
            ({"name": True}, "name must be a string"),
            ({"name": ["a"]}, "name must be a string"),
            ({"name": {"a": 1}}, "name must be a string"),
            ({"name": 1.5}, "name must be a string"),
        ]
        for body, msg in cases:
            with self.subTest(body=str(body)[:60]):
                m.assert_error(self.post(body), 422, msg, field="name")
        with self.subTest(body="name null"):
            m.assert_error(self.post({"name": None}), 422, field="name")

    def test_description_rules(self):
        for d in ["", "d" * 4096, "\u00e9" * 4096, "\U0001F3B5" * 4096]:
            with self.subTest(len=len(d)):
                obj = m.assert_status(self.post({"name": "d", "description": d}), 201)
                self.assertEqual(obj["description"], d)
        for d in ["d" * 4097, "\U0001F3B5" * 4097]:
            with self.subTest(len=len(d)):
                m.assert_error(self.post({"name": "d", "description": d}), 422,
                               "description must be at most 4096 characters",
                               field="description")
        for d in [5, True, ["x"], {"x": 1}]:
            with self.subTest(d=d):
                m.assert_error(self.post({"name": "d", "description": d}), 422,
                               "description must be a string or null", field="description")

    def test_cover_track_rules(self):
        for v in [5, True, ["x"], {"x": 1}]:
            with self.subTest(v=v):
                m.assert_error(self.post({"name": "c", "cover_track_id": v}), 422,
                               "cover_track_id must be a string or null", field="cover_track_id")
        for v in [self.btrack, "mtrack_000000000000", "garbage", "", "mcoll_0123456789ab",
                  self.track.upper()]:
            with self.subTest(v=v):
                m.assert_error(self.post({"name": "c", "cover_track_id": v}), 422,
                               "cover_track_id must name an existing track in this organization",
                               field="cover_track_id")

    def test_cover_image_url_rules(self):
        ok = ["http://example.com", "https://example.com/a.png?x=1#f",
              "https://example.com/" + "a" * (1024 - 20)]
        for v in ok:
            with self.subTest(len=len(v)):
                obj = m.assert_status(self.post({"name": "u", "cover_image_url": v}), 201)
                self.assertEqual(obj["cover_image_url"], v)
        m.assert_error(self.post({"name": "u", "cover_image_url": "https://example.com/" + "a" * 1005}),
                       422, "cover_image_url must be at most 1024 characters",
                       field="cover_image_url")
        for v in [5, False, ["https://x"], {"u": 1}]:
            with self.subTest(v=v):
                m.assert_error(self.post({"name": "u", "cover_image_url": v}), 422,
                               "cover_image_url must be a string or null",
                               field="cover_image_url")
        for v in ["ftp://example.com/x.png", "javascript:alert(1)", "not a url", "",
                  "data:image/png;base64,AAAA", "file:///etc/passwd", "//example.com/x",
                  "example.com/x.png"]:
            with self.subTest(v=v):
                m.assert_error(self.post({"name": "u", "cover_image_url": v}), 422,
                               "cover_image_url must be an http or https URL",
                               field="cover_image_url")

    def test_hostile_text_roundtrip(self):
        for s in HOSTILE:
            with self.subTest(s=s):
                r = self.post({"name": s, "description": s})
                obj = m.assert_status(r, 201)
                self.assertEqual(obj["name"], s)
                self.assertEqual(obj["description"], s)
                got = m.get(self.a, obj["id"])
                self.assertEqual(got["name"], s)
                self.assertEqual(got["description"], s)
                sc = m.schema()
                hexname = m.sql_value("SELECT HEX(`%s`) FROM `%s` WHERE `%s` = %s"
                                      % (sc.coll_name, sc.coll, sc.coll_id, m.sqlq(obj["id"])))
                self.assertEqual(hexname.lower(), s.encode("utf-8").hex(),
                                 "name not stored byte-exact")
        # the tables are still there and the list still works
        r = call("GET", cpath(self.a.org, query="limit=100"), self.a.key)
        names = [it["name"] for it in m.assert_status(r, 200)["items"]]
        for s in HOSTILE:
            self.assertIn(s, names)

    def test_body_not_object(self):
        for raw in [b"[]", b'"x"', b"null", b"1", b"true", b'[{"name":"x"}]']:
            with self.subTest(raw=raw):
                m.assert_error(self.post(raw=raw), 422, m.MSG_BODY_OBJECT, field="body")

    def test_body_not_json(self):
        cases = [
            b"{",
            b"{name: 'x'}",
            b'{"name":"x"} x',
            b'{"name":"x"}{}',
            b'{"name":"x"},',
            b'{"name":"x",}',
            b"\xff\xfe{}",
            b'{"name":"\xff"}',
            b'{"name":"\xc0\xaf"}',            # overlong encoding
            b'{"name":"\xed\xa0\x80"}',        # UTF-8 encoded surrogate
            b'{"name":"\xe2\x82"}',            # truncated sequence
            b'{"name":"\xf4\x90\x80\x80"}',    # beyond U+10FFFF
            b'{"name":"a\x00b"}',              # raw NUL (control char) in a string
            b"nope",
        ]
        for raw in cases:
            with self.subTest(raw=raw):
                m.assert_error(self.post(raw=raw), 422, m.MSG_BODY_JSON, field="body")

    def test_empty_body(self):
        r = call("POST", cpath(self.a.org), self.a.key, headers={"Content-Length": "0"})
        m.assert_error(r, 422, m.MSG_BODY_OBJECT, field="body")
        r = self.post(raw=b"")
        m.assert_error(r, 422, field="body")

    def test_payload_too_large(self):
        head = b'{"name":"big","description":"'
        tail = b'"}'
        raw = head + b"a" * (1048577 - len(head) - len(tail)) + tail
        self.assertEqual(len(raw), 1048577)
        m.assert_error(self.post(raw=raw), 413, details={})
        # exactly 1 MiB is read and validated (description too long)
        raw = head + b"a" * (1048576 - len(head) - len(tail)) + tail
        m.assert_error(self.post(raw=raw), 422, "description must be at most 4096 characters",
                       field="description")
        # far over the limit
        raw = b"x" * (2 * 1048576)
        m.assert_error(call("POST", cpath(self.a.org), self.a.key, raw=raw), 413, details={})
        # every endpoint with a body has the limit
        c = m.create(self.a)["id"]
        big = b'{"x":"' + b"a" * 1048576 + b'"}'
        for method, path in [("PATCH", cpath(self.a.org, c)),
                             ("POST", cpath(self.a.org, c, "tracks")),
                             ("PATCH", cpath(self.a.org, c, "order"))]:
            with self.subTest(method=method, path=path):
                m.assert_error(call(method, path, self.a.key, raw=big), 413, details={})

    def test_chunked_body(self):
        r = call("POST", cpath(self.a.org), self.a.key, body={"name": "chunked"}, chunked=True)
        obj = m.assert_status(r, 201)
        self.assertEqual(obj["name"], "chunked")
        head = b'{"name":"big","description":"'
        tail = b'"}'
        raw = head + b"a" * (1048577 - len(head) - len(tail)) + tail
        r = call("POST", cpath(self.a.org), self.a.key, raw=raw, chunked=True)
        m.assert_error(r, 413, details={})

    def test_hostile_bodies(self):
        """Parser abuse answers 201/422, never 5xx, and kills no worker."""
        workers = m.worker_pids()
        deep = b"[" * 100000 + b"]" * 100000
        many = b"{" + b",".join(b'"k%d":0' % i for i in range(50000)) + b',"name":"many"}'
        cases = [
            (b'{"name":"x","description":' + deep + b"}", 422, ("description", "body")),
            (b'{"name":"x","cover_image_url":' + b'{"a":' * 50000 + b"1" + b"}" * 50000 + b"}",
             422, ("cover_image_url", "body")),
            (b"[" * 200000, 422, ("body",)),
            (b'{"name":"x","description":1e999999}', 422, ("description", "body")),
            (b'{"name":123456789012345678901234567890}', 422, ("name", "body")),
            (b'{"name":-0.0e-99999}', 422, ("name", "body")),
            (b'{"name":"' + b"\\u0000" * 50000 + b'"}', 422, ("name",)),
            (many, 201, None),
            (b'{"":1,"name":"empty key"}', 201, None),
            (b'{"name\u0000x":"smuggled"}', 422, ("name",)),
            (b'{"name":"ok","cover_image_url\u0000":"javascript:alert(1)"}', 201, None),
            (b'{"name":"\ud800"}', 422, ("name", "body")),
            (b'\xef\xbb\xbf{"name":"bom"}', 422, ("body",)),
        ]
        for raw, status, fields in cases:
            with self.subTest(raw=raw[:50]):
                r = self.post(raw=raw)
                if status == 201:
                    obj = m.assert_status(r, 201)
                    m.assert_collection(obj, r)
                    self.assertIsNone(obj["cover_image_url"])
                else:
                    err = m.assert_error(r, 422)
                    self.assertIn(err["details"].get("field"), fields, r)
        self.assertEqual(m.worker_pids(), workers, "a worker died")

    def test_unsupported_media_type(self):
        body = m.dumps({"name": "x"})
        for ct in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                   "application/jsonp", "text/json", "application/xml"]:
            with self.subTest(ct=ct):
                m.assert_error(self.post(raw=body, headers={"Content-Type": ct}), 415,
                               details={})
        with self.subTest(ct=None):
            m.assert_error(self.post(raw=body, headers={"Content-Type": None}), 415, details={})


class UpdateDeleteTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.a = m.new_tenant()
        cls.track = m.new_track(cls.a.org, cls.a.user)
        cls.track2 = m.new_track(cls.a.org, cls.a.user)
        cls.b = m.new_tenant()
        cls.btrack = m.new_track(cls.b.org, cls.b.user)

    def patch(self, cid, body=None, raw=None, headers=None):
        return call("PATCH", cpath(self.a.org, cid), self.a.key, body=body, raw=raw,
                    headers=headers)

    def test_patch_each_field(self):
        c = m.create(self.a, name="orig", description="desc", cover_track_id=self.track,
                     cover_image_url="https://example.com/a.png")
        time.sleep(1.1)
        r = self.patch(c["id"], {})
        obj = m.assert_status(r, 200)
        m.assert_collection(obj, r)
        self.assertGreater(obj["updated_at"], c["updated_at"], "empty PATCH must move updated_at")
        self.assertEqual(obj["created_at"], c["created_at"])
        expect = dict(c)
        expect["updated_at"] = obj["updated_at"]
        self.assertEqual(obj, expect)

        steps = [
            ({"name": "renamed"}, {"name": "renamed"}),
            ({"description": "new desc"}, {"description": "new desc"}),
            ({"description": None}, {"description": None}),
            ({"cover_track_id": self.track2}, {"cover_track_id": self.track2}),
            ({"cover_track_id": None}, {"cover_track_id": None}),
            ({"cover_image_url": "http://example.org/b.jpg"},
             {"cover_image_url": "http://example.org/b.jpg"}),
            ({"cover_image_url": None}, {"cover_image_url": None}),
            ({"name": "both", "description": "again", "unknown": 1},
             {"name": "both", "description": "again"}),
        ]
        for body, change in steps:
            with self.subTest(body=body):
                r = self.patch(c["id"], body)
                obj = m.assert_status(r, 200)
                m.assert_collection(obj, r)
                expect.update(change)
                for k in ("id", "name", "description", "cover_track_id", "cover_image_url",
                          "track_count", "created_at"):
                    self.assertEqual(obj[k], expect[k], k)
                self.assertEqual(m.get(self.a, c["id"]), obj)

    def test_same_org_other_users_track(self):
        """Tracks belong to the organization: another member's track is usable."""
        mate = m.new_member(self.a.org)
        their = m.new_track(self.a.org, mate.user)
        c = m.create(self.a, cover_track_id=their)
        self.assertEqual(c["cover_track_id"], their)
        obj = m.assert_status(self.patch(c["id"], {"cover_track_id": their}), 200)
        self.assertEqual(obj["cover_track_id"], their)
        m.add(self.a, c["id"], their)
        self.assertEqual(m.member_ids(self.a, c["id"]), [their])

    def test_patch_reports_track_count(self):
        c = m.create(self.a)
        m.add(self.a, c["id"], self.track)
        obj = m.assert_status(self.patch(c["id"], {"name": "tc"}), 200)
        self.assertEqual(obj["track_count"], 1)

    def test_patch_validation(self):
        c = m.create(self.a, name="keep")
        cases = [
            ({"name": None}, "name cannot be null", "name"),
            ({"name": ""}, "name must be between 1 and 512 characters", "name"),
            ({"name": "x" * 513}, "name must be between 1 and 512 characters", "name"),
            ({"name": 1}, "name must be a string", "name"),
            ({"description": 1}, "description must be a string or null", "description"),
            ({"description": "d" * 4097}, "description must be at most 4096 characters",
             "description"),
            ({"cover_track_id": 1}, "cover_track_id must be a string or null", "cover_track_id"),
            ({"cover_track_id": self.btrack},
             "cover_track_id must name an existing track in this organization", "cover_track_id"),
            ({"cover_image_url": []}, "cover_image_url must be a string or null",
             "cover_image_url"),
            ({"cover_image_url": "gopher://x"}, "cover_image_url must be an http or https URL",
             "cover_image_url"),
            ({"cover_image_url": "https://e.com/" + "a" * 1011},
             "cover_image_url must be at most 1024 characters", "cover_image_url"),
        ]
        for body, msg, field in cases:
            with self.subTest(body=str(body)[:60]):
                m.assert_error(self.patch(c["id"], body), 422, msg, field=field)
        for raw in [b"[]", b"null", b'"x"']:
            with self.subTest(raw=raw):
                m.assert_error(self.patch(c["id"], raw=raw), 422, m.MSG_BODY_OBJECT,
                               field="body")
        m.assert_error(call("PATCH", cpath(self.a.org, c["id"]), self.a.key), 422,
                       m.MSG_BODY_OBJECT, field="body")
        for raw in [b"{", b'{"name":"x"} y', b'{"name":"\xff"}']:
            with self.subTest(raw=raw):
                m.assert_error(self.patch(c["id"], raw=raw), 422, m.MSG_BODY_JSON,
                               field="body")
        m.assert_error(self.patch(c["id"], raw=b'{"name":"x"}',
                                  headers={"Content-Type": "text/plain"}), 415, details={})
        # nothing changed, atomically: a valid field next to an invalid one is not applied
        m.assert_error(self.patch(c["id"], {"name": "changed", "description": 5}), 422,
                       field="description")
        got = m.get(self.a, c["id"])
        self.assertEqual(got["name"], "keep")
        self.assertEqual(got["updated_at"], c["updated_at"])

    def test_delete(self):
        c = m.create(self.a)
        m.add(self.a, c["id"], self.track)
        r = call("DELETE", cpath(self.a.org, c["id"]), self.a.key)
        m.assert_ack(r, c["id"], "Collection deleted.")
        nf = dict(details={"collection_id": c["id"]}, system_message=m.MSG_COLL_404)
        org, cid, key = self.a.org, c["id"], self.a.key
        m.assert_error(call("GET", cpath(org, cid), key), 404, **nf)
        m.assert_error(call("PATCH", cpath(org, cid), key, body={"name": "z"}), 404, **nf)
        m.assert_error(call("DELETE", cpath(org, cid), key), 404, **nf)
        m.assert_error(call("GET", cpath(org, cid, "tracks"), key), 404, **nf)
        m.assert_error(call("POST", cpath(org, cid, "tracks"), key,
                            body={"track_id": self.track}), 404, **nf)
        m.assert_error(call("DELETE", cpath(org, cid, "tracks", self.track), key), 404, **nf)
        m.assert_error(call("PATCH", cpath(org, cid, "order"), key,
                            body={"ordered_track_ids": [self.track]}), 404, **nf)
        ids = [it["id"] for it in m.assert_status(
            call("GET", cpath(org, query="limit=100"), key), 200)["items"]]
        self.assertNotIn(cid, ids)
        # soft delete: the row stays with deleted_at set; the track is untouched
        sc = m.schema()
        rows = m.sql("SELECT `%s` FROM `%s` WHERE `%s` = %s"
                     % (sc.coll_deleted, sc.coll, sc.coll_id, m.sqlq(cid)))
        self.assertEqual(len(rows), 1, "soft-deleted row is gone")
        self.assertIsNotNone(rows[0][0], "deleted_at not set")
        n = m.sql_value("SELECT COUNT(*) FROM `%s` WHERE `%s` = %s"
                        % (sc.track, sc.track_id, m.sqlq(self.track)))
        self.assertEqual(n, "1", "deleting a collection must not delete its tracks")
        # the track still works elsewhere
        c2 = m.create(self.a)
        m.add(self.a, c2["id"], self.track)


class IdorTest(unittest.TestCase):
    """Every way of naming a collection that is not the caller's answers the
    same 404, on every collection endpoint."""

    @classmethod
    def setUpClass(cls):
        cls.a = m.new_tenant()
        cls.track = m.new_track(cls.a.org, cls.a.user)
        cls.mate = m.new_member(cls.a.org)          # same org, other user
        cls.b = m.new_tenant()                      # other org
        cls.mine = m.create(cls.a, name="mine")
        cls.mate_coll = m.create(cls.mate, name="mate's")
        mt = m.new_track(cls.a.org, cls.mate.user)
        m.add(cls.mate, cls.mate_coll["id"], mt)
        cls.b_coll = m.create(cls.b, name="b's")
        bt = m.new_track(cls.b.org, cls.b.user)
        m.add(cls.b, cls.b_coll["id"], bt)
        # a's user is a member of a second org too; a collection created there
        org2 = m.new_org()
        m.add_member(org2, cls.a.user)
        cls.a2 = m.Tenant(org2, cls.a.user, cls.a.key)
        cls.org2_coll = m.create(cls.a2, name="a's in org2")
        dead = m.create(cls.a, name="deleted")
        m.assert_ack(call("DELETE", cpath(cls.a.org, dead["id"]), cls.a.key), dead["id"],
                     "Collection deleted.")
        cls.dead = dead

    def targets(self):
        return [
            ("other user's", self.mate_coll["id"]),
            ("other org's", self.b_coll["id"]),
            ("mine, under another org", self.org2_coll["id"]),
            ("deleted", self.dead["id"]),
            ("malformed mcoll_XYZ", "mcoll_XYZ"),
            ("malformed abc", "abc"),
            ("malformed too long", "mcoll_0123456789abcdef"),
            ("malformed upper", "mcoll_0123456789AB"),
            ("malformed short", "mcoll_0123456789a"),
            ("nonexistent", "mcoll_" + m.uniq(12)),
            ("very long", "mcoll_" + "a" * 4000),
        ]

    def requests(self, cid):
        org = self.a.org
        return [
            ("GET", cpath(org, cid), None),
            ("PATCH", cpath(org, cid), {"name": "hijacked"}),
            ("DELETE", cpath(org, cid), None),
            ("GET", cpath(org, cid, "tracks"), None),
            ("POST", cpath(org, cid, "tracks"), {"track_id": self.track}),
            ("DELETE", cpath(org, cid, "tracks", self.track), None),
            ("PATCH", cpath(org, cid, "order"), {"ordered_track_ids": [self.track]}),
        ]

    def test_identical_404s(self):
        ref = {}
        for label, cid in self.targets():
            for method, path, body in self.requests(cid):
                with self.subTest(target=label, method=method, path=path):
                    r = call(method, path, self.a.key, body=body)
                    m.assert_error(r, 404, m.MSG_COLL_404, details={"collection_id": cid})
                    norm = m.normalized_error(r, drop_collection_id=True)
                    ref.setdefault(norm, []).append((label, method, path))
        self.assertEqual(len(ref), 1, "404 bodies differ: %r" % list(ref.values()))

    def test_victims_untouched(self):
        for label, cid in self.targets()[:3]:
            for method, path, body in self.requests(cid):
                r = call(method, path, self.a.key, body=body)
                self.assertEqual(r.status, 404, r)
        got = m.get(self.mate, self.mate_coll["id"])
        self.assertEqual(got["name"], "mate's")
        self.assertEqual(got["track_count"], 1)
        got = m.get(self.b, self.b_coll["id"])
        self.assertEqual(got["name"], "b's")
        self.assertEqual(got["track_count"], 1)
        got = m.get(self.a2, self.org2_coll["id"])
        self.assertEqual(got["name"], "a's in org2")
        self.assertEqual(got["track_count"], 0)

    def test_gate_order(self):
        org, cid = self.a.org, self.mate_coll["id"]
        # authentication before ownership
        m.assert_error(call("DELETE", cpath(org, cid), None), 401, m.MSG_401, details={})
        # validation before ownership
        m.assert_error(call("PATCH", cpath(org, cid), self.a.key, body={"name": 5}), 422,
                       "name must be a string", field="name")
        m.assert_error(call("PATCH", cpath(org, "abc"), self.a.key, raw=b"[]"), 422,
                       m.MSG_BODY_OBJECT, field="body")
        m.assert_error(call("POST", cpath(org, cid, "tracks"), self.a.key, body={}), 422,
                       "track_id is required", field="track_id")
        m.assert_error(call("PATCH", cpath(org, cid, "order"), self.a.key, body={}), 422,
                       "ordered_track_ids is required", field="ordered_track_ids")
        m.assert_error(call("GET", cpath(org, cid, "tracks", query="limit=0"), self.a.key), 422,
                       m.MSG_TLIMIT, field="limit")
        m.assert_error(call("PATCH", cpath(org, cid), self.a.key, raw=b'{"name":"x"}',
                            headers={"Content-Type": "text/plain"}), 415, details={})
        got = m.get(self.mate, cid)
        self.assertEqual(got["name"], "mate's")


if __name__ == "__main__":
    unittest.main()
