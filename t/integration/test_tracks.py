"""Collection membership: add, list, remove, reorder, admin track delete, limits."""

import secrets
import time
import unittest

import mcoll as m
from mcoll import call, cpath

ADDED = "Track added to collection."
REMOVED = "Track removed from collection."
LIMIT_MSG = "Collection cannot hold more than 10000 tracks"


class TracksTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.a = m.new_tenant()
        cls.t = [m.new_track(cls.a.org, cls.a.user, "t%d" % i) for i in range(8)]
        cls.b = m.new_tenant()
        cls.btrack = m.new_track(cls.b.org, cls.b.user)

    def coll(self, tracks=()):
        c = m.create(self.a)
        for t in tracks:
            m.add(self.a, c["id"], t)
        return c["id"]

    def check(self, cid, expect):
        """API and DB agree on exactly `expect` in order, positions 0..n-1."""
        entries = m.members(self.a, cid)
        self.assertEqual([e["track_id"] for e in entries], expect)
        self.assertEqual([e["position"] for e in entries], list(range(len(expect))))
        for e in entries:
            m.check_ts(e["added_at"], "added_at", window=None)
        self.assertEqual(m.get(self.a, cid)["track_count"], len(expect))
        self.assertEqual(m.assert_db_consistent(self, cid), expect)
        return entries

    def add_raw(self, cid, body=None, raw=None):
        return call("POST", cpath(self.a.org, cid, "tracks"), self.a.key, body=body, raw=raw)

    # -- add ----------------------------------------------------------------

    def test_add_appends_and_is_idempotent(self):
        t = self.t
        cid = self.coll()
        self.check(cid, [])
        for tr in t[:3]:
            m.add(self.a, cid, tr)
        entries = self.check(cid, t[:3])
        before = m.get(self.a, cid)
        time.sleep(1.1)
        m.add(self.a, cid, t[0])          # already present: same ack, no change
        m.add(self.a, cid, t[1])
        m.remove(self.a, cid, t[6])       # absent: same ack, no change
        self.assertEqual(self.check(cid, t[:3]), entries)
        self.assertEqual(m.get(self.a, cid)["updated_at"], before["updated_at"],
                         "re-adding a present / removing an absent track must not change "
                         "the collection")
        m.add(self.a, cid, t[3])
        self.check(cid, t[:4])

    def test_add_unknown_or_foreign_track(self):
        cid = self.coll([self.t[0]])
        for tr in [self.btrack, "mtrack_" + secrets.token_hex(6), "mtrack_XYZ", "abc",
                   self.t[1].upper(), "mtrack_" + "f" * 100000, self.t[1] + "\u0000",
                   "\u00e9\U0001F3B5"]:
            with self.subTest(track=tr):
                r = self.add_raw(cid, {"track_id": tr})
                m.assert_error(r, 404, m.MSG_TRACK_404, details={"track_id": tr})
        self.check(cid, [self.t[0]])

    def test_add_validation(self):
        cid = self.coll()
        m.assert_error(self.add_raw(cid, {}), 422, "track_id is required", field="track_id")
        m.assert_error(self.add_raw(cid, {"other": self.t[0]}), 422, "track_id is required",
                       field="track_id")
        for v in [5, True, [self.t[0]], {"id": self.t[0]}]:
            with self.subTest(v=v):
                m.assert_error(self.add_raw(cid, {"track_id": v}), 422,
                               "track_id must be a string", field="track_id")
        m.assert_error(self.add_raw(cid, {"track_id": None}), 422, field="track_id")
        for raw in [b"[]", b'"mtrack_0123456789ab"', b"null"]:
            with self.subTest(raw=raw):
                m.assert_error(self.add_raw(cid, raw=raw), 422, m.MSG_BODY_OBJECT, field="body")
        m.assert_error(self.add_raw(cid, raw=b'{"track_id":'), 422, m.MSG_BODY_JSON,
                       field="body")
        r = call("POST", cpath(self.a.org, cid, "tracks"), self.a.key,
                 raw=m.dumps({"track_id": self.t[0]}), headers={"Content-Type": "text/plain"})
        m.assert_error(r, 415, details={})
        # unknown fields are ignored
        m.assert_ack(self.add_raw(cid, {"track_id": self.t[0], "position": 7}), self.t[0], ADDED)
        self.check(cid, [self.t[0]])

    # -- list ---------------------------------------------------------------

    def test_list_paging(self):
        t = self.t
        cid = self.coll(t[:6])
        r = call("GET", cpath(self.a.org, cid, "tracks"), self.a.key)
        body = m.assert_status(r, 200)
        self.assertEqual(list(body.keys()), ["collection_id", "items", "limit", "offset"])
        self.assertEqual((body["collection_id"], body["limit"], body["offset"]), (cid, 200, 0))
        full = body["items"]
        self.assertEqual([e["track_id"] for e in full], t[:6])
        for limit in (1, 2, 4, 500):
            got = []
            off = 0
            while True:
                r = call("GET", cpath(self.a.org, cid, "tracks",
                                      query="limit=%d&offset=%d" % (limit, off)), self.a.key)
                body = m.assert_status(r, 200)
                self.assertEqual((body["limit"], body["offset"]), (limit, off))
                got += body["items"]
                if len(body["items"]) < limit:
                    break
                off += limit
            self.assertEqual(got, full, "limit=%d" % limit)
        r = call("GET", cpath(self.a.org, cid, "tracks", query="offset=4"), self.a.key)
        body = m.assert_status(r, 200)
        self.assertEqual((body["limit"], body["offset"]), (200, 4))
        self.assertEqual(body["items"], full[4:])
        r = call("GET", cpath(self.a.org, cid, "tracks", query="offset=99&limit=3"), self.a.key)
        self.assertEqual(m.assert_status(r, 200),
                         {"collection_id": cid, "items": [], "limit": 3, "offset": 99})

    def test_list_validation(self):
        cid = self.coll()
        for v in ["0", "501", "abc", "-1", "", "1e2", "+5", "99999999999999999999", "4294967297"]:
            with self.subTest(limit=v):
                r = call("GET", cpath(self.a.org, cid, "tracks", query="limit=" + v), self.a.key)
                m.assert_error(r, 422, m.MSG_TLIMIT, field="limit")
        for v in ["-1", "abc", "", "2147483648", "1.0"]:
            with self.subTest(offset=v):
                r = call("GET", cpath(self.a.org, cid, "tracks", query="offset=" + v), self.a.key)
                m.assert_error(r, 422, m.MSG_OFFSET, field="offset")
        r = call("GET", cpath(self.a.org, cid, "tracks", query="limit=2&limit=2"), self.a.key)
        m.assert_error(r, 422, m.MSG_TLIMIT, field="limit")

    # -- remove -------------------------------------------------------------

    def test_remove_closes_gap_and_is_idempotent(self):
        t = self.t
        cid = self.coll(t[:5])
        m.remove(self.a, cid, t[2])
        self.check(cid, [t[0], t[1], t[3], t[4]])
        m.remove(self.a, cid, t[2])                   # absent: same ack, no change
        m.remove(self.a, cid, t[0])                   # first
        self.check(cid, [t[1], t[3], t[4]])
        m.remove(self.a, cid, t[4])                   # last
        self.check(cid, [t[1], t[3]])
        for absent in [t[7], self.btrack, "mtrack_" + secrets.token_hex(6), "abc", "mtrack_XYZ",
                       "mtrack_" + "f" * 4000]:
            with self.subTest(track=absent):
                m.remove(self.a, cid, absent)
        self.check(cid, [t[1], t[3]])
        m.remove(self.a, cid, t[1])
        m.remove(self.a, cid, t[3])
        self.check(cid, [])
        m.add(self.a, cid, t[3])
        self.check(cid, [t[3]])

    # -- reorder ------------------------------------------------------------

    def test_reorder(self):
        t = self.t
        cid = self.coll(t[:6])
        added = {e["track_id"]: e["added_at"] for e in m.members(self.a, cid)}
        m.reorder(self.a, cid, [t[4], t[2]])
        entries = self.check(cid, [t[4], t[2], t[0], t[1], t[3], t[5]])
        self.assertEqual({e["track_id"]: e["added_at"] for e in entries}, added,
                         "reorder must not change added_at")
        # unknown ids (not members, other org, malformed) are ignored
        m.reorder(self.a, cid, ["mtrack_" + secrets.token_hex(6), t[5], self.btrack, t[7],
                                "abc", t[0], "mtrack_" + "f" * 20000, "", t[5] + "\u0000"])
        self.check(cid, [t[5], t[0], t[4], t[2], t[1], t[3]])
        m.reorder(self.a, cid, list(reversed(t[:6])))
        self.check(cid, list(reversed(t[:6])))
        m.reorder(self.a, cid, [])
        self.check(cid, list(reversed(t[:6])))
        m.reorder(self.a, cid, [t[1]])
        self.check(cid, [t[1], t[5], t[4], t[3], t[2], t[0]])

    def test_reorder_few_and_many_listed(self):
        """A reorder listing a few of 400 tracks looks them up, one listing
        an eighth or more reads every entry (reorder.h): both give the
        contract's order, leave the keys alone when nothing moves, and keep
        the order index right."""
        a = self.a
        cid = self.coll([self.t[0]])
        f = m.fill_collection(a, cid, self.t[0], 400)
        s = m.schema()

        def keys():
            return m.sql("SELECT `%s`, `%s` FROM `%s` WHERE `%s` = %s ORDER BY `%s`"
                         % (s.mem_track, s.mem_key, s.mem, s.mem_coll, m.sqlq(cid), s.mem_track))

        # many listed (200 of 400, with ids that are no members): every entry read
        listed = f[399:199:-1]
        m.reorder(a, cid, listed[:100] + ["mtrack_" + secrets.token_hex(6), self.btrack] + listed[100:])
        order = listed + f[:200]
        self.check(cid, order)
        # a few listed (2 of 400): looked up
        m.reorder(a, cid, [f[5], f[300]])
        order = [f[5], f[300]] + [x for x in order if x not in (f[5], f[300])]
        self.check(cid, order)
        # many listed, few of them members: every entry read, two moved
        others = ["mtrack_" + secrets.token_hex(6) for _ in range(60)]
        m.reorder(a, cid, others[:30] + [f[7]] + others[30:] + [f[399]])
        order = [f[7], f[399]] + [x for x in order if x not in (f[7], f[399])]
        self.check(cid, order)
        # what already comes first, in that order, writes no key either way
        for first in (order[:60], order[:3]):
            with self.subTest(listed=len(first)):
                before = keys()
                m.reorder(a, cid, first)
                self.assertEqual(keys(), before)
                self.check(cid, order)
        # every entry, reversed: the order index is made anew
        order.reverse()
        m.reorder(a, cid, order)
        self.check(cid, order)
        # and it serves the next changes
        m.remove(a, cid, order[200])
        del order[200]
        m.add(a, cid, self.t[1])
        order.append(self.t[1])
        m.reorder(a, cid, [order[-1]])
        order = [order[-1]] + order[:-1]
        self.check(cid, order)
        r = call("GET", cpath(a.org, cid, "tracks", query="limit=2&offset=398"), a.key)
        self.assertEqual([(e["track_id"], e["position"]) for e in m.assert_status(r, 200)["items"]],
                         [(order[398], 398), (order[399], 399)])

    def test_reorder_validation(self):
        t = self.t
        cid = self.coll(t[:3])
        path = cpath(self.a.org, cid, "order")

        def patch(body=None, raw=None, headers=None):
            return call("PATCH", path, self.a.key, body=body, raw=raw, headers=headers)

        m.assert_error(patch({}), 422, "ordered_track_ids is required", field="ordered_track_ids")
        m.assert_error(patch({"track_ids": [t[0]]}), 422, "ordered_track_ids is required",
                       field="ordered_track_ids")
        for v in ["x", 5, {"a": t[0]}, True, [1], [t[0], None], [t[0], [t[1]]], [{"id": t[0]}]]:
            with self.subTest(v=v):
                m.assert_error(patch({"ordered_track_ids": v}), 422,
                               "ordered_track_ids must be an array of strings",
                               field="ordered_track_ids")
        m.assert_error(patch({"ordered_track_ids": None}), 422, field="ordered_track_ids")
        for v in [[t[0], t[0]], [t[2], t[1], t[2]]]:
            with self.subTest(dup=v):
                m.assert_error(patch({"ordered_track_ids": v}), 422,
                               "ordered_track_ids must not contain duplicates",
                               field="ordered_track_ids")
        for raw in [b"[]", b"null"]:
            m.assert_error(patch(raw=raw), 422, m.MSG_BODY_OBJECT, field="body")
        m.assert_error(patch(raw=b"{]"), 422, m.MSG_BODY_JSON, field="body")
        m.assert_error(patch(raw=m.dumps({"ordered_track_ids": []}),
                             headers={"Content-Type": "text/plain"}), 415, details={})
        # nothing was applied
        self.check(cid, t[:3])

    # -- updated_at -----------------------------------------------------------

    def test_updated_at_moves(self):
        t = self.t
        cid = self.coll(t[:2])
        prev = m.get(self.a, cid)["updated_at"]
        for what, action in [
            ("add", lambda: m.add(self.a, cid, t[2])),
            ("reorder", lambda: m.reorder(self.a, cid, [t[2], t[0], t[1]])),
            ("remove", lambda: m.remove(self.a, cid, t[0])),
        ]:
            time.sleep(1.1)
            action()
            now = m.get(self.a, cid)["updated_at"]
            self.assertGreater(now, prev, "updated_at did not move on " + what)
            prev = now
        self.check(cid, [t[2], t[1]])

    # -- admin track delete -----------------------------------------------------

    def test_admin_track_delete(self):
        tr = [m.new_track(self.a.org, self.a.user) for _ in range(4)]
        c1 = self.coll([tr[0], tr[1], tr[2]])
        c2 = self.coll([tr[1], tr[3]])
        c3 = m.create(self.a, cover_track_id=tr[1], name="cover")["id"]
        c4 = self.coll([tr[3]])
        # another user's collection in the same org holds it too
        mate = m.new_member(self.a.org)
        c5 = m.create(mate)["id"]
        m.add(mate, c5, tr[1])
        m.add(mate, c5, tr[0])
        m.ctl("track", "delete", tr[1])
        self.check(c1, [tr[0], tr[2]])
        self.check(c2, [tr[3]])
        self.check(c4, [tr[3]])
        got = m.get(self.a, c3)
        self.assertIsNone(got["cover_track_id"])
        self.assertEqual(got["track_count"], 0)
        self.assertEqual(m.member_ids(mate, c5), [tr[0]])
        self.assertEqual(m.get(mate, c5)["track_count"], 1)
        m.assert_db_consistent(self, c5)
        # the track is gone for the API too
        r = self.add_raw(c1, {"track_id": tr[1]})
        m.assert_error(r, 404, m.MSG_TRACK_404, details={"track_id": tr[1]})
        r = call("POST", cpath(self.a.org), self.a.key,
                 body={"name": "x", "cover_track_id": tr[1]})
        m.assert_error(r, 422, "cover_track_id must name an existing track in this organization",
                       field="cover_track_id")


