"""mcollctl against the real database: the command line (help, version,
usage errors, options anywhere), and what every command does."""

import os
import re
import shlex
import shutil
import subprocess
import tempfile
import unittest

import mcoll as m
from mcoll import call, cpath, sql, sql_value, sqlq

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def base_argv():
    """$MCOLLCTL without its -c CONFIG: (program, config path)."""
    argv = shlex.split(m._env("MCOLLCTL"))
    if len(argv) == 3 and argv[1] == "-c":
        return argv[0], argv[2]
    return argv[0], os.environ.get("MCOLL_CONFIG")


def run(*args):
    prog, _ = base_argv()
    return m._run([prog] + [str(a) for a in args], check=False)


def ctl(*args):
    return m.ctl_proc(*args)


class CommandLineTest(unittest.TestCase):
    def test_help(self):
        p = run("--help")
        self.assertEqual(p.returncode, 0)
        self.assertEqual(p.stderr, "")
        self.assertTrue(p.stdout.startswith("usage: mcollctl [-c CONFIG] COMMAND"), p.stdout)
        for line in ("  member remove ORG_ID USER_ID\n", "  collection restore COLLECTION_ID\n",
                     "  purge --deleted-before YYYY-MM-DD\n", "  check\n",
                     "  track add ORG_ID --user USER_ID [--title TITLE]\n"):
            self.assertIn(line, p.stdout)

    def test_version(self):
        with open(os.path.join(ROOT, "configure.ac")) as f:
            version = re.search(r"AC_INIT\(\[mcoll\], \[([^]]+)\]", f.read()).group(1)
        for opt in ("--version", "-V"):
            p = run(opt)
            self.assertEqual((p.returncode, p.stdout, p.stderr), (0, "mcollctl %s\n" % version, ""))

    def test_command_help(self):
        p = run("key", "add", "--help")
        self.assertEqual((p.returncode, p.stderr), (0, ""))
        self.assertEqual(p.stdout, "usage: mcollctl [-c CONFIG] key add USER_ID\n"
                                   "Creates an API key; prints the raw key once.\n")
        p = run("member", "add", "--help")
        self.assertIn("capabilities: USE_MUSIC_GENERATION\n", p.stdout)

    def test_usage_errors(self):
        cases = [
            (["key", "add"], "mcollctl: key add: missing USER_ID",
             "usage: mcollctl [-c CONFIG] key add USER_ID"),
            (["key", "add", "usr_1", "usr_2"], "mcollctl: key add: unexpected argument 'usr_2'",
             "usage: mcollctl [-c CONFIG] key add USER_ID"),
            (["user", "add"], "mcollctl: user add: missing --email EMAIL",
             "usage: mcollctl [-c CONFIG] user add --email EMAIL"),
            (["org", "add", "org_x", "--email", "a@b"],
             "mcollctl: org add: option '--email' does not apply",
             "usage: mcollctl [-c CONFIG] org add ORG_ID [--name NAME]"),
            (["member", "add", "org_x", "usr_x", "--capability", "ADMIN"],
             "mcollctl: member add: unknown capability 'ADMIN'",
             "usage: mcollctl [-c CONFIG] member add ORG_ID USER_ID [--capability CAP]..."),
            (["purge", "--deleted-before", "2026-02-30"],
             "mcollctl: purge: --deleted-before must be a date YYYY-MM-DD, not '2026-02-30'",
             "usage: mcollctl [-c CONFIG] purge --deleted-before YYYY-MM-DD"),
            (["frobnicate"], "mcollctl: unknown command 'frobnicate'",
             "usage: mcollctl [-c CONFIG] COMMAND"),
            ([], "mcollctl: missing command", "usage: mcollctl [-c CONFIG] COMMAND"),
            (["org", "add", "org_x", "--colour", "red"], "mcollctl: unknown option '--colour'",
             "usage: mcollctl [-c CONFIG] org add ORG_ID"),
        ]
        for args, first, usage in cases:
            with self.subTest(args=args):
                p = ctl(*args)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertEqual(p.stdout, "")
                lines = p.stderr.split("\n")
                self.assertEqual(lines[0], first)
                self.assertTrue(lines[1].startswith(usage), p.stderr)

    def test_unknown_capability_adds_nothing(self):
        org, user = m.new_org(), m.new_user()
        p = ctl("member", "add", org, user, "--capability", "USE_MUSIC_GENERATION",
                "--capability", "MAKE_COFFEE")
        self.assertEqual(p.returncode, 2)
        self.assertEqual(sql_value("SELECT COUNT(*) FROM memberships WHERE org_id = %s" % sqlq(org)),
                         "0")

    def test_options_anywhere(self):
        prog, conf = base_argv()
        org1, org2, org3 = ("org_t" + m.uniq(12) for _ in range(3))
        lines = [
            [prog, "-c", conf, "org", "add", org1, "--name", "First"],
            [prog, "--config", conf, "org", "add", "--name", "Second", org2],
            [prog, "org", "add", "--name=Third", org3, "--config=" + conf],
        ]
        for argv, org in zip(lines, (org1, org2, org3)):
            p = m._run(argv, check=False)
            self.assertEqual((p.returncode, p.stdout, p.stderr), (0, org + "\n", ""), argv)
        rows = sql("SELECT id, name FROM organizations WHERE id IN (%s) ORDER BY name"
                   % ", ".join(sqlq(o) for o in (org1, org2, org3)))
        self.assertEqual(rows, [[org1, "First"], [org2, "Second"], [org3, "Third"]])

    def test_config_from_environment(self):
        prog, conf = base_argv()
        env = dict(os.environ, MCOLL_CONFIG=conf)
        org = "org_t" + m.uniq(12)
        p = subprocess.run([prog, "org", "add", org], env=env, capture_output=True, text=True,
                           timeout=60)
        self.assertEqual((p.returncode, p.stdout), (0, org + "\n"), p.stderr)

    def test_bad_config(self):
        prog, _ = base_argv()
        p = m._run([prog, "-c", "/nonexistent/mcoll.conf", "key", "list", "usr_000000000000"],
                   check=False)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stderr, "mcollctl: /nonexistent/mcoll.conf: No such file or directory\n")


