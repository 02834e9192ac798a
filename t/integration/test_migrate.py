"""Migrations convert existing data: a database at 001 with ordered
memberships, then 002 (sort keys and the block index) on top of it."""

import os
import random
import secrets
import shlex
import shutil
import tempfile
import unittest

import mcoll as m

HERE = os.path.dirname(os.path.abspath(__file__))
SQL_DIR = os.path.join(HERE, "..", "..", "sql")


class MigrationTest(unittest.TestCase):
    def setUp(self):
        self.db = "mcoll_mig_" + secrets.token_hex(4)
        self.tmp = tempfile.mkdtemp(prefix="mcoll-mig-")
        m.sql("CREATE DATABASE `%s` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;"
              "GRANT ALL PRIVILEGES ON `%s`.* TO 'mcoll'@'localhost';"
              "GRANT ALL PRIVILEGES ON `%s`.* TO 'mcoll'@'127.0.0.1';"
              % (self.db, self.db, self.db))
        self.only001 = os.path.join(self.tmp, "sql")
        os.mkdir(self.only001)
        shutil.copy(os.path.join(SQL_DIR, "001_schema.sql"), self.only001)

    def tearDown(self):
        m.sql("DROP DATABASE IF EXISTS `%s`" % self.db)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def migrate(self, migrations_dir):
        """mcollctl migrate against the scratch database; returns stdout."""
        with open(os.environ["MCOLL_CONFIG"]) as f:
            lines = [l for l in f.read().splitlines()
                     if not l.strip().startswith(("db_name", "migrations_dir"))]
        conf = os.path.join(self.tmp, "mcoll.conf")
        with open(conf, "w") as f:
            f.write("\n".join(lines + ["db_name = " + self.db,
                                       "migrations_dir = " + migrations_dir]) + "\n")
        argv = shlex.split(os.environ["MCOLLCTL"])
        binary = argv[0]
        return m._run([binary, "-c", conf, "migrate"]).stdout

    def q(self, sql):
        return m.sql(sql.replace("DB.", "`%s`." % self.db))

    def test_002_converts_positions(self):
        self.migrate(self.only001)
        self.assertEqual([r[0] for r in self.q("SELECT version FROM DB.schema_migrations")],
                         ["001_schema.sql"])
        org, user = "org_mig", "usr_" + secrets.token_hex(6)
        sizes = {"mcoll_%s" % secrets.token_hex(6): n for n in (0, 1, 128, 129, 300)}
        tracks = ["mtrack_%s" % secrets.token_hex(6) for _ in range(300)]
        self.q("INSERT INTO DB.organizations VALUES ('%s', 'Mig', UTC_TIMESTAMP(6));"
               "INSERT INTO DB.users VALUES ('%s', 'mig@example.com', UTC_TIMESTAMP(6));"
               "INSERT INTO DB.tracks (id, org_id, user_id, title, created_at) VALUES %s;"
               % (org, user, ",".join("('%s','%s','%s',NULL,UTC_TIMESTAMP(6))" % (t, org, user)
                                      for t in tracks)))
        want = {}
        rng = random.Random(7)
        for cid, n in sizes.items():
            order = rng.sample(tracks, n)
            want[cid] = order
            self.q("INSERT INTO DB.collections (id, org_id, user_id, name, track_count, created_at,"
                   " updated_at) VALUES ('%s', '%s', '%s', 'c', %d, UTC_TIMESTAMP(), UTC_TIMESTAMP(6))"
                   % (cid, org, user, n))
            if n:
                # stored in an order other than by position
                rows = list(enumerate(order))
                rng.shuffle(rows)
                self.q("INSERT INTO DB.collection_tracks (collection_id, track_id, position, added_at)"
                       " VALUES %s" % ",".join("('%s','%s',%d,UTC_TIMESTAMP(6))" % (cid, t, p)
                                               for p, t in rows))
        out = self.migrate(os.path.abspath(SQL_DIR))
        self.assertIn("002_order_keys.sql", out)
        self.assertEqual(sorted(r[0] for r in self.q("SELECT version FROM DB.schema_migrations")),
                         sorted(f for f in os.listdir(SQL_DIR) if f.endswith(".sql")))
        self.assertIn("002_order_keys.sql", os.listdir(SQL_DIR))
        cols = [r[0] for r in self.q(
            "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '%s'"
            " AND TABLE_NAME = 'collection_tracks' ORDER BY ORDINAL_POSITION" % self.db)]
        self.assertEqual(cols, ["collection_id", "track_id", "sort_key", "added_at"])
        for cid, order in want.items():
            got = [r[0] for r in self.q("SELECT track_id FROM DB.collection_tracks WHERE"
                                        " collection_id = '%s' ORDER BY sort_key" % cid)]
            self.assertEqual(got, order, "order of %s changed" % cid)
            blocks = [(int(a), int(b)) for a, b in self.q(
                "SELECT first_key, entries FROM DB.collection_blocks WHERE collection_id = '%s'"
                " ORDER BY first_key" % cid)]
            n = len(order)
            self.assertEqual([b[1] for b in blocks],
                             [min(128, n - i) for i in range(0, n, 128)], cid)
            self.assertEqual([b[0] for b in blocks], list(range(0, n, 128)), cid)
            self.assertEqual(int(self.q("SELECT track_count FROM DB.collections WHERE id = '%s'"
                                        % cid)[0][0]), n)
        # a second run applies nothing
        self.assertNotIn("002_order_keys.sql", self.migrate(os.path.abspath(SQL_DIR)))


if __name__ == "__main__":
    unittest.main()
