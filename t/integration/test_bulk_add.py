"""POST .../tracks with {"track_ids": [...]}: order, skipping present ones,
all-or-nothing 404, validation, the 10 000 cap, the order index."""

import secrets
import time
import unittest

import mcoll as m
from mcoll import call, cpath
from test_tracks import LIMIT_MSG

ADDED = "Tracks added to collection."
NOT_FOUND = "Music track not found in this organization"


class BulkAddTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.a = m.new_tenant()
        cls.t = [m.new_track(cls.a.org, cls.a.user, "b%d" % i) for i in range(8)]
        cls.b = m.new_tenant()
        cls.btrack = m.new_track(cls.b.org, cls.b.user)

    def bulk(self, cid, ids=None, body=None):
        return call("POST", cpath(self.a.org, cid, "tracks"), self.a.key,
                    body=body if body is not None else {"track_ids": ids})

    def assert_added(self, r, cid, n):
        body = m.assert_status(r, 200)
        self.assertEqual(list(body), ["success", "id", "added", "detail"])
        self.assertEqual(body, {"success": True, "id": cid, "added": n, "detail": ADDED})

    def check(self, cid, expect):
        self.assertEqual(m.member_ids(self.a, cid), expect)
        self.assertEqual([e["position"] for e in m.members(self.a, cid)], list(range(len(expect))))
        self.assertEqual(m.get(self.a, cid)["track_count"], len(expect))
        self.assertEqual(m.assert_db_consistent(self, cid), expect)

    def test_order_and_skipping_present(self):
        t = self.t
        cid = m.create(self.a)["id"]
        m.add(self.a, cid, t[2])
        self.assert_added(self.bulk(cid, [t[4], t[2], t[0], t[6]]), cid, 3)
        self.check(cid, [t[2], t[4], t[0], t[6]])
        before = m.get(self.a, cid)
        time.sleep(1.1)
        # all present: added 0, nothing moves (updated_at included)
        self.assert_added(self.bulk(cid, [t[6], t[2]]), cid, 0)
        self.assertEqual(m.get(self.a, cid)["updated_at"], before["updated_at"])
        self.assert_added(self.bulk(cid, [t[1]]), cid, 1)
        self.assertNotEqual(m.get(self.a, cid)["updated_at"], before["updated_at"])
        self.check(cid, [t[2], t[4], t[0], t[6], t[1]])
        # after a reorder and a removal the new ones still go last, in order
        m.reorder(self.a, cid, [t[1], t[0]])
        m.remove(self.a, cid, t[4])
        self.assert_added(self.bulk(cid, [t[7], t[4], t[3]]), cid, 3)
        self.check(cid, [t[1], t[0], t[2], t[6], t[7], t[4], t[3]])

    def test_missing_is_404_naming_the_first_and_adds_nothing(self):
        t = self.t
        cid = m.create(self.a)["id"]
        m.add(self.a, cid, t[0])
        before = m.get(self.a, cid)
        absent = "mtrack_%012x" % secrets.randbits(48)
        cases = [
            ([t[1], absent, t[2]], absent),
            ([t[1], self.btrack, absent], self.btrack),     # another organization's
            ([t[1], "nope", absent], "nope"),                # malformed: the same 404
            ([t[1], absent, "nope"], absent),
            (["MTRACK_000000000000", t[1]], "MTRACK_000000000000"),
            ([t[1], "mtrack_\u00e9"], "mtrack_\u00e9"),
        ]
        for ids, first in cases:
            r = self.bulk(cid, ids)
            m.assert_error(r, 404, NOT_FOUND, details={"track_id": first})
        self.check(cid, [t[0]])
        self.assertEqual(m.get(self.a, cid)["updated_at"], before["updated_at"])
        # the collection's own 404 comes first
        r = call("POST", cpath(self.b.org, cid, "tracks"), self.b.key, body={"track_ids": [absent]})
        m.assert_error(r, 404, "Music collection not found or not owned by caller",
                       details={"collection_id": cid})

    def test_validation(self):
        t = self.t
        cid = m.create(self.a)["id"]
        cases = [
            ({"track_ids": []}, "track_ids must have between 1 and 100 entries"),
            ({"track_ids": ["mtrack_%012x" % i for i in range(101)]},
             "track_ids must have between 1 and 100 entries"),
            ({"track_ids": [t[0], t[1], t[0]]}, "track_ids must not contain duplicates"),
            ({"track_ids": t[0]}, "track_ids must be an array of strings"),
            ({"track_ids": [t[0], 5]}, "track_ids must be an array of strings"),
            ({"track_ids": None}, "track_ids must be an array of strings"),
            ({"track_ids": [t[0]], "track_id": t[1]}, "Send either track_id or track_ids, not both"),
            ({"track_ids": [t[0]], "track_id": None}, "Send either track_id or track_ids, not both"),
        ]
        for body, msg in cases:
            m.assert_error(self.bulk(cid, body=body), 422, msg, field="track_ids")
        # neither field: the single form's message
        m.assert_error(self.bulk(cid, body={}), 422, "track_id is required", field="track_id")
        # validation comes before ownership
        r = call("POST", cpath(self.b.org, cid, "tracks"), self.b.key, body={"track_ids": []})
        m.assert_error(r, 422, "track_ids must have between 1 and 100 entries", field="track_ids")
        self.check(cid, [])
        # exactly 100 is fine
        many = [m.new_track(self.a.org, self.a.user) for _ in range(100)]
        self.assert_added(self.bulk(cid, many), cid, 100)
        self.check(cid, many)
        # the next batch crosses into a second block of the order index
        more = [m.new_track(self.a.org, self.a.user) for _ in range(60)]
        self.assert_added(self.bulk(cid, more), cid, 60)
        self.check(cid, many + more)
        self.assertEqual(m.sql("SELECT entries FROM collection_blocks WHERE collection_id = %s"
                               " ORDER BY first_key" % m.sqlq(cid)), [["128"], ["32"]])