class CommandsTest(unittest.TestCase):
    def test_migrate_again_applies_nothing(self):
        p = ctl("migrate")
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, "", ""))

    def test_org_and_user(self):
        org = "org_t" + m.uniq(12)
        self.assertEqual(m.ctl("org", "add", org, "--name", "Ünïcode Org"), org)
        self.assertEqual(sql_value("SELECT name FROM organizations WHERE id = %s" % sqlq(org)),
                         "Ünïcode Org")
        p = ctl("org", "add", org)
        self.assertEqual((p.returncode, p.stderr), (1, "mcollctl: %s: already exists\n" % org))
        p = ctl("org", "add", "acme")
        self.assertEqual(p.returncode, 1)
        self.assertIn("organization id must be org_", p.stderr)
        email = "ctl-%s@example.test" % m.uniq(10)
        user = m.ctl("user", "add", "--email", email)
        self.assertTrue(m.RE_USER.match(user), user)
        self.assertEqual(sql_value("SELECT email FROM users WHERE id = %s" % sqlq(user)), email)
        p = ctl("user", "add", "--email", email)
        self.assertEqual((p.returncode, p.stdout), (1, ""))
        self.assertEqual(p.stderr, "mcollctl: %s: already exists\n" % email)

    def test_member_add_and_remove(self):
        t = m.new_tenant()
        m.assert_status(call("GET", cpath(t.org), t.key), 200)
        p = ctl("member", "remove", t.org, t.user)
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, "", ""))
        self.assertEqual(sql_value("SELECT COUNT(*) FROM memberships WHERE org_id = %s" % sqlq(t.org)),
                         "0")
        self.assertEqual(sql_value("SELECT COUNT(*) FROM membership_capabilities WHERE org_id = %s"
                                   % sqlq(t.org)), "0")
        m.assert_error(call("GET", cpath(t.org), t.key), 403, system_message=m.MSG_NOT_MEMBER)
        p = ctl("member", "remove", t.org, t.user)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stderr, "mcollctl: %s is not a member of %s\n" % (t.user, t.org))
        # added back without the capability: a member, but 403 for the capability
        m.ctl("member", "add", t.org, t.user)
        m.assert_error(call("GET", cpath(t.org), t.key), 403, system_message=m.MSG_NO_CAP)
        m.ctl("member", "add", t.org, t.user, "--capability", m.CAP)
        m.assert_status(call("GET", cpath(t.org), t.key), 200)
        p = ctl("member", "add", "org_tnothere000", t.user)
        self.assertEqual((p.returncode, p.stderr),
                         (1, "mcollctl: member add: no such organization or user\n"))

    def test_keys(self):
        user = m.new_user()
        p = ctl("key", "list", user)
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, "", ""))
        k1, k2 = m.new_key(user), m.new_key(user)
        rows = [l.split("\t") for l in m.ctl("key", "list", user).split("\n")]
        self.assertEqual(len(rows), 2)
        for kid, created, revoked in rows:
            self.assertRegex(kid, r"^key_[0-9a-f]{12}$")
            m.check_ts(created, "created")
            self.assertEqual(revoked, "-")
        p = ctl("key", "revoke", rows[0][0])
        self.assertEqual((p.returncode, p.stdout), (0, ""))
        after = dict((r[0], r[2]) for r in
                     (l.split("\t") for l in m.ctl("key", "list", user).split("\n")))
        m.check_ts(after[rows[0][0]], "revoked")
        self.assertEqual(after[rows[1][0]], "-")
        p = ctl("key", "revoke", rows[0][0])
        self.assertEqual((p.returncode, p.stderr),
                         (1, "mcollctl: %s: no such active key\n" % rows[0][0]))
        self.assertEqual(m.ctl("key", "revoke", k2), "")
        text = m.ctl("key", "list", user)
        self.assertNotIn(k1, text)
        self.assertNotIn(k2, text)

    def test_keys_for_unknown_user(self):
        for cmd in ("list", "add"):
            p = ctl("key", cmd, "usr_000000000000")
            self.assertEqual((p.returncode, p.stdout, p.stderr),
                             (1, "", "mcollctl: usr_000000000000: no such user\n"), cmd)

    def test_tracks(self):
        t = m.new_tenant()
        tr = m.new_track(t.org, t.user, "A title")
        self.assertEqual(sql("SELECT org_id, user_id, title FROM tracks WHERE id = %s" % sqlq(tr)),
                         [[t.org, t.user, "A title"]])
        self.assertEqual(m.ctl("track", "delete", tr), "")
        p = ctl("track", "delete", tr)
        self.assertEqual((p.returncode, p.stderr), (1, "mcollctl: %s: no such track\n" % tr))

    def test_collection_restore(self):
        t = m.new_tenant()
        tracks = [m.new_track(t.org, t.user) for _ in range(2)]
        c = m.create(t, name="restore me", description="d")
        for tr in tracks:
            m.add(t, c["id"], tr)
        before = m.get(t, c["id"])
        p = ctl("collection", "restore", c["id"])
        self.assertEqual((p.returncode, p.stderr),
                         (1, "mcollctl: %s: not a deleted collection\n" % c["id"]))
        m.assert_status(call("DELETE", cpath(t.org, c["id"]), t.key), 200)
        m.assert_error(call("GET", cpath(t.org, c["id"]), t.key), 404)
        sql("UPDATE collections SET updated_at = '2001-01-01 00:00:00' WHERE id = %s" % sqlq(c["id"]))
        p = ctl("collection", "restore", c["id"])
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, "", ""))
        after = m.get(t, c["id"])
        self.assertGreaterEqual(m.parse_ts(after.pop("updated_at")),
                                m.parse_ts(before.pop("updated_at")))
        self.assertEqual(after, before)
        self.assertEqual(sql_value("SELECT updated_at >= UTC_TIMESTAMP() - INTERVAL 60 SECOND"
                                   " FROM collections WHERE id = %s" % sqlq(c["id"])), "1")
        self.assertEqual(m.member_ids(t, c["id"]), tracks)
        p = ctl("collection", "restore", "mcoll_000000000000")
        self.assertEqual((p.returncode, p.stderr),
                         (1, "mcollctl: mcoll_000000000000: no such collection\n"))

    def test_purge(self):
        t = m.new_tenant()
        tracks = [m.new_track(t.org, t.user) for _ in range(3)]
        old, recent, live = (m.create(t, name=n)["id"] for n in ("old", "recent", "live"))
        for cid in (old, recent, live):
            for tr in tracks:
                m.add(t, cid, tr)
        for cid in (old, recent):
            m.assert_status(call("DELETE", cpath(t.org, cid), t.key), 200)
        sql("UPDATE collections SET deleted_at = '2001-02-03 04:05:06' WHERE id = %s" % sqlq(old))
        want = sql_value("SELECT COUNT(*) FROM collections WHERE deleted_at < '2001-02-04'")
        p = ctl("purge", "--deleted-before", "2001-02-04")
        self.assertEqual((p.returncode, p.stdout, p.stderr), (0, "%s\n" % want, ""))
        self.assertGreaterEqual(int(want), 1)
        self.assertEqual(sql("SELECT id FROM collections WHERE id = %s" % sqlq(old)), [])
        self.assertEqual(sql("SELECT COUNT(*) FROM collection_tracks WHERE collection_id = %s"
                             % sqlq(old)), [["0"]])
        self.assertEqual(sql("SELECT COUNT(*) FROM collection_tracks WHERE collection_id IN (%s, %s)"
                             % (sqlq(recent), sqlq(live))), [["6"]])
        self.assertEqual(m.member_ids(t, live), tracks)
        self.assertEqual(len(sql("SELECT id FROM tracks WHERE id IN (%s)"
                                 % ", ".join(sqlq(x) for x in tracks))), 3)
        # nothing left before that date: 0, and the recent deletion can still be restored
        self.assertEqual(m.ctl("purge", "--deleted-before", "2001-02-04"), "0")
        self.assertEqual(m.ctl("collection", "restore", recent), "")
        self.assertEqual(m.member_ids(t, recent), tracks)

    def test_purge_large_collection(self):
        """2500 entries: more than one purge transaction holds (1000 rows)."""
        t = m.new_tenant()
        cid = m.create(t, name="big")["id"]
        n = 2500
        ids = ["mtrack_%012x" % (int(m.uniq(8), 16) * 4096 + i) for i in range(n)]
        sql("INSERT INTO tracks (id, org_id, user_id, title, created_at) VALUES "
            + ", ".join("(%s, %s, %s, NULL, UTC_TIMESTAMP(6))" % (sqlq(i), sqlq(t.org), sqlq(t.user))
                        for i in ids))
        sql("INSERT INTO collection_tracks (collection_id, track_id, sort_key, added_at) VALUES "
            + ", ".join("(%s, %s, %d, UTC_TIMESTAMP(6))" % (sqlq(cid), sqlq(tr), p)
                        for p, tr in enumerate(ids)))
        sql("UPDATE collections SET track_count = %d, deleted_at = '2002-03-04 00:00:00' WHERE id = %s"
            % (n, sqlq(cid)))
        want = sql_value("SELECT COUNT(*) FROM collections WHERE deleted_at < '2002-03-05'")
        commits = int(sql("SHOW GLOBAL STATUS LIKE 'Com_commit'")[0][1])
        self.assertEqual(m.ctl("purge", "--deleted-before", "2002-03-05"), want)
        # 1000 + 1000 + 500 rows and the collection: three transactions
        # (the suite runs one test at a time; idle workers commit nothing)
        self.assertEqual(int(sql("SHOW GLOBAL STATUS LIKE 'Com_commit'")[0][1]) - commits, 3)
        self.assertEqual(sql("SELECT id FROM collections WHERE id = %s" % sqlq(cid)), [])
        self.assertEqual(sql_value("SELECT COUNT(*) FROM collection_tracks WHERE collection_id = %s"
                                   % sqlq(cid)), "0")


