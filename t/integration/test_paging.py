"""Pages read while the order changes: every page is a slice of one order
the collection really had, positions included, deep pages (past the first
block of the order index) as well as the first."""

import threading
import time
import unittest

import mcoll as m
from mcoll import cpath


class PagingConsistencyTest(unittest.TestCase):
    N = 400

    @classmethod
    def setUpClass(cls):
        cls.a = m.new_tenant()
        cls.cid = m.create(cls.a, name="paging")["id"]
        cls.order = [m.new_track(cls.a.org, cls.a.user) for _ in range(cls.N)]
        c = m.Client()
        try:
            for t in cls.order:
                m.assert_status(c.call("POST", cpath(cls.a.org, cls.cid, "tracks"), cls.a.key,
                                       body={"track_id": t}), 200)
        finally:
            c.close()

    def test_pages_during_reorders(self):
        a, cid = self.a, self.cid
        forward, backward = list(self.order), list(reversed(self.order))
        stop = threading.Event()
        errors, pages = [], [0]

        def reorderer():
            c = m.Client()
            try:
                flip = False
                while not stop.is_set():
                    r = c.call("PATCH", cpath(a.org, cid, "order"), a.key,
                               body={"ordered_track_ids": backward if flip else forward})
                    if r.status != 200:
                        errors.append("reorder: %r" % r)
                    flip = not flip
            finally:
                c.close()

        def reader(offset, limit):
            c = m.Client()
            try:
                while not stop.is_set():
                    r = c.call("GET", cpath(a.org, cid, "tracks",
                                            query="limit=%d&offset=%d" % (limit, offset)), a.key)
                    if r.status != 200:
                        errors.append("page: %r" % r)
                        continue
                    items = r.json["items"]
                    got = [e["track_id"] for e in items]
                    if [e["position"] for e in items] != list(range(offset, offset + len(items))):
                        errors.append("positions at %d: %r" % (offset, [e["position"] for e in items][:5]))
                    if got not in (forward[offset:offset + limit], backward[offset:offset + limit]):
                        errors.append("offset %d: not a slice of either order: %r..." % (offset, got[:3]))
                    pages[0] += 1
            finally:
                c.close()

        ths = [threading.Thread(target=reorderer)] + [
            threading.Thread(target=reader, args=args) for args in ((0, 50), (130, 60), (333, 67))]
        for th in ths:
            th.start()
        time.sleep(4)
        stop.set()
        for th in ths:
            th.join(timeout=60)
        self.assertEqual(errors[:5], [], "%d errors" % len(errors))
        self.assertGreater(pages[0], 30, "too few pages read to mean anything")
        m.assert_db_consistent(self, cid)


if __name__ == "__main__":
    unittest.main()
