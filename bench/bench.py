#!/usr/bin/env python3
"""bench.py -- dev/bench's load benchmark of a running dev stack (dev/up).

Seeds a tenant mix once per stack (10 organizations, 200 members with a
key each, 10 collections per member, 20 collections of 200 tracks, a spare
track per member), starts the FastCGI ceiling (bench/ceiling.c: a bare
libfcgi responder with the same workers, behind the same nginx and TLS),
then runs wrk over TLS for every case and connection count, one case after
the other in one run, and prints for each: requests/s, p50, p99 and max
latency, non-2xx answers, CPU microseconds per request of each process
group (nginx, mcolld, mariadbd, ceiling; from /proc), and the ratio to the
ceiling at the same connection count.

    dev/bench [--seconds 10] [--conns "8 32 128"] [--cases "..."] [--results DIR]
"""
import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "t", "integration"))
import mcoll as m  # noqa: E402

VAR = os.environ["MCOLL_VAR"]
RUN = os.path.join(VAR, "run")
NGINX_DIR = os.path.join(VAR, "nginx")
HZ = os.sysconf("SC_CLK_TCK")
CASES = ["ceiling", "get", "list", "tracks", "mutate"]


def say(*a):
    print(*a, flush=True)


def pid_of(name):
    with open(os.path.join(RUN, name)) as f:
        return int(f.read().strip())


def group(pid):
    """pid and its children."""
    kids = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True,
                          text=True).stdout.split()
    return [pid] + [int(k) for k in kids]


def ticks(pids):
    total = 0
    for p in pids:
        try:
            with open("/proc/%d/stat" % p) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total


# ---------------------------------------------------------------- seeding

def seed(path):
    """The tenant mix; its targets file is kept in VAR and reused."""
    if os.path.exists(path):
        return
    say("seeding the benchmark tenants (once per stack)")
    t0 = time.time()
    lines = []
    tag = m.uniq(4)
    orgs = ["org_bench%s%02d" % (tag, i) for i in range(10)]
    for o in orgs:
        m.ctl("org", "add", o, "--name", "Bench " + o)
    members = []
    for i in range(200):
        org = orgs[i % 10]
        user = m.ctl("user", "add", "--email", "bench%03d-%s@example.com" % (i, m.uniq(4)))
        m.ctl("member", "add", org, user, "--capability", m.CAP)
        members.append((org, user, m.ctl("key", "add", user)))
    # tracks by SQL (as an import would): 200 per organization and a spare
    # per member
    rows, spares = [], {}
    for oi, org in enumerate(orgs):
        owner = [u for o, u, _ in members if o == org][0]
        for n in range(200):
            rows.append("('mtrack_%s%02d%06x','%s','%s','Bench %d',UTC_TIMESTAMP(6))" % (tag, oi, n, org, owner, n))
    for i, (org, user, _) in enumerate(members):
        spares[user] = "mtrack_%sff%06x" % (tag, i)
        rows.append("('%s','%s','%s','Spare',UTC_TIMESTAMP(6))" % (spares[user], org, user))
    m.sql("INSERT INTO tracks (id, org_id, user_id, title, created_at) VALUES %s" % ",".join(rows))
    c = m.Client()
    tracks_coll = {}
    for i, (org, user, key) in enumerate(members):
        cids = []
        for j in range(10):
            r = c.call("POST", m.cpath(org), key,
                       body={"name": "Bench %d.%d" % (i, j), "description": "dev/bench collection"})
            m.assert_status(r, 201)
            cids.append(r.json["id"])
        if i < 20:  # one 200-track collection for each of 20 members (2 per org)
            oi = orgs.index(org)
            tc = cids[0]
            m.sql("INSERT INTO collection_tracks (collection_id, track_id, sort_key, added_at)"
                  " SELECT '%s', CONCAT('mtrack_%s%02d', LOWER(LPAD(HEX(seq), 6, '0'))), seq, UTC_TIMESTAMP(6)"
                  " FROM seq_0_to_199;"
                  "UPDATE collections SET track_count = 200 WHERE id = '%s';"
                  "INSERT INTO collection_blocks (collection_id, first_key, entries)"
                  " SELECT '%s', MIN(sort_key), COUNT(*) FROM (SELECT sort_key,"
                  " (ROW_NUMBER() OVER (ORDER BY sort_key) - 1) DIV 128 AS b FROM collection_tracks"
                  " WHERE collection_id = '%s') x GROUP BY b" % (tc, tag, oi, tc, tc, tc))
            tracks_coll[user] = tc
        for cid in cids:
            lines.append("%s %s %s %s %s" % (org, cid, key, spares[user], tracks_coll.get(user, "-")))
    c.close()
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.chmod(tmp, 0o600)
    os.rename(tmp, path)
    say("seeded in %.1f s: %d collections" % (time.time() - t0, len(lines)))


# ---------------------------------------------------------------- ceiling

def nginx(*args):
    subprocess.run(["nginx", "-e", os.path.join(VAR, "log", "nginx-error.log"),
                    "-c", os.path.join(NGINX_DIR, "nginx.conf"), "-p", NGINX_DIR + "/"] + list(args),
                   check=True, env=dict(os.environ, TZ="UTC"))