class BulkLimitTest(unittest.TestCase):
    """The 10 000 cap on the whole batch, with the collection filled via SQL."""

    N = 9998

    @classmethod
    def setUpClass(cls):
        cls.a = m.new_tenant()
        cls.first = m.new_track(cls.a.org, cls.a.user)
        cls.cid = m.create(cls.a)["id"]
        m.add(cls.a, cls.cid, cls.first)
        cls.filled = m.fill_collection(cls.a, cls.cid, cls.first, cls.N)

    def test_cap_applies_to_the_batch(self):
        a, cid = self.a, self.cid
        new = [m.new_track(a.org, a.user) for _ in range(3)]
        path = cpath(a.org, cid, "tracks")
        # 3 new would make 10 001: the limit error, nothing added
        r = call("POST", path, a.key, body={"track_ids": new})
        m.assert_error(r, 422, LIMIT_MSG, field="track_id")
        self.assertEqual(m.get(a, cid)["track_count"], self.N)
        # present ones do not count: 2 new (and 2 present) fit exactly
        r = call("POST", path, a.key, body={"track_ids": [self.filled[10], new[0], self.filled[9000], new[1]]})
        self.assertEqual(m.assert_status(r, 200),
                         {"success": True, "id": cid, "added": 2, "detail": ADDED})
        self.assertEqual(m.get(a, cid)["track_count"], 10000)
        r = call("GET", cpath(a.org, cid, "tracks", query="limit=3&offset=9997"), a.key)
        self.assertEqual([(e["track_id"], e["position"]) for e in m.assert_status(r, 200)["items"]],
                         [(self.filled[-1], 9997), (new[0], 9998), (new[1], 9999)])
        r = call("POST", path, a.key, body={"track_ids": [new[2]]})
        m.assert_error(r, 422, LIMIT_MSG, field="track_id")
        self.assertEqual(m.assert_db_consistent(self, cid), self.filled + new[:2])


if __name__ == "__main__":
    unittest.main()
