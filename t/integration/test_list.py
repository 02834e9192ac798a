"""GET /v1/music/{org}/collections: the list endpoint."""

import time
import unittest

import mcoll as m
from mcoll import call, cpath


def expected_order(objs):
    # newest first, ties broken by id (descending), stable across pages
    return [o["id"] for o in sorted(objs, key=lambda o: (o["created_at"], o["id"]), reverse=True)]


class ListTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.a = m.new_tenant()
        cls.created = []
        # a burst in the same second (ties on created_at), then a later second
        for i in range(5):
            cls.created.append(m.create(cls.a, name="first-%d" % i))
        time.sleep(1.1)
        for i in range(4):
            cls.created.append(m.create(cls.a, name="second-%d" % i))

    def list(self, t, query=None):
        r = call("GET", cpath(t.org, query=query), t.key)
        body = m.assert_status(r, 200)
        self.assertEqual(list(body.keys()), ["items", "limit", "offset"], r)
        for it in body["items"]:
            m.assert_collection(it, r, list_view=True)
        return body

    def test_empty_list_exact(self):
        t = m.new_tenant()
        r = call("GET", cpath(t.org), t.key)
        body = m.assert_status(r, 200)
        self.assertEqual(body, {"items": [], "limit": 50, "offset": 0})
        self.assertEqual(list(body.keys()), ["items", "limit", "offset"])

    def test_newest_first_with_tie_break(self):
        body = self.list(self.a, "limit=100")
        ids = [it["id"] for it in body["items"]]
        self.assertEqual(ids, expected_order(self.created))
        # the later batch precedes the earlier one
        self.assertEqual(set(ids[:4]), {c["id"] for c in self.created[5:]})
        by_id = {c["id"]: c for c in self.created}
        for it in body["items"]:
            want = dict(by_id[it["id"]])
            want["track_count"] = None
            self.assertEqual(it, want)

    def test_paging_stable(self):
        full = [it["id"] for it in self.list(self.a)["items"]]
        self.assertEqual(len(full), len(self.created))
        for limit in (1, 2, 4):
            got = []
            off = 0
            while True:
                body = self.list(self.a, "limit=%d&offset=%d" % (limit, off))
                self.assertEqual((body["limit"], body["offset"]), (limit, off))
                self.assertLessEqual(len(body["items"]), limit)
                got += [it["id"] for it in body["items"]]
                if len(body["items"]) < limit:
                    break
                off += limit
            self.assertEqual(got, full, "limit=%d" % limit)
        body = self.list(self.a, "offset=3&limit=3")
        self.assertEqual([it["id"] for it in body["items"]], full[3:6])

    def test_offset_past_end(self):
        body = self.list(self.a, "limit=10&offset=1000")
        self.assertEqual(body, {"items": [], "limit": 10, "offset": 1000})
        body = self.list(self.a, "offset=2147483647")
        self.assertEqual(body, {"items": [], "limit": 50, "offset": 2147483647})

    def test_defaults_echoed(self):
        body = self.list(self.a, "limit=7")
        self.assertEqual((body["limit"], body["offset"]), (7, 0))
        body = self.list(self.a, "offset=2")
        self.assertEqual((body["limit"], body["offset"]), (50, 2))
        body = self.list(self.a)
        self.assertEqual((body["limit"], body["offset"]), (50, 0))
        body = self.list(self.a, "limit=1")
        self.assertEqual(body["limit"], 1)
        body = self.list(self.a, "limit=100&offset=0")
        self.assertEqual((body["limit"], body["offset"]), (100, 0))

    def test_limit_validation(self):
        bad = ["abc", "1e3", "-1", "0", "101", "", "99999999999999999999", "+5", "%2B5",
               "%205", "5%20", "1.0", "0x10", "5abc", "%00", "4294967297", "18446744073709551617"]
        for v in bad:
            with self.subTest(limit=v):
                r = call("GET", cpath(self.a.org, query="limit=" + v), self.a.key)
                m.assert_error(r, 422, m.MSG_LIMIT, field="limit")
        with self.subTest(limit="bare"):
            r = call("GET", cpath(self.a.org, query="limit"), self.a.key)
            m.assert_error(r, 422, m.MSG_LIMIT, field="limit")

    def test_offset_validation(self):
        bad = ["abc", "1e3", "-1", "", "99999999999999999999", "+5", "%2B5", "%205",
               "2147483648", "4294967296", "1.5", "0x1"]
        for v in bad:
            with self.subTest(offset=v):
                r = call("GET", cpath(self.a.org, query="offset=" + v), self.a.key)
                m.assert_error(r, 422, m.MSG_OFFSET, field="offset")

    def test_repeated_parameter(self):
        r = call("GET", cpath(self.a.org, query="limit=1&limit=2"), self.a.key)
        m.assert_error(r, 422, m.MSG_LIMIT, field="limit")
        r = call("GET", cpath(self.a.org, query="offset=1&offset=1"), self.a.key)
        m.assert_error(r, 422, m.MSG_OFFSET, field="offset")

    def test_track_count_null_in_list(self):
        t = m.new_tenant()
        c = m.create(t)
        track = m.new_track(t.org, t.user)
        m.add(t, c["id"], track)
        self.assertEqual(m.get(t, c["id"])["track_count"], 1)
        body = self.list(t)
        self.assertEqual([it["id"] for it in body["items"]], [c["id"]])
        self.assertIsNone(body["items"][0]["track_count"])

    def test_only_own_collections(self):
        t = m.new_tenant()
        mate = m.new_member(t.org)          # same org, other user
        other = m.new_tenant()              # other org
        # t's user is also a member of a second org
        org2 = m.new_org()
        m.add_member(org2, t.user)
        t2 = m.Tenant(org2, t.user, t.key)

        mine = m.create(t, name="mine")
        m.create(mate, name="mate's")
        m.create(other, name="other's")
        in_org2 = m.create(t2, name="mine in org2")

        self.assertEqual([it["id"] for it in self.list(t)["items"]], [mine["id"]])
        self.assertEqual([it["id"] for it in self.list(t2)["items"]], [in_org2["id"]])
        mate_ids = [it["id"] for it in self.list(mate)["items"]]
        self.assertNotIn(mine["id"], mate_ids)
        self.assertEqual(len(mate_ids), 1)

    def test_deleted_not_listed(self):
        t = m.new_tenant()
        c1 = m.create(t)
        c2 = m.create(t)
        r = call("DELETE", cpath(t.org, c1["id"]), t.key)
        m.assert_ack(r, c1["id"], "Collection deleted.")
        self.assertEqual([it["id"] for it in self.list(t)["items"]], [c2["id"]])


if __name__ == "__main__":
    unittest.main()
