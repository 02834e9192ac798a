"""Versions and conditional requests: ETag on reads and writes, 304 for
If-None-Match, 412 for If-Match (also under concurrency), and the versions
an operator's track delete and restore move."""

import random
import re
import threading
import time
import unittest

import mcoll as m
from mcoll import call, cpath

MSG_412 = "If-Match does not match the current ETag of the collection"
RE_CTAG = re.compile(r'^"([0-9]+)"$')
RE_PTAG = re.compile(r'^"([0-9]+)\.([0-9]+)\.([0-9]+)"$')
ERR_412 = ("PRECONDITION_FAILED", "client_error", "The resource has been modified since it was read.")


def etag(r):
    tags = r.headers.get_all("ETag") or []
    if len(tags) != 1:
        m.fail(r, "want one ETag header, got %r" % tags)
    return tags[0]


def version(tag):
    g = RE_CTAG.match(tag) or RE_PTAG.match(tag)
    if not g:
        raise AssertionError("ETag %r is not of the documented form" % tag)
    return int(g.group(1))


def assert_412(tc, r, current):
    """The 412 envelope naming the current ETag (header and details)."""
    tc.assertEqual(r.status, 412, r)
    m.assert_common(r)
    err = r.json["error"]
    tc.assertEqual(list(err.keys()), m.ERROR_KEYS)
    tc.assertEqual((err["code"], err["type"], err["message"]), ERR_412)
    tc.assertEqual(err["status"], 412)
    tc.assertEqual(err["system_message"], MSG_412)
    tc.assertEqual(err["details"], {"current_etag": current})
    tc.assertEqual(err["trace_id"], "req_" + r.headers["X-Request-Id"])
    tc.assertEqual(etag(r), current)


class ETagReadTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.a = m.new_tenant()
        cls.tracks = [m.new_track(cls.a.org, cls.a.user) for _ in range(3)]

    def test_create_and_get_answer_the_version(self):
        r = call("POST", cpath(self.a.org), self.a.key, body={"name": "v"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(etag(r), '"1"')
        cid = r.json["id"]
        r = call("GET", cpath(self.a.org, cid), self.a.key)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(etag(r), '"1"')
        self.assertEqual(r.headers["Cache-Control"], "no-store")
        # the body is the one without conditionals, byte for byte
        self.assertEqual(r.body, call("GET", cpath(self.a.org, cid), self.a.key).body)

    def test_if_none_match_on_the_collection(self):
        cid = m.create(self.a)["id"]
        path = cpath(self.a.org, cid)
        for header in ('"1"', 'W/"1"', '"5", "1"', "*", ' "x" , W/"1" '):
            r = call("GET", path, self.a.key, headers={"If-None-Match": header})
            self.assertEqual(r.status, 304, (header, r))
            self.assertEqual(r.body, b"")
            self.assertEqual(etag(r), '"1"')
            self.assertIsNone(r.headers.get("Content-Length"), r)
            self.assertIsNone(r.headers.get("Content-Type"), r)
            self.assertRegex(r.headers["X-Request-Id"], m.RE_REQID)
        for header in ('"2"', '"1.200.0"', "1", '"1', ""):
            r = call("GET", path, self.a.key, headers={"If-None-Match": header})
            self.assertEqual(r.status, 200, (header, r))
            self.assertEqual(etag(r), '"1"')
            self.assertEqual(r.json["id"], cid)
        call("PATCH", path, self.a.key, body={"name": "renamed"})
        r = call("GET", path, self.a.key, headers={"If-None-Match": '"1"'})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(etag(r), '"2"')
        self.assertEqual(r.json["name"], "renamed")

    def test_if_none_match_comes_after_the_other_gates(self):
        cid = m.create(self.a)["id"]
        b = m.new_member(self.a.org)
        r = call("GET", cpath(self.a.org, cid), b.key, headers={"If-None-Match": "*"})
        m.assert_error(r, 404, m.MSG_COLL_404, {"collection_id": cid})
        self.assertIsNone(r.headers.get("ETag"))
        r = call("GET", cpath(self.a.org, cid), "mck_nope", headers={"If-None-Match": "*"})
        m.assert_error(r, 401)
        r = call("GET", cpath(self.a.org, cid, "tracks", query="limit=0"), self.a.key,
                 headers={"If-None-Match": "*"})
        m.assert_error(r, 422, m.MSG_TLIMIT, field="limit")

    def test_tracks_page_etag(self):
        cid = m.create(self.a)["id"]
        m.add(self.a, cid, self.tracks[0])
        m.add(self.a, cid, self.tracks[1])
        v = version(etag(call("GET", cpath(self.a.org, cid), self.a.key)))
        self.assertEqual(v, 3)
        tags = {}
        for query in ("", "limit=200&offset=0", "limit=1", "limit=1&offset=1", "offset=5"):
            r = call("GET", cpath(self.a.org, cid, "tracks", query=query), self.a.key)
            self.assertEqual(r.status, 200, r)
            tags[query] = etag(r)
        self.assertEqual(tags[""], '"3.200.0"')
        self.assertEqual(tags["limit=200&offset=0"], '"3.200.0"')
        self.assertEqual(tags["limit=1"], '"3.1.0"')
        self.assertEqual(tags["limit=1&offset=1"], '"3.1.1"')
        self.assertEqual(tags["offset=5"], '"3.200.5"')
        path = cpath(self.a.org, cid, "tracks", query="limit=1&offset=1")
        r = call("GET", path, self.a.key, headers={"If-None-Match": '"3.1.1"'})
        self.assertEqual((r.status, r.body, etag(r)), (304, b"", '"3.1.1"'))
        self.assertIsNone(r.headers.get("Content-Length"), r)
        # another page's tag, or the collection's, is not this page's
        for other in ('"3.1.0"', '"3"'):
            r = call("GET", path, self.a.key, headers={"If-None-Match": other})
            self.assertEqual(r.status, 200, r)
        # a reorder changes the page: its tag moves
        m.reorder(self.a, cid, [self.tracks[1]])
        r = call("GET", path, self.a.key, headers={"If-None-Match": '"3.1.1"'})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(etag(r), '"4.1.1"')
        self.assertEqual([e["track_id"] for e in r.json["items"]], [self.tracks[0]])


class ETagWriteTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.a = m.new_tenant()
        cls.tracks = [m.new_track(cls.a.org, cls.a.user) for _ in range(4)]

    def current(self, cid):
        r = call("GET", cpath(self.a.org, cid), self.a.key)
        self.assertEqual(r.status, 200, r)
        return etag(r), r.body

    def test_every_change_moves_the_version_and_answers_it(self):
        a, (t0, t1) = self.a, self.tracks[:2]
        cid = m.create(a)["id"]
        steps = [
            ("PATCH", cpath(a.org, cid), {"description": "d"}, 2),
            ("PATCH", cpath(a.org, cid), {}, 3),
            ("POST", cpath(a.org, cid, "tracks"), {"track_id": t0}, 4),
            ("POST", cpath(a.org, cid, "tracks"), {"track_id": t1}, 5),
            ("POST", cpath(a.org, cid, "tracks"), {"track_id": t1}, 5),       # member: no change
            ("PATCH", cpath(a.org, cid, "order"), {"ordered_track_ids": [t1]}, 6),
            ("PATCH", cpath(a.org, cid, "order"), {"ordered_track_ids": [t1]}, 7),  # same order
            ("DELETE", cpath(a.org, cid, "tracks", t1), None, 8),
            ("DELETE", cpath(a.org, cid, "tracks", t1), None, 8),               # absent: no change
            ("DELETE", cpath(a.org, cid, "tracks", "junk"), None, 8),           # malformed
        ]
        for method, path, body, want in steps:
            r = call(method, path, a.key, body=body)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(etag(r), '"%d"' % want, (method, path, body))
            self.assertEqual(self.current(cid)[0], '"%d"' % want, (method, path, body))
        r = call("DELETE", cpath(a.org, cid), a.key)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(etag(r), '"9"')
        self.assertEqual(m.sql_value("SELECT version FROM collections WHERE id = '%s'" % cid), "9")

    def test_if_match_current_tag_succeeds(self):
        a, t0 = self.a, self.tracks[0]
        cid = m.create(a)["id"]
        r = call("PATCH", cpath(a.org, cid), a.key, body={"name": "n"}, headers={"If-Match": '"1"'})
        self.assertEqual((r.status, etag(r), r.json["name"]), (200, '"2"', "n"))
        r = call("POST", cpath(a.org, cid, "tracks"), a.key, body={"track_id": t0},
                 headers={"If-Match": '"0", "2"'})
        self.assertEqual((r.status, etag(r)), (200, '"3"'))
        # the tag of a page at the current version serves as well
        ptag = etag(call("GET", cpath(a.org, cid, "tracks", query="limit=7"), a.key))
        self.assertEqual(ptag, '"3.7.0"')
        r = call("PATCH", cpath(a.org, cid, "order"), a.key, body={"ordered_track_ids": [t0]},
                 headers={"If-Match": ptag})
        self.assertEqual((r.status, etag(r)), (200, '"4"'))
        r = call("DELETE", cpath(a.org, cid, "tracks", t0), a.key, headers={"If-Match": "*"})
        self.assertEqual((r.status, etag(r)), (200, '"5"'))
        r = call("DELETE", cpath(a.org, cid), a.key, headers={"If-Match": '"5"'})
        self.assertEqual((r.status, etag(r)), (200, '"6"'))
        m.assert_error(call("GET", cpath(a.org, cid), a.key), 404)

    def test_stale_if_match_is_412_and_changes_nothing(self):
        a, (t0, t1) = self.a, self.tracks[:2]
        cid = m.create(a, name="keep", description="same")["id"]
        m.add(a, cid, t0)
        m.add(a, cid, t1)
        tag, before = self.current(cid)
        self.assertEqual(tag, '"3"')
        order = m.member_ids(a, cid)
        changes = [
            ("PATCH", cpath(a.org, cid), {"name": "lost"}),
            ("PATCH", cpath(a.org, cid), {}),
            ("DELETE", cpath(a.org, cid), None),
            ("POST", cpath(a.org, cid, "tracks"), {"track_id": self.tracks[2]}),
            ("POST", cpath(a.org, cid, "tracks"), {"track_id": t0}),          # would be a no-op
            ("DELETE", cpath(a.org, cid, "tracks", t0), None),
            ("DELETE", cpath(a.org, cid, "tracks", self.tracks[3]), None),    # would be a no-op
            ("DELETE", cpath(a.org, cid, "tracks", "junk"), None),            # malformed: no-op
            ("PATCH", cpath(a.org, cid, "order"), {"ordered_track_ids": [t1, t0]}),
        ]
        for header in ('"2"', 'W/"3"', '"3.200.1x"', '"30"', "3", "", '"2", W/"3"'):
            for method, path, body in changes:
                r = call(method, path, a.key, body=body, headers={"If-Match": header})
                assert_412(self, r, tag)
        self.assertEqual(self.current(cid), (tag, before))
        self.assertEqual(m.member_ids(a, cid), order)
        m.assert_db_consistent(self, cid)

    def test_no_op_add_keeps_the_version(self):
        a, t0 = self.a, self.tracks[0]
        cid = m.create(a)["id"]
        m.add(a, cid, t0)
        updated = m.get(a, cid)["updated_at"]
        for header in ('"2"', "*"):
            r = call("POST", cpath(a.org, cid, "tracks"), a.key, body={"track_id": t0},
                     headers={"If-Match": header})
            m.assert_ack(r, t0, "Track added to collection.")
            self.assertEqual(etag(r), '"2"')
        got = m.get(a, cid)
        self.assertEqual((got["track_count"], got["updated_at"]), (1, updated))
        self.assertEqual(self.current(cid)[0], '"2"')

    def test_precondition_gate_order(self):
        a = self.a
        cid = m.create(a)["id"]
        stale = {"If-Match": '"99"'}
        # a stranger gets the collection 404, whatever the If-Match
        b = m.new_member(a.org)
        for method, path, body in (("PATCH", cpath(a.org, cid), {}),
                                   ("DELETE", cpath(a.org, cid), None),
                                   ("POST", cpath(a.org, cid, "tracks"), {"track_id": self.tracks[0]}),
                                   ("DELETE", cpath(a.org, cid, "tracks", self.tracks[0]), None),
                                   ("PATCH", cpath(a.org, cid, "order"), {"ordered_track_ids": []})):
            for h in (stale, {"If-Match": '"1"'}, {"If-Match": "*"}):
                r = call(method, path, b.key, body=body, headers=h)
                m.assert_error(r, 404, m.MSG_COLL_404, {"collection_id": cid})
                self.assertIsNone(r.headers.get("ETag"), r)
        # the body's own checks come first
        r = call("PATCH", cpath(a.org, cid), a.key, body={"name": ""}, headers=stale)
        m.assert_error(r, 422, field="name")
        r = call("PATCH", cpath(a.org, cid), a.key, body={"cover_track_id": "mtrack_000000000000"},
                 headers=stale)
        m.assert_error(r, 422, field="cover_track_id")
        r = call("PATCH", cpath(a.org, cid, "order"), a.key, body={"ordered_track_ids": "x"},
                 headers=stale)
        m.assert_error(r, 422, field="ordered_track_ids")
        for track in ("mtrack_000000000000", "junk"):
            r = call("POST", cpath(a.org, cid, "tracks"), a.key, body={"track_id": track},
                     headers=stale)
            m.assert_error(r, 404, m.MSG_TRACK_404, {"track_id": track})
        r = call("POST", cpath(a.org, cid, "tracks"), a.key, raw=b"{", headers=stale)
        m.assert_error(r, 422, field="body")
        self.assertEqual(self.current(cid)[0], '"1"')

    def test_two_writers_with_one_etag_one_wins(self):
        a = self.a
        for round_ in range(6):
            cid = m.create(a)["id"]
            tag = self.current(cid)[0]
            barrier = threading.Barrier(2)
            results = [None, None]

            def writer(i):
                c = m.Client()
                try:
                    barrier.wait(timeout=20)
                    results[i] = c.call("PATCH", cpath(a.org, cid), a.key,
                                        body={"name": "writer-%d" % i}, headers={"If-Match": tag})
                finally:
                    c.close()

            threads = [threading.Thread(target=writer, args=(i,)) for i in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
            statuses = sorted(r.status for r in results)
            self.assertEqual(statuses, [200, 412], (round_, results))
            win = next(i for i in range(2) if results[i].status == 200)
            lose = results[1 - win]
            self.assertEqual(etag(results[win]), '"2"')
            assert_412(self, lose, '"2"')
            got = m.get(a, cid)
            self.assertEqual(got["name"], "writer-%d" % win)
            self.assertEqual(self.current(cid)[0], '"2"')


THREADS = 6
OWN = 2
OPS = 8            # acknowledged changes per thread
DEADLINE = 90.0


class ReadModifyWriteTest(unittest.TestCase):
    """Clients read, change and write one collection with If-Match from
    their last read, re-reading on 412.  Every success must start from the
    version it read and move it by one; every 412 must name a version that
    another client's success had already moved past; no acknowledged
    change is lost."""

    def test_read_modify_write(self):
        a = m.new_tenant()
        shared = [m.new_track(a.org, a.user) for _ in range(3)]
        owned = [[m.new_track(a.org, a.user) for _ in range(OWN)] for _ in range(THREADS)]
        cid = m.create(a, name="rmw")["id"]
        for t in shared:
            m.add(a, cid, t)
        start_version = version(etag(call("GET", cpath(a.org, cid), a.key)))
        lock = threading.Lock()
        wins = []         # (base version, new version, op, track)
        conflicts = []    # (sent version, current version from the 412)
        errors = []
        last = {}         # track -> acknowledged membership
        barrier = threading.Barrier(THREADS)
        stop_at = time.time() + DEADLINE

        def worker(i):
            rnd = random.Random(77 + i)
            c = m.Client()
            try:
                barrier.wait(timeout=30)
                done = 0
                while done < OPS and time.time() < stop_at:
                    # read: the tracks page (its tag serves for If-Match)
                    r = c.call("GET", cpath(a.org, cid, "tracks", query="limit=500"), a.key)
                    if r.status != 200:
                        errors.append(("read", r.status, r.body))
                        return
                    tag = etag(r)
                    have = [e["track_id"] for e in r.json["items"]]
                    mine = [t for t in owned[i] if t not in have]
                    x = rnd.random()
                    if x < 0.4 and mine:
                        op, tr = "add", rnd.choice(mine)
                        req = ("POST", cpath(a.org, cid, "tracks"), {"track_id": tr})
                    elif x < 0.7 and len(mine) < OWN:
                        op, tr = "remove", rnd.choice([t for t in owned[i] if t in have])
                        req = ("DELETE", cpath(a.org, cid, "tracks", tr), None)
                    else:
                        op, tr = "reorder", None
                        ids = list(have)
                        rnd.shuffle(ids)
                        req = ("PATCH", cpath(a.org, cid, "order"), {"ordered_track_ids": ids})
                    w = c.call(req[0], req[1], a.key, body=req[2], headers={"If-Match": tag})
                    with lock:
                        if w.status == 200:
                            wins.append((version(tag), version(etag(w)), op, tr))
                            if tr:
                                last[tr] = op == "add"
                            done += 1
                        elif w.status == 412:
                            conflicts.append((version(tag), version(w.json["error"]["details"]
                                                                    ["current_etag"])))
                        else:
                            errors.append((op, w.status, w.body))
                            return
            except Exception as e:  # noqa: BLE001
                with lock:
                    errors.append(("exception", repr(e), b""))
            finally:
                c.close()

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(DEADLINE + 60)
        self.assertEqual(errors, [])
        self.assertEqual(len(wins), THREADS * OPS)
        # every success moved the version by one from the one it read, and
        # no two successes started from the same version: none was lost
        for base, new, op, _tr in wins:
            self.assertEqual(new, base + 1, (base, new, op))
        bases = sorted(w[0] for w in wins)
        self.assertEqual(bases, list(range(start_version, start_version + len(wins))))
        final = version(etag(call("GET", cpath(a.org, cid), a.key)))
        self.assertEqual(final, start_version + len(wins))
        # every 412 was a real conflict: the version sent had been moved
        # past by a success, and the current one was newer
        moved = {w[0] for w in wins}
        for sent, cur in conflicts:
            self.assertIn(sent, moved, (sent, cur))
            self.assertGreater(cur, sent)
        # the acknowledged membership is what the collection holds
        ids = m.member_ids(a, cid)
        for tr, member in last.items():
            self.assertEqual(tr in ids, member, tr)
        for t in shared:
            self.assertIn(t, ids)
        self.assertEqual(len(ids), len(set(ids)))
        m.assert_db_consistent(self, cid)
        print("read-modify-write: %d changes, %d conflicts (412) retried"
              % (len(wins), len(conflicts)))


class OperatorVersionTest(unittest.TestCase):
    def test_track_delete_moves_the_versions_it_touches(self):
        a = m.new_tenant()
        tr, other = m.new_track(a.org, a.user), m.new_track(a.org, a.user)
        holder = m.create(a)["id"]
        m.add(a, holder, tr)                                        # version 2
        cover = m.create(a, cover_track_id=tr)["id"]                # version 1
        both = m.create(a, cover_track_id=tr)["id"]
        m.add(a, both, tr)                                          # version 2
        untouched = m.create(a)["id"]
        m.add(a, untouched, other)                                  # version 2
        before = {c: etag(call("GET", cpath(a.org, c), a.key)) for c in (holder, cover, both, untouched)}
        self.assertEqual(before, {holder: '"2"', cover: '"1"', both: '"2"', untouched: '"2"'})
        self.assertEqual(m.ctl("track", "delete", tr), "")
        after = {c: version(etag(call("GET", cpath(a.org, c), a.key))) for c in before}
        self.assertGreater(after[holder], 2)
        self.assertGreater(after[cover], 1)
        self.assertGreater(after[both], 2)
        self.assertEqual(after[untouched], 2)
        # a stale If-Match from before the delete now fails
        r = call("PATCH", cpath(a.org, holder), a.key, body={}, headers={"If-Match": before[holder]})
        assert_412(self, r, '"%d"' % after[holder])
        r = call("GET", cpath(a.org, holder), a.key, headers={"If-None-Match": before[holder]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["track_count"], 0)

    def test_restore_moves_the_version(self):
        a = m.new_tenant()
        cid = m.create(a)["id"]
        r = call("DELETE", cpath(a.org, cid), a.key, headers={"If-Match": '"1"'})
        self.assertEqual((r.status, etag(r)), (200, '"2"'))
        self.assertEqual(m.ctl("collection", "restore", cid), "")
        r = call("GET", cpath(a.org, cid), a.key, headers={"If-None-Match": '"2"'})
        self.assertEqual((r.status, etag(r)), (200, '"3"'))


if __name__ == "__main__":
    unittest.main()
