"""mcolld on a 3-node Galera cluster (the stack of t/cluster/run).

- The workers spread over the nodes (db_hosts, by worker slot).
- Galera's certification failure is error 1213 on COMMIT, and mcolld
  retries it like a deadlock: concurrent adds to one collection through
  workers on different nodes all succeed, each exactly once.
- A node SIGKILLed during concurrent mutations of one collection: no
  acknowledged change is lost, every node holds the same, consistent data
  (each node queried directly), the only failures are the 503 envelope of
  requests cut by the kill, and the node rejoins by IST and serves again.
"""

import os
import re
import shlex
import subprocess
import threading
import time
import unittest

import mcoll as m
from mcoll import cpath

NODES = int(os.environ.get("MCOLL_CLUSTER_NODES", "3"))


def node_sock(n):
    return os.path.join(os.environ["MCOLL_CLUSTER_VAR"], str(n), "run", "mysqld.sock")


# A session's reads wait until its node has applied every write set
# committed anywhere before them (as the workers' do): what a test wrote
# through a worker on another node is there when it reads.
CAUSAL = "--init-command=SET@@SESSION.wsrep_sync_wait=1"


def node_sql_argv(n, causal=True):
    return ["mariadb", "--no-defaults", "-S", node_sock(n), "-u", "root"] + ([CAUSAL] if causal else []) + ["mcoll"]


def node_sql(n, query):
    """Rows of query on node n alone, read causally (wsrep_sync_wait)."""
    p = m._run(node_sql_argv(n) + ["-N", "-B", "-e", query], timeout=60)
    return [line.split("\t") for line in p.stdout.split("\n") if line]


class on_node:
    """Within the block, the suite's SQL helpers (m.sql) talk to node n."""

    def __init__(self, n):
        self.n = n

    def __enter__(self):
        self.saved = os.environ["MCOLL_SQL"]
        os.environ["MCOLL_SQL"] = " ".join(shlex.quote(a) for a in node_sql_argv(self.n))

    def __exit__(self, *exc):
        os.environ["MCOLL_SQL"] = self.saved


def cluster(*args, timeout=150):
    return m._run(shlex.split(os.environ["MCOLL_DBCTL"]) + [str(a) for a in args], timeout=timeout)