class LimitTest(unittest.TestCase):
    """The 10 000-track limit, with collections filled through SQL."""

    N = 10000

    @classmethod
    def fill(cls, cid, first, n):
        """Fill collection `cid` (holding only `first`) up to n tracks via SQL."""
        return m.fill_collection(cls.a, cid, first, n)

    @classmethod
    def setUpClass(cls):
        cls.a = m.new_tenant()
        cls.first = m.new_track(cls.a.org, cls.a.user)
        cls.cid = m.create(cls.a)["id"]
        m.add(cls.a, cls.cid, cls.first)
        cls.filled = cls.fill(cls.cid, cls.first, cls.N)

    def test_limit(self):
        a, cid = self.a, self.cid
        self.assertEqual(m.get(a, cid)["track_count"], self.N)
        extra = m.new_track(a.org, a.user)
        r = call("POST", cpath(a.org, cid, "tracks"), a.key, body={"track_id": extra})
        m.assert_error(r, 422, LIMIT_MSG, field="track_id")
        # re-adding a present track is still the idempotent ack
        m.add(a, cid, self.filled[5000])
        self.assertEqual(m.get(a, cid)["track_count"], self.N)
        # too many ids in a reorder
        ids = self.filled + [extra]
        r = call("PATCH", cpath(a.org, cid, "order"), a.key, body={"ordered_track_ids": ids})
        m.assert_error(r, 422, "ordered_track_ids must have at most 10000 entries",
                       field="ordered_track_ids")
        # a full reorder of 10 000 members works, and all of them page through the API
        m.reorder(a, cid, list(reversed(self.filled)))
        entries = m.members(a, cid)
        self.assertEqual([e["track_id"] for e in entries], list(reversed(self.filled)))
        self.assertEqual([e["position"] for e in entries], list(range(self.N)))
        # remove one, then there is room for exactly one more
        m.remove(a, cid, self.filled[100])
        self.assertEqual(m.get(a, cid)["track_count"], self.N - 1)
        m.add(a, cid, extra)
        r = call("GET", cpath(a.org, cid, "tracks", query="limit=1&offset=9999"), a.key)
        self.assertEqual([(e["track_id"], e["position"]) for e in m.assert_status(r, 200)["items"]],
                         [(extra, 9999)])
        extra2 = m.new_track(a.org, a.user)
        r = call("POST", cpath(a.org, cid, "tracks"), a.key, body={"track_id": extra2})
        m.assert_error(r, 422, LIMIT_MSG, field="track_id")
        rows = m.assert_db_consistent(self, cid)
        self.assertEqual(len(rows), self.N)

    def test_limit_under_concurrency(self):
        """At 9 998 tracks, 10 parallel adds of distinct tracks: exactly 2 fit."""
        a = self.a
        first = m.new_track(a.org, a.user)
        cid = m.create(a)["id"]
        m.add(a, cid, first)
        self.fill(cid, first, self.N - 2)
        extras = [m.new_track(a.org, a.user) for _ in range(10)]
        results = m.run_parallel(
            [lambda c, t=t: c.call("POST", cpath(a.org, cid, "tracks"), a.key, body={"track_id": t})
             for t in extras])
        ok = [i for i, r in enumerate(results) if r is not None and r.status == 200]
        for i, r in enumerate(results):
            self.assertIsNotNone(r, "request %d did not finish" % i)
            if r.status == 200:
                m.assert_ack(r, extras[i], ADDED)
            else:
                m.assert_error(r, 422, LIMIT_MSG, field="track_id")
        self.assertEqual(len(ok), 2, "want exactly 2 adds to succeed")
        rows = m.assert_db_consistent(self, cid)
        self.assertEqual(len(rows), self.N)
        self.assertEqual(sorted(rows[-2:]), sorted(extras[i] for i in ok))


if __name__ == "__main__":
    unittest.main()
