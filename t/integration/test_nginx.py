"""nginx in front of mcolld: TLS profile, HSTS, the 308 redirect, slow
clients, rate limits, CORS, and the envelopes nginx writes itself (UTC
whatever time zone nginx runs in).

Tests that need other knobs than the stack's nginx start their own with
dev/nginx, on ports from MCOLL_TEST_EXTRA_PORT (default 18500; it uses that
port and the next nine), in $MCOLL_VAR/extra-NAME, and stop it by pid file.
"""

import http.client
import os
import re
import shutil
import socket
import ssl
import struct
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse

import mcoll as m
from mcoll import cpath

ROOT = m._env("MCOLL_ROOT")
VAR = m._env("MCOLL_VAR")
EXTRA_PORT = int(os.environ.get("MCOLL_TEST_EXTRA_PORT", "18500"))
ORIGIN = "https://app.example.test"     # allowed by the dev/test stack's site
URL = urllib.parse.urlsplit(m.BASE_URL)


def tls_conn(ctx=None, port=None, host=None):
    """A raw TLS socket to the stack's HTTPS port (verified with MCOLL_CA)."""
    ctx = ctx or m.tls_context()
    s = socket.create_connection((host or URL.hostname, port or URL.port), timeout=10)
    try:
        return ctx.wrap_socket(s, server_hostname=URL.hostname)
    except Exception:
        s.close()
        raise


def ctx12(ciphers=None):
    c = ssl.create_default_context(cafile=m.CA)
    c.minimum_version = c.maximum_version = ssl.TLSVersion.TLSv1_2
    if ciphers:
        c.set_ciphers(ciphers)
    return c


def murmur2(data):
    """nginx's ngx_murmur_hash2 (what split_clients hashes with)."""
    h = 0 ^ len(data)
    n = len(data)
    i = 0
    mask = 0xffffffff
    while n >= 4:
        k = struct.unpack_from("<I", data, i)[0]
        k = (k * 0x5bd1e995) & mask
        k ^= k >> 24
        k = (k * 0x5bd1e995) & mask
        h = (h * 0x5bd1e995) & mask
        h ^= k
        i += 4
        n -= 4
    if n == 3:
        h ^= data[i + 2] << 16
    if n >= 2:
        h ^= data[i + 1] << 8
    if n >= 1:
        h ^= data[i]
        h = (h * 0x5bd1e995) & mask
    h ^= h >> 13
    h = (h * 0x5bd1e995) & mask
    h ^= h >> 15
    return h


def key_bucket(header_value):
    """The site's rate-limit bucket of a key sent as X-API-Key: six digits,
    digit i from split_clients "i<key>" with ten 10 % parts."""
    out = ""
    for i in range(1, 7):
        h = murmur2(("%d%s" % (i, header_value)).encode())
        last, digit = 0, 9
        for d in range(9):
            last += 1000 * 0xffffffff // 10000
            if h < last:
                digit = d
                break
        out += str(digit)
    return out


