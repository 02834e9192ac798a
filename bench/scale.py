#!/usr/bin/env python3
"""scale.py -- `dev/bench scale`: how the cost of one request grows with a
collection's size, on a running dev stack.  A 10,000-track and a 10-track
collection of a fresh tenant (tracks put in by SQL, as an import would),
then, sequentially on one kept-alive HTTPS connection, the median client
time of:

  page        GET 200 tracks at offset 0 and at offset 9,800
  remove      remove the last / the first track (and add it back)
  move        a reorder listing one track: the last one to the front
  reverse     a reorder listing every track, reversed

and the invariants afterwards (the suite's own SQL checks)."""
import argparse
import os
import statistics
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "t", "integration"))
import mcoll as m  # noqa: E402
from mcoll import cpath  # noqa: E402


def fill(t, n):
    """A collection of t holding n fresh tracks, in order, blocks built."""
    cid = m.create(t, name="scale %d" % n)["id"]
    prefix = m.uniq(6)
    ids = ["mtrack_%s%06x" % (prefix, i) for i in range(n)]
    for at in range(0, n, 2000):
        chunk = ids[at:at + 2000]
        m.sql("INSERT INTO tracks (id, org_id, user_id, title, created_at) VALUES %s;"
              "INSERT INTO collection_tracks (collection_id, track_id, sort_key, added_at) VALUES %s;"
              % (",".join("('%s','%s','%s','scale',UTC_TIMESTAMP(6))" % (x, t.org, t.user) for x in chunk),
                 ",".join("('%s','%s',%d,UTC_TIMESTAMP(6))" % (cid, x, at + i) for i, x in enumerate(chunk))))
    m.sql("UPDATE collections SET track_count = %d WHERE id = '%s'" % (n, cid))
    m.remove(t, cid, ids[-1])  # the first change builds the order index
    m.add(t, cid, ids[-1])
    return cid, ids


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--big", type=int, default=10000)
    ap.add_argument("--small", type=int, default=10)
    ap.add_argument("--n", type=int, default=40, help="samples per figure")
    a = ap.parse_args()
    t = m.new_tenant()
    c = m.Client()

    def timed(method, path, body=None):
        t0 = time.perf_counter()
        r = c.call(method, path, t.key, body=body)
        dt = time.perf_counter() - t0
        if not 200 <= r.status < 300:
            raise AssertionError(repr(r))
        return dt

    def med(xs):
        return statistics.median(xs) * 1e3

    out = {}
    sizes = {}
    for label, n in (("big", a.big), ("small", a.small)):
        cid, ids = fill(t, n)
        sizes[label] = n
        order = list(ids)
        rl, rf, mv, rv = [], [], [], []
        for i in range(a.n):
            last = order[-1]
            rl.append(timed("DELETE", cpath(t.org, cid, "tracks", last)))
            timed("POST", cpath(t.org, cid, "tracks"), {"track_id": last})
            first = order[0]
            rf.append(timed("DELETE", cpath(t.org, cid, "tracks", first)))
            timed("POST", cpath(t.org, cid, "tracks"), {"track_id": first})
            order = order[1:] + [first]
            mv.append(timed("PATCH", cpath(t.org, cid, "order"), {"ordered_track_ids": [order[-1]]}))
            order = [order[-1]] + order[:-1]
        for i in range(max(3, a.n // 8)):
            order.reverse()
            rv.append(timed("PATCH", cpath(t.org, cid, "order"), {"ordered_track_ids": order}))
        if m.member_ids(t, cid) != order:
            sys.exit("scale.py: the order of %s is not what the requests made it" % cid)
        tc = unittest.TestCase()
        m.assert_db_consistent(tc, cid)
        out[label] = {"remove_last": med(rl), "remove_first": med(rf), "move_one": med(mv),
                      "reverse": med(rv), "cid": cid}
    big = out["big"]["cid"]
    p0, p1 = [], []
    for i in range(a.n * 3):
        p0.append(timed("GET", cpath(t.org, big, "tracks", query="limit=200&offset=0")))
        p1.append(timed("GET", cpath(t.org, big, "tracks", query="limit=200&offset=%d" % (a.big - 200))))
    b, s = out["big"], out["small"]
    print("| figure (median ms, %d samples) | %d tracks | %d tracks | ratio |" % (a.n, a.big, a.small))
    print("|---|---|---|---|")
    for k, name in (("remove_last", "remove the last track"), ("remove_first", "remove the first track"),
                    ("move_one", "move one track to the front"), ("reverse", "reverse every track")):
        print("| %s | %.2f | %.2f | %.2f |" % (name, b[k], s[k], b[k] / s[k]))
    print("| remove first ÷ remove last (%d) | | | %.2f |" % (a.big, b["remove_first"] / b["remove_last"]))
    print("| page of 200: offset 0 / offset %d | %.2f / %.2f | | %.2f |"
          % (a.big - 200, med(p0), med(p1), med(p1) / med(p0)))


if __name__ == "__main__":
    main()