class CheckTest(unittest.TestCase):
    """mcollctl check, on the stack's config and on broken copies of it."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mcoll-check-")
        _, self.conf = base_argv()
        with open(self.conf) as f:
            self.text = f.read()

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def variant(self, **changes):
        out = []
        for line in self.text.split("\n"):
            key = line.split("=", 1)[0].strip()
            if key in changes:
                line = "%s = %s" % (key, changes.pop(key))
            out.append(line)
        out += ["%s = %s" % kv for kv in changes.items()]
        path = os.path.join(self.dir, "mcoll.conf")
        with open(path, "w") as f:
            f.write("\n".join(out))
        return path

    def check(self, conf):
        prog, _ = base_argv()
        env = dict(os.environ)
        env.pop("MCOLL_DB_PASSWORD", None)
        return subprocess.run([prog, "-c", conf, "check"], capture_output=True, text=True,
                              timeout=60, env=env)

    def setting(self, key):
        for line in self.text.split("\n"):
            if line.split("=", 1)[0].strip() == key:
                return line.split("=", 1)[1].strip()
        return None

    def test_all_good(self):
        p = self.check(self.conf)
        self.assertEqual((p.returncode, p.stderr), (0, ""), p.stdout)
        lines = p.stdout.rstrip("\n").split("\n")
        self.assertEqual(len(lines), 4, p.stdout)
        self.assertEqual(lines[0], "ok   config %s" % self.conf)
        self.assertTrue(lines[1].startswith("ok   password file %s (mode 06" % self.setting("db_password_file")),
                        lines[1])
        self.assertTrue(lines[2].startswith("ok   database mcoll on "), lines[2])
        n = len([f for f in os.listdir(self.setting("migrations_dir")) if re.match(r"^\d.*\.sql$", f)])
        self.assertEqual(lines[3], "ok   migrations %d of %d applied (%s)"
                         % (n, n, self.setting("migrations_dir")))

    def test_bad_config(self):
        p = self.check(self.variant(colour="red"))
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stdout, "FAIL config: %s: line %d: unknown key 'colour'\n"
                         % (os.path.join(self.dir, "mcoll.conf"), len(self.text.split("\n")) + 1))

    def test_world_readable_password(self):
        pw = os.path.join(self.dir, "pw")
        shutil.copy(self.setting("db_password_file"), pw)
        os.chmod(pw, 0o644)
        p = self.check(self.variant(db_password_file=pw))
        self.assertEqual(p.returncode, 1)
        lines = p.stdout.split("\n")
        self.assertEqual(lines[1], "FAIL password file %s: readable or writable by everyone (mode 0644)"
                         % pw)
        self.assertTrue(lines[2].startswith("ok   database"), p.stdout)
        os.chmod(pw, 0o640)
        self.assertEqual(self.check(self.variant(db_password_file=pw)).returncode, 0)

    def test_database_down(self):
        p = self.check(self.variant(db_socket=os.path.join(self.dir, "no.sock")))
        self.assertEqual(p.returncode, 1)
        lines = p.stdout.rstrip("\n").split("\n")
        self.assertEqual(len(lines), 4, p.stdout)
        self.assertTrue(lines[2].startswith("FAIL database: Can't connect"), lines[2])
        self.assertEqual(lines[3], "FAIL migrations: not checked (no database)")
        self.assertEqual(p.stderr, "")

    def test_pending_migration(self):
        mig = os.path.join(self.dir, "sql")
        shutil.copytree(self.setting("migrations_dir"), mig)
        with open(os.path.join(mig, "998_later.sql"), "w") as f:
            f.write("SELECT 1;\n")
        with open(os.path.join(mig, "999_later.sql"), "w") as f:
            f.write("SELECT 1;\n")
        p = self.check(self.variant(migrations_dir=mig))
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stdout.rstrip("\n").split("\n")[3],
                         "FAIL migrations: not applied: 998_later.sql 999_later.sql "
                         "(run mcollctl migrate)")


if __name__ == "__main__":
    unittest.main()
