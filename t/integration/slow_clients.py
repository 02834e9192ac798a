#!/usr/bin/env python3
"""Slow clients must not starve others (a CI step of dev/test).

    set -a; . "$MCOLL_VAR/env"; set +a
    python3 t/integration/slow_clients.py [--connections 2000] [--seconds 60]

A child process holds CONNECTIONS connections from 127.0.0.2 to the stack's
HTTPS port, each one of four kinds of slow client, reconnecting whenever
nginx closes it:
  - connects and sends nothing (nginx drops it after client_header_timeout);
  - sends the start of a TLS ClientHello, one byte every 2 s;
  - completes TLS and sends a request header, one byte every 2 s;
  - completes TLS, sends the header of a POST with Content-Length 4096 and
    then the body one byte every 2 s (these count against limit_conn).
Meanwhile this process, from 127.0.0.1, opens a fresh TLS connection every
0.5 s for SECONDS seconds and sends one GET with the demo key: at least 99 %
of these probes must be answered 200 within 1 s.  Everything is closed at
the end; the run is bounded (about SECONDS + 20 s).  The last line is
"slow-clients: N passed, M failed".
"""

import argparse
import asyncio
import json
import os
import resource
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

SOURCE = "127.0.0.2"
KINDS = ("nothing", "hello", "header", "body")


def raise_nofile(want):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < want:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, want))  # root only
            return want
        except (ValueError, OSError):
            want = hard
    if soft == resource.RLIM_INFINITY or soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def client_hello(host):
    """The bytes of a real TLS ClientHello (for the half-sent kind)."""
    ctx = ssl.create_default_context()
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out, server_hostname=host)
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return out.read()


# ------------------------------------------------------------------ load (child)


class Load:
    def __init__(self, host, port, ca, n, seconds):
        self.host, self.port, self.n, self.seconds = host, port, n, seconds
        self.ctx = ssl.create_default_context(cafile=ca)
        self.hello = client_hello(host)
        self.open = 0
        self.connects = 0
        self.closed_by_server = 0
        self.errors = 0
        self.samples = []
        self.stop = None
        self.writers = set()
        self.connect_sem = None

    async def connection(self, kind):
        loop = asyncio.get_running_loop()
        async with self.connect_sem:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setblocking(False)
            sock.bind((SOURCE, 0))
            try:
                await asyncio.wait_for(loop.sock_connect(sock, (self.host, self.port)), 10)
                if kind in ("header", "body"):
                    reader, writer = await asyncio.wait_for(asyncio.open_connection(
                        sock=sock, ssl=self.ctx, server_hostname=self.host), 10)
                else:
                    reader, writer = await asyncio.open_connection(sock=sock)
            except BaseException:
                sock.close()
                raise
        self.connects += 1
        self.open += 1
        self.writers.add(writer)
        try:
            if kind == "nothing":
                trickle = b""
            elif kind == "hello":
                trickle = self.hello[:-1]
            elif kind == "header":
                trickle = b"GET /v1/slow HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"s" * 4000
            else:
                writer.write(b"POST /v1/slow HTTP/1.1\r\nHost: localhost\r\n"
                             b"Content-Type: application/json\r\nContent-Length: 4096\r\n\r\n")
                trickle = b"x" * 4096
            i = 0
            while not self.stop.is_set():
                if i < len(trickle):
                    writer.write(trickle[i:i + 1])
                    i += 1
                    await writer.drain()
                try:
                    data = await asyncio.wait_for(reader.read(4096), 2)
                except asyncio.TimeoutError:
                    continue
                if not data:
                    if not self.stop.is_set():
                        self.closed_by_server += 1
                    return
                # an answer (e.g. 429 from limit_conn): read on until closed
        finally:
            self.open -= 1
            self.writers.discard(writer)
            writer.transport.abort()

    async def client(self, i):
        kind = KINDS[i % len(KINDS)]
        while not self.stop.is_set():
            try:
                await self.connection(kind)
            except (OSError, asyncio.TimeoutError, ssl.SSLError, ConnectionError):
                self.errors += 1
                await asyncio.sleep(0.5)

    async def sampler(self):
        while not self.stop.is_set():
            self.samples.append(self.open)
            await asyncio.sleep(0.5)

    async def run(self, ready_out):
        self.stop = asyncio.Event()
        self.connect_sem = asyncio.Semaphore(64)
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, self.stop.set)
        tasks = [asyncio.create_task(self.client(i)) for i in range(self.n)]
        t0 = time.time()
        while self.open < self.n and time.time() - t0 < 30:
            await asyncio.sleep(0.2)
        ready_out.write(json.dumps({"ready": self.open, "ramp": time.time() - t0}) + "\n")
        ready_out.flush()
        sampler = asyncio.create_task(self.sampler())
        try:
            await asyncio.wait_for(self.stop.wait(), self.seconds + 15)
        except asyncio.TimeoutError:
            pass
        self.stop.set()
        for w in list(self.writers):
            w.transport.abort()
        await asyncio.gather(*tasks, sampler, return_exceptions=True)
        ready_out.write(json.dumps({
            "open_min": min(self.samples or [0]), "open_max": max(self.samples or [0]),
            "open_avg": sum(self.samples) / max(1, len(self.samples)),
            "connects": self.connects, "closed_by_server": self.closed_by_server,
            "errors": self.errors, "left_open": self.open}) + "\n")
        ready_out.flush()