class Ceiling:
    def __init__(self, binary, workers, port, body):
        self.sock = os.path.join(RUN, "bench-ceiling.sock")
        self.body = os.path.join(VAR, "bench-body.json")
        with open(self.body, "wb") as f:
            f.write(body)
        self.proc = subprocess.Popen([binary, self.sock, str(workers), self.body])
        for _ in range(50):
            if os.path.exists(self.sock):
                break
            time.sleep(0.1)
        os.makedirs(os.path.join(NGINX_DIR, "bench.d"), exist_ok=True)
        self.conf = os.path.join(NGINX_DIR, "bench.d", "ceiling.conf")
        tls = os.path.join(VAR, "tls")
        with open(self.conf, "w") as f:
            f.write("""# dev/bench: the FastCGI ceiling, same nginx, same TLS
server {
    listen 127.0.0.1:%d ssl;
    ssl_certificate %s/cert.pem;
    ssl_certificate_key %s/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:bench_ssl:1m;
    access_log off;
    location / {
        fastcgi_pass unix:%s;
        include /etc/nginx/fastcgi_params;
    }
}
""" % (port, tls, tls, self.sock))
        nginx("-s", "reload")
        time.sleep(1)
        self.pid = self.proc.pid

    def stop(self):
        try:
            os.unlink(self.conf)
            nginx("-s", "reload")
        finally:
            self.proc.terminate()
            self.proc.wait(timeout=10)


# ---------------------------------------------------------------- wrk

def wrk(url, mode, targets, conns, seconds):
    argv = ["wrk", "-t2", "-c%d" % conns, "-d%ds" % seconds, "--latency", "-s",
            os.path.join(HERE, "wrk.lua"), url, "--", mode, targets]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60).stdout
    mt = re.search(r"^RESULT (.*)$", out, re.M)
    if not mt:
        raise RuntimeError("wrk printed no RESULT line:\n" + out)
    return {k: float(v) for k, v in (kv.split("=") for kv in mt.group(1).split())}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=int(os.environ.get("MCOLL_BENCH_SECONDS", 10)))
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--conns", default=os.environ.get("MCOLL_BENCH_CONNS", "8 32 128"))
    ap.add_argument("--cases", default=" ".join(CASES))
    ap.add_argument("--ceiling-port", type=int, default=int(os.environ.get("MCOLL_BENCH_CEILING_PORT", 0)))
    ap.add_argument("--ceiling", default=os.path.join(ROOT, "bench", "ceiling"))
    ap.add_argument("--results", default=os.environ.get("MCOLL_BENCH_RESULTS", ""))
    a = ap.parse_args()
    cases = a.cases.split()
    conns = [int(c) for c in a.conns.split()]
    base = os.environ["MCOLL_BASE_URL"]
    port = a.ceiling_port or int(base.rsplit(":", 1)[1]) + 2
    results = a.results or os.path.join(VAR, "bench", time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()))
    os.makedirs(results, exist_ok=True)
    targets = os.path.join(VAR, "bench-targets.txt")
    seed(targets)
    with open(targets) as f:
        org, cid, key = f.readline().split()[:3]
    body = m.Client().call("GET", m.cpath(org, cid), key).body
    workers = int(re.search(r"^workers\s*=\s*(\d+)", open(os.environ["MCOLL_CONFIG"]).read(), re.M).group(1))
    ceiling = Ceiling(a.ceiling, workers, port, body) if "ceiling" in cases else None
    rows = []
    try:
        groups = {"nginx": pid_of("nginx.pid"), "mcolld": pid_of("mcolld.pid"),
                  "mariadbd": pid_of("mysqld.pid")}
        if ceiling:
            groups["ceiling"] = ceiling.pid
        for case in cases:
            url = ("https://127.0.0.1:%d" % port) if case == "ceiling" else base
            for c in conns:
                wrk(url, case, targets, c, a.warmup)
                pids = {g: group(p) for g, p in groups.items()}
                before = {g: ticks(p) for g, p in pids.items()}
                r = wrk(url, case, targets, c, a.seconds)
                after = {g: ticks(p) for g, p in pids.items()}
                n = max(r["requests"], 1)
                r.update(case=case, conns=c)
                for g in pids:
                    r[g + "_us"] = (after[g] - before[g]) / HZ * 1e6 / n
                rows.append(r)
                say("%-8s c=%-4d %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  max %7.2f ms  non2xx %d errors %d"
                    % (case, c, r["rps"], r["p50_ms"], r["p99_ms"], r["max_ms"], r["non2xx"], r["errors"]))
    finally:
        if ceiling:
            ceiling.stop()
    ceil = {r["conns"]: r["rps"] for r in rows if r["case"] == "ceiling"}
    hdr = ["case", "conns", "req/s", "p50 ms", "p99 ms", "max ms", "non-2xx", "errors",
           "nginx µs", "mcolld µs", "mariadbd µs", "÷ ceiling"]
    table = ["| " + " | ".join(hdr) + " |", "|" + "---|" * len(hdr)]
    for r in rows:
        ratio = r["rps"] / ceil[r["conns"]] if r["conns"] in ceil else float("nan")
        table.append("| %s | %d | %.0f | %.2f | %.2f | %.2f | %d | %d | %.0f | %.0f | %.0f | %.2f |" % (
            r["case"], r["conns"], r["rps"], r["p50_ms"], r["p99_ms"], r["max_ms"], r["non2xx"],
            r["errors"], r["nginx_us"], r["mcolld_us"] if r["case"] != "ceiling" else r.get("ceiling_us", 0),
            r["mariadbd_us"], ratio))
    text = "\n".join(table)
    with open(os.path.join(results, "table.md"), "w") as f:
        f.write(text + "\n")
    with open(os.path.join(results, "results.json"), "w") as f:
        json.dump(rows, f, indent=1)
    say("\n" + text + "\n\n(mcolld µs of the ceiling row is the ceiling's own CPU; results in %s)" % results)


if __name__ == "__main__":
    main()
