"""Exact bytes end to end: \\u escapes of every plane, NULs in query values
and ids, zero-padded numbers, URLs without a host."""

import json
import unittest

import mcoll as m
from mcoll import call, cpath

MSG_URL = "cover_image_url must be an http or https URL"

# One sample from each astral plane, the code points whose low 16 bits are
# D800-DFFF in every plane (json-c alone turns those into U+FFFD), and the
# edges around the surrogate block and the end of Unicode.
ASTRAL = [0x10000, 0x1F3B5, 0x1D800, 0x1DBFF, 0x1DC00, 0x1DFFF] + [
    p << 16 | low for p in range(2, 17) for low in (0x0041, 0xD800, 0xDFFF)] + [
    0x10FFFD, 0x10FFFF]
EDGES = [0xFFFF, 0xD7FF, 0xE000, 0xFFFD, 0x0000, 0x001F, 0x007F, 0x0080, 0x07FF, 0x0800]


def escaped(obj):
    """JSON as Python's json.dumps sends it by default: every non-ASCII
    character as \\u escapes, astral ones as surrogate pairs."""
    return json.dumps(obj).encode("ascii")


class EscapeRoundTripTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = m.new_tenant()

    def check_round_trip(self, cps):
        text = "".join(chr(c) for c in cps)
        raw = escaped({"name": text, "description": "d" + text})
        if any(c > 0xFFFF for c in cps):
            self.assertIn(b"\\ud", raw)   # sent as surrogate-pair escapes
        r = call("POST", cpath(self.t.org), self.t.key, raw=raw)
        obj = m.assert_status(r, 201)
        self.assertEqual([hex(ord(c)) for c in obj["name"]], [hex(c) for c in cps])
        self.assertEqual(obj["description"], "d" + text)
        got = m.get(self.t, obj["id"])
        self.assertEqual([hex(ord(c)) for c in got["name"]], [hex(c) for c in cps])
        self.assertEqual(got["description"], "d" + text)
        # the answer is the UTF-8 of the text, byte for byte
        r = call("GET", cpath(self.t.org, obj["id"]), self.t.key)
        self.assertIn(json.dumps(text, ensure_ascii=False)[1:-1].encode("utf-8"), r.body)
        # and a PATCH with escapes stores it exactly as well
        r = call("PATCH", cpath(self.t.org, obj["id"]), self.t.key,
                 raw=escaped({"description": text[::-1]}))
        self.assertEqual(m.assert_status(r, 200)["description"], text[::-1])
        self.assertEqual(m.get(self.t, obj["id"])["description"], text[::-1])

    def test_astral_planes_as_surrogate_pairs(self):
        for cp in ASTRAL:
            with self.subTest(cp=hex(cp)):
                self.check_round_trip([cp])

    def test_all_samples_in_one_name(self):
        self.check_round_trip(ASTRAL + EDGES)

    def test_bmp_edges(self):
        for cp in EDGES:
            with self.subTest(cp=hex(cp)):
                self.check_round_trip([cp, 0x41, cp])

    def test_uppercase_escapes(self):
        raw = b'{"name":"\\uD83C\\uDFB5 \\uDBFF\\uDFFF \\uD834\\uDC00 \\uD836\\uDC00"}'
        obj = m.assert_status(call("POST", cpath(self.t.org), self.t.key, raw=raw), 201)
        self.assertEqual(obj["name"], "\U0001F3B5 \U0010FFFF \U0001D000 \U0001D800")
        self.assertEqual(m.get(self.t, obj["id"])["name"], obj["name"])

    def test_lone_surrogates_refused(self):
        for raw in (b'{"name":"\\ud800"}', b'{"name":"\\udc00"}', b'{"name":"\\ud800\\u0041"}',
                    b'{"name":"\\udfff\\ud800"}', b'{"name":"x\\ud83c"}'):
            with self.subTest(raw=raw):
                r = call("POST", cpath(self.t.org), self.t.key, raw=raw)
                m.assert_error(r, 422, "Request body is not valid JSON", field="body")


class QueryBytesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = m.new_tenant()
        cls.c = m.create(cls.t)
        cls.tracks = [m.new_track(cls.t.org, cls.t.user) for _ in range(2)]
        for tr in cls.tracks:
            m.add(cls.t, cls.c["id"], tr)

    def test_nul_in_limit_or_offset(self):
        for query, msg, field in (("limit=7%00junk", m.MSG_LIMIT, "limit"),
                                  ("limit=7%00", m.MSG_LIMIT, "limit"),
                                  ("limit=%007", m.MSG_LIMIT, "limit"),
                                  ("offset=1%00", m.MSG_OFFSET, "offset"),
                                  ("limit=5&offset=0%002", m.MSG_OFFSET, "offset")):
            with self.subTest(query=query):
                r = call("GET", cpath(self.t.org, query=query), self.t.key)
                m.assert_error(r, 422, msg, field=field)
        r = call("GET", cpath(self.t.org, self.c["id"], "tracks", query="limit=7%00junk"),
                 self.t.key)
        m.assert_error(r, 422, m.MSG_TLIMIT, field="limit")

    def test_zero_padded_numbers(self):
        r = call("GET", cpath(self.t.org, query="offset=0000000000000000001"), self.t.key)
        body = m.assert_status(r, 200)
        self.assertEqual((body["limit"], body["offset"], body["items"]), (50, 1, []))
        r = call("GET", cpath(self.t.org, query="limit=" + "0" * 40 + "7&offset=" + "0" * 30),
                 self.t.key)
        body = m.assert_status(r, 200)
        self.assertEqual((body["limit"], body["offset"], len(body["items"])), (7, 0, 1))
        r = call("GET", cpath(self.t.org, self.c["id"], "tracks",
                              query="offset=0000000000000000001&limit=%30%30%31"), self.t.key)
        body = m.assert_status(r, 200)
        self.assertEqual((body["limit"], body["offset"]), (1, 1))
        self.assertEqual([e["track_id"] for e in body["items"]],
                         m.member_ids(self.t, self.c["id"])[1:])
        r = call("GET", cpath(self.t.org, query="offset=" + "0" * 20 + "2147483648"), self.t.key)
        m.assert_error(r, 422, m.MSG_OFFSET, field="offset")

    def test_reorder_id_with_nul_is_not_the_track(self):
        a, b = self.tracks
        m.reorder(self.t, self.c["id"], [a, b])
        m.reorder(self.t, self.c["id"], [b + "\u0000junk"])
        self.assertEqual(m.member_ids(self.t, self.c["id"]), [a, b])
        m.reorder(self.t, self.c["id"], [b + "\u0000", b])
        self.assertEqual(m.member_ids(self.t, self.c["id"]), [b, a])

    def test_track_id_with_nul(self):
        r = call("POST", cpath(self.t.org, self.c["id"], "tracks"), self.t.key,
                 body={"track_id": self.tracks[0] + "\u0000x"})
        m.assert_error(r, 404, m.MSG_TRACK_404, details={"track_id": self.tracks[0] + "\u0000x"})


class UrlHostTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = m.new_tenant()
        cls.c = m.create(cls.t)

    def test_hostless_urls_refused(self):
        for url in ("http://@", "https://:1", "http://user@:80/", "https://u:p@/x", "http://:80",
                    "https://@:443/a.png", "http://[]/", "http://?x", "https://#y"):
            with self.subTest(url=url):
                r = call("POST", cpath(self.t.org), self.t.key,
                         body={"name": "n", "cover_image_url": url})
                m.assert_error(r, 422, MSG_URL, field="cover_image_url")
                r = call("PATCH", cpath(self.t.org, self.c["id"]), self.t.key,
                         body={"cover_image_url": url})
                m.assert_error(r, 422, MSG_URL, field="cover_image_url")
        self.assertIsNone(m.get(self.t, self.c["id"])["cover_image_url"])

    def test_urls_with_host_kept(self):
        for url in ("http://user@h:80/", "https://h:1", "http://[::1]:8080/a", "https://cdn.example/x@y"):
            with self.subTest(url=url):
                r = call("PATCH", cpath(self.t.org, self.c["id"]), self.t.key,
                         body={"cover_image_url": url})
                self.assertEqual(m.assert_status(r, 200)["cover_image_url"], url)


if __name__ == "__main__":
    unittest.main()