def child(args):
    nofile = raise_nofile(args.connections + 256)
    if nofile < args.connections + 64:
        print(json.dumps({"error": "RLIMIT_NOFILE %d is too low" % nofile}), flush=True)
        return 1
    u = urllib.parse.urlsplit(os.environ["MCOLL_BASE_URL"])
    load = Load(u.hostname, u.port, os.environ["MCOLL_CA"], args.connections, args.seconds)
    asyncio.run(load.run(sys.stdout))
    return 0


# ------------------------------------------------------------------ probes (parent)


def probe(host, port, ctx, path, key):
    t0 = time.time()
    try:
        with socket.create_connection((host, port), timeout=5, source_address=("127.0.0.1", 0)) as s:
            with ctx.wrap_socket(s, server_hostname=host) as ts:
                ts.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\nX-API-Key: %s\r\n"
                            "Connection: close\r\n\r\n" % (path, host, key)).encode())
                data = b""
                while True:
                    b = ts.recv(65536)
                    if not b:
                        break
                    data += b
        status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1 ") else None
        return time.time() - t0, status, None
    except Exception as e:  # noqa: BLE001
        return time.time() - t0, None, "%s: %s" % (type(e).__name__, e)


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--connections", type=int, default=2000)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--child", action="store_true")
    args = ap.parse_args(argv)
    if args.child:
        return child(args)

    import mcoll as m
    passed = failed = 0
    u = urllib.parse.urlsplit(m.BASE_URL)
    ctx = m.tls_context()
    path = "/v1/music/%s/collections?limit=1" % m._env("MCOLL_DEMO_ORG")
    key = m._env("MCOLL_DEMO_KEY")
    base = probe(u.hostname, u.port, ctx, path, key)
    if base[1] != 200:
        print("slow-clients: the probe does not work without load: %r" % (base,))
        print("slow-clients: 0 passed, 1 failed")
        return 1
    p = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--child",
                          "--connections", str(args.connections), "--seconds", str(args.seconds)],
                         stdout=subprocess.PIPE, text=True)
    results = []
    stats = {}
    try:
        ready = json.loads(p.stdout.readline() or "{}")
        print("slow connections open: %s (ramp-up %.1f s)" % (ready.get("ready"),
                                                             ready.get("ramp", -1)))
        if "error" in ready or ready.get("ready", 0) < args.connections * 0.95:
            print("FAIL could not open the slow connections: %r" % ready)
            failed += 1
        end = time.time() + args.seconds
        nxt = time.time()
        while time.time() < end:
            results.append(probe(u.hostname, u.port, ctx, path, key))
            nxt += 0.5
            time.sleep(max(0, nxt - time.time()))
    finally:
        p.send_signal(signal.SIGTERM)
        try:
            out, _ = p.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            out, _ = p.communicate()
        for line in out.splitlines():
            try:
                stats.update(json.loads(line))
            except ValueError:
                pass
    ok = [r for r in results if r[1] == 200 and r[0] <= 1.0]
    times = sorted(r[0] for r in results)
    share = len(ok) / max(1, len(results))
    print("load: %s" % json.dumps(stats, sort_keys=True))
    print("probes: %d, answered 200 within 1 s: %d (%.1f %%); median %.3f s, max %.3f s"
          % (len(results), len(ok), 100 * share, times[len(times) // 2] if times else -1,
             times[-1] if times else -1))
    for r in results:
        if r not in ok:
            print("  slow or failed probe: %.3f s status %s %s" % r)
    checks = [
        ("at least 99 % of the probes answered 200 within 1 s", share >= 0.99 and len(results) >= 1.8 * args.seconds),
        ("the slow connections stayed open (on average >= 90 %%): %.0f"
         % stats.get("open_avg", 0), stats.get("open_avg", 0) >= 0.9 * args.connections),
        ("every slow connection was closed at the end", stats.get("left_open") == 0),
    ]
    for what, good in checks:
        print("%s %s" % ("ok  " if good else "FAIL", what))
        if good:
            passed += 1
        else:
            failed += 1
    print("slow-clients: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