def mcoll_sessions(n):
    return int(node_sql(n, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'mcoll'")[0][0])


def cluster_size(n):
    """wsrep_cluster_size as node n sees it (no causal wait), 0 if it does not answer."""
    p = m._run(node_sql_argv(n, causal=False) + ["-N", "-B", "-e", "SHOW GLOBAL STATUS LIKE 'wsrep_cluster_size'"],
               check=False, timeout=30)
    parts = p.stdout.split()
    return int(parts[1]) if p.returncode == 0 and len(parts) == 2 else 0


def log_since(mark):
    return m.read_log()[mark:]


def retries(text):
    return len(re.findall(r"transaction retry \d+ after: Deadlock", text))


class AllNodesTest(unittest.TestCase):
    def test_workers_on_every_node(self):
        # after a restart of the whole cluster (the suite does some) the
        # workers that had moved go back to their nodes within 5 s, idle
        m.wait_for(lambda: all(mcoll_sessions(n) > 0 for n in range(1, NODES + 1)), 15, step=0.5)
        counts = [mcoll_sessions(n) for n in range(1, NODES + 1)]
        print("\n  mcoll sessions per node: %r" % counts)
        for n, c in enumerate(counts, 1):
            self.assertGreater(c, 0, "no worker connected to node %d" % n)
        self.assertEqual(sum(counts), len(m.worker_pids()))

    def test_migrations_on_every_node(self):
        want = sorted(f for f in os.listdir(os.path.join(os.environ["MCOLL_ROOT"], "sql"))
                      if f.endswith(".sql"))
        for n in range(1, NODES + 1):
            got = [r[0] for r in node_sql(n, "SELECT version FROM schema_migrations ORDER BY version")]
            self.assertEqual(got, want, "node %d" % n)
            # the ALTER TABLEs of the migrations reached every node (TOI)
            cols = [r[0] for r in node_sql(n, "SELECT COLUMN_NAME FROM information_schema.COLUMNS"
                                              " WHERE TABLE_SCHEMA = 'mcoll' AND TABLE_NAME ="
                                              " 'collection_tracks' ORDER BY ORDINAL_POSITION")]
            self.assertIn("sort_key", cols, "node %d" % n)
            self.assertNotIn("position", cols, "node %d" % n)


class CertificationTest(unittest.TestCase):
    def test_commit_fails_certification_with_1213(self):
        a = m.new_tenant()
        cid = m.create(a, name="cert")["id"]
        # node 1 updates the row and waits; node 2 updates and commits
        # first; node 1's COMMIT then fails certification
        p = subprocess.Popen(node_sql_argv(1) + ["-N", "-B", "-n"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        try:
            p.stdin.write("START TRANSACTION; UPDATE collections SET name = 'one' WHERE id = '%s';"
                          " SELECT 'updated';\n" % cid)
            p.stdin.flush()
            self.assertEqual(p.stdout.readline().strip(), "updated")
            node_sql(2, "UPDATE collections SET name = 'two' WHERE id = '%s'" % cid)
            p.stdin.write("COMMIT;\n")
            out, err = p.communicate(timeout=30)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.assertIn("ERROR 1213", err)
        for n in range(1, NODES + 1):
            self.assertEqual(node_sql(n, "SELECT name FROM collections WHERE id = '%s'" % cid), [["two"]])

    def test_concurrent_adds_through_all_nodes(self):
        a = m.new_tenant()
        cid = m.create(a, name="cert-adds")["id"]
        per, threads = 8, 6
        tracks = [[m.new_track(a.org, a.user) for _ in range(per)] for _ in range(threads)]
        mark = len(m.read_log())

        def job(k):
            def run(c):
                return [c.call("POST", cpath(a.org, cid, "tracks"), a.key, body={"track_id": t}).status
                        for t in tracks[k]]
            return run
        results = m.run_parallel([job(k) for k in range(threads)], timeout=120)
        n_retry = retries(log_since(mark))
        print("\n  %d concurrent adds: %d transaction retries (deadlocks and certification failures)"
              % (per * threads, n_retry))
        for r in results:
            self.assertEqual(r, [200] * per)
        want = sorted(t for ts in tracks for t in ts)
        for n in range(1, NODES + 1):
            with on_node(n):
                got = m.assert_db_consistent(self, cid)
            self.assertEqual(sorted(got), want, "node %d" % n)
        self.assertEqual(m.get(a, cid)["track_count"], per * threads)
        self.assertGreater(n_retry, 0, "no conflict was retried: the test did not test it")


class NodeKillTest(unittest.TestCase):
    THREADS = 4
    VICTIM = 2

    def test_kill_node_during_mutations_of_one_collection(self):
        a = m.new_tenant()
        cid = m.create(a, name="node-kill")["id"]
        own = [[m.new_track(a.org, a.user) for _ in range(3)] for _ in range(self.THREADS)]
        slot, lock = {}, threading.Lock()
        last = [dict() for _ in range(self.THREADS)]   # track -> last op if acknowledged, else None
        bad = []
        codes = {}

        def request(c, i):
            with lock:
                k = slot.setdefault(threading.get_ident(), len(slot))
            tracks = own[k]
            tr = tracks[i % len(tracks)]
            op, r = m.mixed_mutation(c, a, cid, tracks, i)
            if op:
                last[k][tr] = op if r.status == 200 else None
            with lock:
                codes[r.status] = codes.get(r.status, 0) + 1
            if r.status != 200:
                try:
                    m.assert_error(r, 503)
                except AssertionError as e:
                    with lock:
                        bad.append(str(e)[:300])
            return r

        mark = len(m.read_log())
        rejoin = ""
        with m.Load(request, threads=self.THREADS, seconds=100, pause=0.01) as load:
            time.sleep(1.5)
            t_kill = time.time()
            cluster("kill", self.VICTIM)
            try:
                # until the others have evicted it, then commits go on
                # without it for 2 s: it has write sets to catch up on
                evicted = m.wait_for(lambda: cluster_size(1) == NODES - 1, 30, step=0.5)
                t_evicted = time.time()
                time.sleep(2.0)
            finally:
                t_start = time.time()
                rejoin = cluster("start", self.VICTIM).stderr
            t_up = time.time()
            # the node serves again: workers whose home it is go back
            back = m.wait_for(lambda: mcoll_sessions(self.VICTIM) > 0, 20, step=0.5)
            t_back = time.time()
            time.sleep(2.0)
        res = load.results
        errors = [r for r in res if r[3] is not None]
        after = [r for r in res if r[0] >= t_up + 1.0]
        transfer = re.findall(r"state transfer: (.*)", rejoin)
        print("\n  node %d killed: %d requests, statuses %r; rejoin took %.1f s (%s); "
              "serving again %.1f s after it was synced; max latency %.0f ms; %d retries"
              % (self.VICTIM, len(res), codes, t_up - t_start, transfer[-1] if transfer else "?",
                 t_back - t_up, max(r[1] for r in res) * 1000, retries(log_since(mark))))
        print("  node %d evicted %.1f s after the kill" % (self.VICTIM, t_evicted - t_kill))
        self.assertTrue(evicted, "node %d was not evicted" % self.VICTIM)
        self.assertEqual(errors, [], "requests without an HTTP answer")
        self.assertEqual(bad, [], "non-2xx answers other than the 503 envelope")
        self.assertTrue(transfer and transfer[-1].startswith("IST"), rejoin[-2000:])
        self.assertTrue(back, "no worker went back to node %d" % self.VICTIM)
        self.assertTrue(after, "no requests after the rejoin")
        self.assertEqual([r for r in after if r[2] != 200], [], "failures after the rejoin")
        # (answered before the kill: a request in flight at the kill may be
        # one that waited for the killed node and was cut)
        self.assertEqual([r for r in res if r[0] + r[1] < t_kill and r[2] != 200], [],
                         "failures before the kill")

        # every node holds the same consistent collection, with every
        # acknowledged change
        seen = None
        for n in range(1, NODES + 1):
            with on_node(n):
                rows = m.assert_db_consistent(self, cid)
            for k in range(self.THREADS):
                for tr, op in last[k].items():
                    if op == "add":
                        self.assertIn(tr, rows, "acknowledged add lost on node %d" % n)
                    elif op == "remove":
                        self.assertNotIn(tr, rows, "acknowledged remove lost on node %d" % n)
            if seen is not None:
                self.assertEqual(rows, seen, "node %d differs from node 1" % n)
            seen = rows
        self.assertEqual(m.member_ids(a, cid), seen)


if __name__ == "__main__":
    unittest.main()