class ExtraNginx:
    """An nginx of its own serving the site (dev/nginx), with other knobs."""

    def __init__(self, name, https_port, http_port, env, tz=None):
        self.var = os.path.join(VAR, "extra-" + name)
        self.port = https_port
        self.env = dict(os.environ, MCOLL_VAR=self.var, MCOLL_HTTPS_PORT=str(https_port),
                        MCOLL_HTTP_PORT=str(http_port))
        self.env.setdefault("MCOLL_NGINX_FASTCGI_ADDR", m._env("MCOLL_FCGI_ADDR"))
        self.env.update(env)
        if tz:
            self.env["TZ"] = tz

    def _dev(self, action):
        p = subprocess.run([os.path.join(ROOT, "dev", "nginx"), action], env=self.env,
                           capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            raise AssertionError("dev/nginx %s failed: %s %s" % (action, p.stdout, p.stderr))

    def start(self):
        self._dev("start")
        self.ctx = ssl.create_default_context(cafile=os.path.join(self.var, "tls", "cert.pem"))
        return self

    def stop(self):
        self._dev("stop")

    def master_pid(self):
        with open(os.path.join(self.var, "run", "nginx.pid")) as f:
            return int(f.read().strip())

    def access_log(self):
        with open(os.path.join(self.var, "log", "nginx-access.log"), "rb") as f:
            return f.read().decode("utf-8", "replace")

    def client(self):
        c = m.Client("https://127.0.0.1:%d" % self.port)
        c._open = lambda: http.client.HTTPSConnection(c.host, c.port, context=self.ctx,
                                                      timeout=c.timeout)
        return c


def access_log():
    with open(os.path.join(VAR, "log", "nginx-access.log"), "rb") as f:
        return f.read().decode("utf-8", "replace")


# ------------------------------------------------------------------ TLS


class TlsTest(unittest.TestCase):
    def test_only_tls12_and_tls13(self):
        for v in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1):
            with self.subTest(version=v.name):
                c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                c.load_verify_locations(m.CA)
                c.set_ciphers("ALL:@SECLEVEL=0")
                try:
                    c.minimum_version = c.maximum_version = v
                except (ValueError, ssl.SSLError):
                    continue            # this OpenSSL cannot even offer it
                with self.assertRaises((ssl.SSLError, ConnectionResetError)):
                    tls_conn(c).close()
        for v in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
            with self.subTest(version=v.name):
                c = ssl.create_default_context(cafile=m.CA)
                c.minimum_version = c.maximum_version = v
                s = tls_conn(c)
                try:
                    self.assertEqual(s.version(), v.name.replace("_", "."))
                finally:
                    s.close()

    def test_tls12_suites_are_ecdhe_aead(self):
        refused = {
            "static RSA": "AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA:AES256-SHA",
            "CBC": "ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA:ECDHE-RSA-AES128-SHA256:"
                   "ECDHE-RSA-AES256-SHA384",
            "DHE": "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384",
        }
        for label, suites in refused.items():
            with self.subTest(offer=label):
                with self.assertRaises((ssl.SSLError, ConnectionResetError)):
                    tls_conn(ctx12(suites + ":@SECLEVEL=0")).close()
        for suite in ("ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384",
                      "ECDHE-RSA-CHACHA20-POLY1305"):
            with self.subTest(offer=suite):
                s = tls_conn(ctx12(suite))
                try:
                    self.assertEqual(s.cipher()[0], suite)
                finally:
                    s.close()

    def test_no_session_tickets(self):
        s = tls_conn(ctx12())
        try:
            s.sendall(b"GET /v1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            while s.recv(65536):
                pass
            self.assertIsNotNone(s.session)
            self.assertFalse(s.session.has_ticket, "the server issued a session ticket")
        finally:
            s.close()

    def test_http2_offered(self):
        c = ssl.create_default_context(cafile=m.CA)
        c.set_alpn_protocols(["h2", "http/1.1"])
        s = tls_conn(c)
        try:
            self.assertEqual(s.selected_alpn_protocol(), "h2")
        finally:
            s.close()

    def test_http2_request(self):
        p = subprocess.run(["curl", "-sS", "--http2", "--cacert", m.CA, "-o", "/dev/null",
                            "-w", "%{http_version} %{http_code}", "-H",
                            "X-API-Key: " + m._env("MCOLL_DEMO_KEY"),
                            m.BASE_URL + cpath(m._env("MCOLL_DEMO_ORG"))],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(p.stdout, "2 200", p.stderr)

    def test_hsts_and_no_server_version(self):
        answers = [
            m.call("GET", "/v1/nope"),
            m.call("GET", cpath("org_x"), None),
            m.call("GET", "/v1/music/org_" + "a" * 9000 + "/collections"),   # nginx's 414
        ]
        for r in answers:
            with self.subTest(status=r.status):
                hsts = r.headers.get_all("Strict-Transport-Security") or []
                self.assertEqual(len(hsts), 1, r)
                age = re.match(r"^max-age=(\d+)$", hsts[0])
                self.assertIsNotNone(age, hsts)
                self.assertGreaterEqual(int(age.group(1)), 31536000)
                self.assertEqual(r.headers.get_all("Server"), ["nginx"], r)
        self.assertEqual(answers[2].status, 414)


# ------------------------------------------------------------------ port 80


class RedirectTest(unittest.TestCase):
    def plain(self, method, path, body=None, headers=None):
        u = urllib.parse.urlsplit(m.HTTP_URL)
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            return r, r.read()
        finally:
            c.close()

    def test_308_to_https(self):
        for method, body in (("GET", None), ("POST", b'{"name":"x"}'), ("DELETE", None),
                             ("PATCH", b"{}")):
            path = "/v1/music/org_a/collections?limit=5&offset=0"
            with self.subTest(method=method):
                r, data = self.plain(method, path, body)
                self.assertEqual(r.status, 308)
                self.assertEqual(r.getheader("Location"), m.BASE_URL + path)
                self.assertEqual(data, b"")
                self.assertEqual(r.getheader("Content-Length"), "0")
                self.assertIsNone(r.getheader("Content-Type"))
                self.assertEqual(r.getheader("Server"), "nginx")
                self.assertRegex(r.getheader("X-Request-Id") or "", m.RE_REQID)

    def test_host_without_port(self):
        r, _ = self.plain("GET", "/x", headers={"Host": "api.example.test"})
        self.assertEqual(r.status, 308)
        self.assertEqual(r.getheader("Location"), "https://api.example.test:%d/x" % URL.port)

    def test_production_redirect_has_no_port(self):
        """The port-80 server of the production site (`make`'s rendering,
        HTTPS on 443), moved to a loopback test port: no port in Location."""
        site = open(os.path.join(ROOT, "nginx", "mcoll.conf")).read()
        cut = site.index("server {\n    listen 443 ssl http2;")
        http_part = site[:cut]
        self.assertEqual(http_part.count("listen 80;"), 1)
        port = EXTRA_PORT + 4
        with tempfile.TemporaryDirectory(dir=VAR) as d:
            with open(os.path.join(d, "site.conf"), "w") as f:
                f.write(http_part.replace("listen 80;", "listen 127.0.0.1:%d;" % port))
            with open(os.path.join(d, "nginx.conf"), "w") as f:
                f.write("%s\npid %s/nginx.pid;\nerror_log %s/error.log;\nworker_processes 1;\n"
                        "events { worker_connections 64; }\nhttp {\n access_log off;\n"
                        " client_body_temp_path %s; proxy_temp_path %s; fastcgi_temp_path %s;\n"
                        " uwsgi_temp_path %s; scgi_temp_path %s;\n include %s/site.conf;\n}\n"
                        % ("user root;" if os.geteuid() == 0 else "", d, d, d, d, d, d, d, d))
            subprocess.run(["nginx", "-c", os.path.join(d, "nginx.conf"), "-p", d + "/",
                            "-e", os.path.join(d, "error.log")], check=True, timeout=30)
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                try:
                    c.request("PATCH", "/v1/music/org_a/collections/x?y=1",
                              headers={"Host": "api.example.test"})
                    r = c.getresponse()
                    body = r.read()
                finally:
                    c.close()
                self.assertEqual(r.status, 308)
                self.assertEqual(r.getheader("Location"),
                                 "https://api.example.test/v1/music/org_a/collections/x?y=1")
                self.assertEqual(body, b"")
                self.assertEqual(r.getheader("Server"), "nginx")
            finally:
                with open(os.path.join(d, "nginx.pid")) as f:
                    pid = int(f.read())
                os.kill(pid, 15)
                for _ in range(100):
                    if not os.path.exists("/proc/%d" % pid):
                        break
                    time.sleep(0.1)

    def test_production_layout_nginx_t_is_quiet(self):
        """The README's layout: Debian's nginx.conf, the default site
        disabled, the production site (as `make` renders it) enabled.
        `nginx -t` passes without a warning; with Debian's default site
        left enabled it warns about the conflicting server name."""
        site = os.path.join(ROOT, "nginx", "mcoll.conf")
        debian = "/etc/nginx/nginx.conf"
        self.assertTrue(os.path.exists(site), "%s not built (make)" % site)
        self.assertTrue(os.path.exists(debian), "Debian's nginx.conf is missing")
        with tempfile.TemporaryDirectory(dir=VAR) as d:
            en = os.path.join(d, "sites-enabled")
            os.mkdir(en)
            conf = open(debian).read()
            self.assertIn("include /etc/nginx/sites-enabled/*;", conf)
            conf = conf.replace("include /etc/nginx/sites-enabled/*;",
                                "include %s/*;" % en)
            conf = re.sub(r"(?m)^(\s*)(access_log|error_log)\s.*$", r"\1# \2 (test)", conf)
            conf = re.sub(r"(?m)^pid\s.*$", "pid %s/nginx.pid;" % d, conf)
            with open(os.path.join(d, "nginx.conf"), "w") as f:
                f.write(conf)
            text = open(site).read()
            text = text.replace("/etc/ssl/certs/mcoll.pem", m.CA)
            text = text.replace("/etc/ssl/private/mcoll.key",
                                os.path.join(VAR, "tls", "key.pem"))
            text = re.sub(r"include \S*/mcoll-fastcgi\.conf;",
                          "include %s/nginx/mcoll-fastcgi.conf;" % ROOT, text)
            with open(os.path.join(en, "mcoll"), "w") as f:
                f.write(text)

            def nginx_t():
                p = subprocess.run(["nginx", "-t", "-c", os.path.join(d, "nginx.conf"),
                                    "-e", os.path.join(d, "error.log")],
                                   capture_output=True, text=True, timeout=60)
                return p.returncode, p.stderr

            rc, err = nginx_t()
            self.assertEqual(rc, 0, err)
            self.assertNotIn("[warn]", err)
            self.assertNotIn("[emerg]", err)
            if os.path.exists("/etc/nginx/sites-available/default"):
                shutil.copy("/etc/nginx/sites-available/default", os.path.join(en, "default"))
                rc, err = nginx_t()
                self.assertIn('conflicting server name "_"', err)


# ------------------------------------------------------------------ slow clients


class SlowClientTest(unittest.TestCase):
    """client_body_timeout / client_header_timeout are 10 s; nginx 1.22
    closes such a connection without an answer (it never answers 408)."""

    def wait_closed(self, s):
        """Seconds until the server closes s, and the bytes it sent first."""
        t0 = time.time()
        got = b""
        s.settimeout(30)
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    break
                got += b
        except (ConnectionResetError, ssl.SSLError):
            pass
        return time.time() - t0, got

    def short_body(self, out, path):
        s = tls_conn()
        try:
            s.sendall(("POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       "Content-Length: 100\r\n\r\n{\"name\":" % path).encode())
            out["body"] = self.wait_closed(s)
        finally:
            s.close()

    def slow_header(self, out):
        s = tls_conn()
        t0 = time.time()
        got = b""
        try:
            s.sendall(b"GET /v1 HTTP/1.1\r\nHost: x\r\n")
            s.settimeout(2)
            while time.time() - t0 < 30:
                try:
                    b = s.recv(65536)
                except socket.timeout:
                    s.sendall(b"X")            # one more byte of a header line
                    continue
                except (ConnectionResetError, BrokenPipeError, ssl.SSLError):
                    break
                if not b:
                    break
                got += b
        except (ConnectionResetError, BrokenPipeError, ssl.SSLError):
            pass
        finally:
            s.close()
        out["header"] = (time.time() - t0, got)

    def test_slow_body_and_header_are_cut_off(self):
        path = "/v1/music/org_slow%s/collections" % m.uniq(8)
        out = {}
        ths = [threading.Thread(target=self.short_body, args=(out, path)),
               threading.Thread(target=self.slow_header, args=(out,))]
        for th in ths:
            th.start()
        for th in ths:
            th.join(60)
        dt, got = out["body"]
        self.assertEqual(got, b"", "nginx 1.22 closes on client_body_timeout without an answer")
        self.assertGreater(dt, 8.5)
        self.assertLess(dt, 15, "the short body was held %.1f s (client_body_timeout 10 s)" % dt)
        dt, got = out["header"]
        self.assertEqual(got, b"")
        self.assertGreater(dt, 8.5)
        self.assertLess(dt, 15, "the slow header was held %.1f s (client_header_timeout 10 s)"
                        % dt)
        # nginx logs the request as 408, and it never reached a worker
        deadline = time.time() + 5
        while path not in access_log() and time.time() < deadline:
            time.sleep(0.2)
        lines = [ln for ln in access_log().splitlines() if path in ln]
        self.assertEqual(len(lines), 1, lines)
        self.assertRegex(lines[0], r'" 408 0 [0-9.]+ upstream=-/-$')
        self.assertNotIn(path, m.read_log())


# ------------------------------------------------------------------ envelopes


class EnvelopeTimeTest(unittest.TestCase):
    """nginx in Asia/Tokyo, mcolld unreachable: its own envelopes still
    carry UTC timestamps."""

    @classmethod
    def setUpClass(cls):
        dead = EXTRA_PORT + 9
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", dead)) == 0:
                raise AssertionError("port %d is in use; it must be closed for this test" % dead)
        cls.ngx = ExtraNginx("tokyo", EXTRA_PORT, EXTRA_PORT + 1,
                             {"MCOLL_NGINX_FASTCGI_ADDR": "127.0.0.1:%d" % dead},
                             tz="Asia/Tokyo").start()

    @classmethod
    def tearDownClass(cls):
        cls.ngx.stop()

    def check_utc(self, r, status):
        err = m.assert_envelope_shape(r)
        self.assertEqual(r.status, status)
        ts = m.parse_ts(err["timestamp"])
        self.assertLess(abs(ts - time.time()), 5, "timestamp %s is not UTC now" % err["timestamp"])
        return err

    def test_503_and_414_in_utc(self):
        c = self.ngx.client()
        try:
            r = c.call("GET", cpath("org_a"), "mck_00")
            err = self.check_utc(r, 503)
            m.assert_error(r, 503, system_message="Upstream unavailable", details={})
            self.assertEqual(r.headers.get_all("Retry-After"), ["1"])
            self.assertEqual(err["code"], "SERVICE_UNAVAILABLE")
            r = c.call("GET", "/v1/music/org_" + "a" * 9000 + "/collections")
            err = self.check_utc(r, 414)
            self.assertEqual(err["code"], "URI_TOO_LONG")
            self.assertIsNone(r.headers.get("Retry-After"))
        finally:
            c.close()
        # the time zone did apply to nginx: its log lines are in +09:00
        self.assertRegex(self.ngx.access_log(), r"\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00\]")


# ------------------------------------------------------------------ worker headers


class WorkerHeadersTest(unittest.TestCase):
    def test_401_names_the_scheme(self):
        for r in (m.call("GET", cpath("org_a"), None), m.call("GET", cpath("org_a"), "mck_0")):
            m.assert_error(r, 401, m.MSG_401)
            self.assertEqual(r.headers.get_all("WWW-Authenticate"), ['Bearer realm="mcoll"'])

    def test_no_retry_after_or_www_authenticate_elsewhere(self):
        t = m.new_tenant()
        for r in (m.call("GET", cpath(t.org), t.key), m.call("GET", "/v1/nope")):
            self.assertIsNone(r.headers.get("Retry-After"), r)
            self.assertIsNone(r.headers.get("WWW-Authenticate"), r)


# ------------------------------------------------------------------ rate limits


class RateLimitTest(unittest.TestCase):
    """The site's limits, lowered: 1 r/s burst 5 per key, 10 r/s burst 40
    per address, 4 requests in progress per address."""

    @classmethod
    def setUpClass(cls):
        cls.a = m.new_tenant()
        cls.b = m.new_member(cls.a.org)
        cls.ngx = ExtraNginx("limits", EXTRA_PORT + 2, EXTRA_PORT + 3, {
            "MCOLL_NGINX_RATE_KEY": "1r/s", "MCOLL_NGINX_RATE_KEY_BURST": "5",
            "MCOLL_NGINX_RATE_ADDR": "10r/s", "MCOLL_NGINX_RATE_ADDR_BURST": "40",
            "MCOLL_NGINX_CONN_ADDR": "4",
        }).start()

    @classmethod
    def tearDownClass(cls):
        cls.ngx.stop()

    def check_429(self, r):
        m.assert_error(r, 429, system_message="Request rate limit exceeded", details={})
        self.assertEqual(r.headers.get_all("Retry-After"), ["1"], r)

    def test_concurrent_requests_per_address(self):
        """limit_conn 4: a fifth request while four bodies trickle in is a 429."""
        other = m.new_member(self.a.org)     # keys the rate test does not use
        held = []
        try:
            for _ in range(4):
                s = tls_conn(self.ngx.ctx, port=self.ngx.port)
                held.append(s)
                s.sendall(("POST %s HTTP/1.1\r\nHost: x\r\n"
                           "Content-Type: application/json\r\nContent-Length: 50\r\n\r\n{"
                           % cpath(self.a.org)).encode())
            time.sleep(0.5)
            c = self.ngx.client()
            try:
                r = c.call("GET", cpath(self.a.org), other.key)
                m.assert_error(r, 429, system_message="Too many requests in progress from this address",
                               details={})
                self.assertEqual(r.headers.get_all("Retry-After"), ["1"], r)
            finally:
                c.close()
        finally:
            for s in held:
                s.close()
        time.sleep(0.5)
        c = self.ngx.client()
        try:
            m.assert_status(c.call("GET", cpath(self.a.org), other.key), 200)
        finally:
            c.close()

    def test_rate_burst_per_key_and_per_address(self):
        c = self.ngx.client()
        try:
            path = cpath(self.a.org)
            got = [c.call("GET", path, self.a.key) for _ in range(20)]
            statuses = [r.status for r in got]
            self.assertEqual(statuses[:6], [200] * 6, statuses)
            self.assertEqual(set(statuses), {200, 429}, statuses)
            self.assertLessEqual(statuses.count(200), 8, statuses)
            for r in got:
                if r.status == 429:
                    self.check_429(r)
            # another key of the same address is not affected
            for _ in range(3):
                m.assert_status(c.call("GET", path, self.b.key), 200)
            # the same key as Bearer counts in the same bucket
            self.check_429(c.call("GET", path, self.a.key, bearer=True))
            # without a key: only the (looser) per-address limit applies
            got = [c.call("GET", path, None) for _ in range(60)]
            statuses = [r.status for r in got]
            self.assertEqual(set(statuses), {401, 429}, statuses)
            self.assertGreaterEqual(statuses.count(429), 10, statuses)
            self.assertGreaterEqual(statuses.count(401), 10, statuses)
            for r in got:
                if r.status == 429:
                    self.check_429(r)
        finally:
            c.close()
        self.check_zone_memory(self.a.key)

    def check_zone_memory(self, key):
        """The raw key is nowhere in nginx's shared memory; its bucket is."""
        bucket = key_bucket(key).encode()
        master = self.ngx.master_pid()
        found_bucket = False
        p = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True)
        workers = [int(x) for x in p.stdout.split()]
        self.assertTrue(workers)
        for pid in workers:
            with open("/proc/%d/maps" % pid) as f:
                maps = [ln.split() for ln in f]
            with open("/proc/%d/mem" % pid, "rb") as mem:
                for fields in maps:
                    if len(fields) < 6 or not fields[1].startswith("rw-s"):
                        continue            # shared mappings only (the zones)
                    lo, hi = (int(x, 16) for x in fields[0].split("-"))
                    mem.seek(lo)
                    data = mem.read(hi - lo)
                    self.assertNotIn(key.encode(), data, "raw key in shared memory")
                    self.assertNotIn(key[4:].encode(), data, "raw key in shared memory")
                    found_bucket = found_bucket or bucket in data
        self.assertTrue(found_bucket, "bucket %s not found in the limit_req zone" % bucket)


# ------------------------------------------------------------------ CORS


class CorsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.a = m.new_tenant()

    def acl(self, r):
        return {k.lower(): v for k, v in r.headers.items() if k.lower().startswith("access-control-")}

    def preflight(self, origin, method="POST"):
        return m.call("OPTIONS", cpath(self.a.org), None, headers={
            "Origin": origin, "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "content-type,x-api-key"})

    def test_preflight_allowed_origin(self):
        for method in ("GET", "POST", "PATCH", "DELETE"):
            with self.subTest(method=method):
                r = self.preflight(ORIGIN, method)
                self.assertEqual(r.status, 204, r)
                self.assertEqual(r.body, b"")
                h = self.acl(r)
                self.assertEqual(h.get("access-control-allow-origin"), ORIGIN)
                self.assertEqual(h.get("access-control-allow-methods"), "GET, POST, PATCH, DELETE")
                self.assertEqual(h.get("access-control-allow-headers"),
                                 "Authorization, Content-Type, X-API-Key")
                self.assertEqual(h.get("access-control-max-age"), "600")
                self.assertNotIn("access-control-allow-credentials", h)
                self.assertEqual(r.headers.get_all("Vary"), ["Origin"])

    def test_preflight_other_origins(self):
        for origin in ("https://evil.example.test", "https://app.example.test.evil.test",
                       "http://app.example.test", "https://app.example.test:8443", "null"):
            with self.subTest(origin=origin):
                r = self.preflight(origin)
                m.assert_error(r, 405)
                self.assertEqual(self.acl(r), {}, r)
                self.assertEqual(r.headers.get_all("Vary"), ["Origin"])

    def test_actual_requests(self):
        r = m.call("GET", cpath(self.a.org), self.a.key, headers={"Origin": ORIGIN})
        m.assert_status(r, 200)
        self.assertEqual(self.acl(r), {
            "access-control-allow-origin": ORIGIN,
            "access-control-expose-headers": "Location, Retry-After, WWW-Authenticate, X-Request-Id"})
        self.assertEqual(r.headers.get_all("Vary"), ["Origin"])
        r = m.call("POST", cpath(self.a.org), self.a.key, body={"name": "cors"},
                   headers={"Origin": ORIGIN})
        m.assert_status(r, 201)
        self.assertEqual(r.headers.get("Access-Control-Allow-Origin"), ORIGIN)
        # errors too, so the page can read the envelope
        r = m.call("GET", cpath(self.a.org), None, headers={"Origin": ORIGIN})
        m.assert_error(r, 401)
        self.assertEqual(r.headers.get("Access-Control-Allow-Origin"), ORIGIN)
        # another origin: nothing
        r = m.call("GET", cpath(self.a.org), self.a.key, headers={"Origin": "https://evil.example.test"})
        m.assert_status(r, 200)
        self.assertEqual(self.acl(r), {})
        self.assertEqual(r.headers.get_all("Vary"), ["Origin"])
        # no Origin at all: no CORS headers, no Vary
        r = m.call("GET", cpath(self.a.org), self.a.key)
        m.assert_status(r, 200)
        self.assertEqual(self.acl(r), {})
        self.assertIsNone(r.headers.get("Vary"))


if __name__ == "__main__":
    unittest.main()
