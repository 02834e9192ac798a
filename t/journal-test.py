#!/usr/bin/env python3
"""Reads mcoll's log entries back from a real systemd-journald.

    python3 t/journal-test.py PATH/TO/t/log_probe

A private journald runs in a mount namespace of its own (unshare --mount,
tmpfs over /run/systemd, /run/log and /var/log/journal: the host's journal
is neither seen nor touched); t/log_probe writes its entries with
JOURNAL_STREAM naming its stderr, and journalctl -o json reads them back.
Needs root, unshare and systemd-journald; without them it says so and
counts nothing.  Last line: "journal: N passed, M failed".
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

JOURNALD = "/lib/systemd/systemd-journald"

SCRIPT = r"""
set -e
mount -t tmpfs tmpfs /run/systemd
mkdir -p /run/log && mount -t tmpfs tmpfs /run/log
[ -d /var/log/journal ] && mount -t tmpfs tmpfs /var/log/journal
"$JOURNALD" &
jd=$!
for i in $(seq 100); do [ -S /run/systemd/journal/socket ] && break; sleep 0.1; done
st=$(stat -c '%d:%i' "$ERRFILE")
JOURNAL_STREAM=$st "$PROBE" 2>>"$ERRFILE"
sleep 0.3
journalctl -D /run/log/journal -o json --no-pager SYSLOG_IDENTIFIER=mcolld > "$OUT"
kill "$jd"
wait "$jd" || true
"""

passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok   %s" % name)
    else:
        failed += 1
        print("FAIL %s %s" % (name, detail))


def main(probe):
    missing = [w for w, ok in (("root", os.geteuid() == 0), ("unshare", shutil.which("unshare")),
                               (JOURNALD, os.access(JOURNALD, os.X_OK)),
                               ("journalctl", shutil.which("journalctl")),
                               (probe, os.access(probe, os.X_OK))) if not ok]
    if missing:
        print("journal: not run, missing: %s" % ", ".join(missing))
        print("journal: 0 passed, 0 failed")
        return 0
    tmp = tempfile.mkdtemp(prefix="mcoll-journal-")
    try:
        out, err = os.path.join(tmp, "entries.json"), os.path.join(tmp, "stderr")
        open(err, "w").close()
        env = dict(os.environ, JOURNALD=JOURNALD, PROBE=os.path.abspath(probe), OUT=out, ERRFILE=err)
        p = subprocess.run(["unshare", "--mount", "--propagation", "private", "bash", "-c", SCRIPT],
                           env=env, capture_output=True, text=True, timeout=60)
        if p.returncode != 0 and "unshare" in p.stderr and not os.path.exists(out):
            print("journal: not run, no mount namespace here: %s" % p.stderr.strip()[:200])
            print("journal: 0 passed, 0 failed")
            return 0
        check("private journald ran", p.returncode == 0, p.stderr[-500:])
        entries = []
        if os.path.exists(out):
            with open(out) as f:
                entries = [json.loads(l) for l in f if l.strip()]
        with open(err) as f:
            check("nothing went to stderr", f.read() == "")
        run(entries)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("journal: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def mcoll_fields(e):
    return {k: v for k, v in e.items() if k.startswith("MCOLL_")}


def run(entries):
    by_msg = {}
    for e in entries:
        by_msg.setdefault(e.get("MESSAGE"), []).append(e)
    req = by_msg.get("req_0123456789abcdef0123456789abcdef DELETE "
                     "/v1/music/org_probe/collections/mcoll_00000000abcd/tracks/mtrack_00000000abcd "
                     "200 4.3ms user=usr_0123456789ab", [])
    check("one request entry", len(req) == 1, repr(list(by_msg)))
    if req:
        e = req[0]
        check("request PRIORITY and SYSLOG_IDENTIFIER",
              (e.get("PRIORITY"), e.get("SYSLOG_IDENTIFIER")) == ("6", "mcolld"), repr(e))
        want = {"MCOLL_TRACE_ID": "req_0123456789abcdef0123456789abcdef",
                "MCOLL_METHOD": "DELETE",
                "MCOLL_ROUTE": "/v1/music/:org/collections/:coll/tracks/:track",
                "MCOLL_STATUS": "200", "MCOLL_DURATION_US": "4321",
                "MCOLL_USER_ID": "usr_0123456789ab"}
        check("request MCOLL_* fields", mcoll_fields(e) == want, repr(mcoll_fields(e)))
    anon = by_msg.get("req_fedcba9876543210fedcba9876543210 GET /nowhere 404 0.0ms user=-", [])
    check("unrouted, unauthenticated request entry", len(anon) == 1 and mcoll_fields(anon[0]) == {
        "MCOLL_TRACE_ID": "req_fedcba9876543210fedcba9876543210", "MCOLL_METHOD": "GET",
        "MCOLL_ROUTE": "-", "MCOLL_STATUS": "404", "MCOLL_DURATION_US": "17"},
        repr(anon and mcoll_fields(anon[0])))
    err = by_msg.get("req_0123456789abcdef0123456789abcdef: database error 1146: no such table", [])
    check("error entry with its trace id", len(err) == 1 and err[0].get("PRIORITY") == "3"
          and mcoll_fields(err[0]) == {"MCOLL_TRACE_ID": "req_0123456789abcdef0123456789abcdef"},
          repr(err))
    storm = [e for e in entries if e.get("MESSAGE", "").startswith("database connect failed: probe")]
    check("a storm of 100 identical warnings is one entry",
          len(storm) == 1 and storm[0].get("PRIORITY") == "4", repr(storm))
    check("other entries too", len(by_msg.get("probe done", [])) == 1, repr(list(by_msg)))
    check("no key, password or body", not any(
        w in json.dumps(entries) for w in ("mck_", "PASSWORD", "password", "MCOLL_BODY")))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "t/log_probe"))
