"""mcollctl track add --count N / --titles FILE: the ids printed one a line,
in order, each a row of the organization with the right title and owner;
nothing created when the input is refused."""

import os
import subprocess
import tempfile
import unittest

import mcoll as m


def org_tracks(org):
    """id -> (title, user_id); titles read as hex (the client's charset and
    escapes play no part)."""
    return {r[0]: (bytes.fromhex(r[1]).decode("utf-8"), r[2]) for r in m.sql(
        "SELECT id, HEX(title), user_id FROM tracks WHERE org_id = %s" % m.sqlq(org))}


class TrackBulkTest(unittest.TestCase):
    def setUp(self):
        self.org = m.new_org()
        self.user = m.new_user()

    def test_count(self):
        out = m.ctl("track", "add", self.org, "--user", self.user, "--count", "2500")
        ids = out.split("\n")
        self.assertEqual(len(ids), 2500)
        self.assertEqual(len(set(ids)), 2500)
        for i in ids:
            self.assertRegex(i, m.RE_TRACK)
        rows = org_tracks(self.org)
        self.assertEqual(set(rows), set(ids))
        for n, i in enumerate(ids):
            self.assertEqual(rows[i], ("Track %d" % (n + 1), self.user))

    def test_titles_file_and_stdin(self):
        titles = ["Morning Drift", "Ünïcode — ok 😀", "x" * 512, "tab\there"]
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt", delete=False) as f:
            f.write("\r\n".join(titles[:2]) + "\n" + "\n".join(titles[2:]))   # no final newline
            path = f.name
        try:
            ids = m.ctl("track", "add", self.org, "--user", self.user, "--titles", path).split("\n")
        finally:
            os.unlink(path)
        p = m._run(m.ctl_argv("track", "add", self.org, "--titles", "-", "--user", self.user),
                   input_text="From stdin\nSecond\n")
        more = p.stdout.strip().split("\n")
        rows = org_tracks(self.org)
        self.assertEqual(len(ids), 4)
        self.assertEqual(len(more), 2)
        self.assertEqual([rows[i][0] for i in ids], titles)
        self.assertEqual([rows[i][0] for i in more], ["From stdin", "Second"])
        self.assertEqual(len(rows), 6)

    def test_refused_input_creates_nothing(self):
        cases = [
            ("good\n\nafter\n", "line 2: empty title"),
            ("good\n" + "y" * 513 + "\n", "line 2: title longer than 512 characters"),
            ("", "no titles"),
        ]
        for text, msg in cases:
            with self.subTest(msg=msg):
                p = m._run(m.ctl_argv("track", "add", self.org, "--user", self.user, "--titles", "-"),
                           input_text=text, check=False)
                self.assertEqual(p.returncode, 1, p)
                self.assertEqual(p.stdout, "")
                self.assertEqual(p.stderr, "mcollctl: --titles -: %s\n" % msg)
        p = subprocess.run(m.ctl_argv("track", "add", self.org, "--user", self.user, "--titles", "-"),
                           input=b"ok\n\xff\n", capture_output=True, timeout=60)
        self.assertEqual((p.returncode, p.stdout), (1, b""), p)
        self.assertEqual(p.stderr, b"mcollctl: --titles -: line 2: not UTF-8 text\n")
        self.assertEqual(org_tracks(self.org), {})

    def test_unknown_org_or_user(self):
        p = m.ctl_proc("track", "add", "org_nope" + m.uniq(), "--user", self.user, "--count", "3")
        self.assertEqual(p.returncode, 1, p)
        self.assertEqual(p.stdout, "")
        self.assertRegex(p.stderr, r"^mcollctl: org_nope\w+: no such organization or user\n$")
        p = m.ctl_proc("track", "add", self.org, "--user", "usr_000000000000", "--count", "3")
        self.assertEqual(p.returncode, 1, p)
        self.assertEqual(org_tracks(self.org), {})

    def test_usage_errors(self):
        for args, msg in [
            (["--count", "0"], "track add: --count must be a number from 1 to 1000000, not '0'"),
            (["--count", "3", "--title", "T"], "track add: --title, --count and --titles exclude each other"),
        ]:
            with self.subTest(args=args):
                p = m.ctl_proc("track", "add", self.org, "--user", self.user, *args)
                self.assertEqual(p.returncode, 2, p)
                self.assertEqual(p.stderr.split("\n")[0], "mcollctl: " + msg)
        self.assertEqual(org_tracks(self.org), {})
