"""Shared helpers for the mcoll integration suite (Python 3 standard library;
every answer is checked against doc/openapi.yaml by openapi_check.py).

The stack under test is described by environment variables (source
$MCOLL_VAR/env before running):

  MCOLL_BASE_URL  https://host:port of nginx (TLS)
  MCOLL_HTTP_URL  http://host:port of the plain port (redirects to https)
  MCOLL_CA        PEM of the (self-signed) certificate; TLS is verified with it
  MCOLLCTL        admin tool command prefix (shlex split)
  MCOLL_SQL       mariadb client command prefix, root on the service database
  MCOLL_PIDFILE   pid file of the mcolld master
  MCOLL_DBCTL     command prefix: `stop` / `start` the private MariaDB
  MCOLL_MCOLLD    command prefix: `start` / `stop` the stack's mcolld (dev/mcolld)
  MCOLL_CONFIG    the configuration file mcolld runs
  MCOLL_DEMO_KEY, MCOLL_DEMO_ORG, MCOLL_DEMO_USER, MCOLL_DEMO_TRACKS
"""

import calendar
import http.client
import json
import os
import re
import secrets
import shlex
import shutil
import ssl
import subprocess
import threading
import time
import urllib.parse

import openapi_check


def _env(name):
    v = os.environ.get(name)
    if not v:
        raise RuntimeError(
            "environment variable %s is not set: source $MCOLL_VAR/env "
            "(set -a; . $MCOLL_VAR/env; set +a) before running the suite" % name)
    return v


BASE_URL = _env("MCOLL_BASE_URL").rstrip("/")
HTTP_URL = os.environ.get("MCOLL_HTTP_URL", "").rstrip("/")
CA = _env("MCOLL_CA")

JSON_CT = "application/json; charset=utf-8"
CAP = "USE_MUSIC_GENERATION"

RE_TRACE = re.compile(r"^req_[0-9a-f]{32}$")
RE_REQID = re.compile(r"^[0-9a-f]{32}$")
RE_TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
RE_COLL = re.compile(r"^mcoll_[0-9a-f]{12}$")
RE_TRACK = re.compile(r"^mtrack_[0-9a-f]{12}$")
RE_USER = re.compile(r"^usr_[0-9a-f]{12}$")
RE_KEY = re.compile(r"^mck_[0-9a-f]+$")

COLLECTION_KEYS = ["id", "name", "description", "cover_track_id",
                   "cover_image_url", "track_count", "created_at", "updated_at"]
ERROR_KEYS = ["code", "message", "system_message", "type", "status",
              "details", "trace_id", "timestamp"]

# status -> (code, type, message)
ERRORS = {
    401: ("AUTHENTICATION_REQUIRED", "authentication_error",
          "Authentication required. Please provide a valid API key."),
    403: ("INSUFFICIENT_PERMISSIONS", "authorization_error",
          "You do not have permission to perform this action."),
    404: ("RESOURCE_NOT_FOUND", "client_error",
          "The requested resource was not found."),
    405: ("METHOD_NOT_ALLOWED", "client_error",
          "The HTTP method is not allowed for this resource."),
    413: ("PAYLOAD_TOO_LARGE", "client_error",
          "The request payload is too large."),
    415: ("UNSUPPORTED_MEDIA_TYPE", "client_error",
          "The request payload must be sent as application/json."),
    422: ("VALIDATION_ERROR", "validation_error",
          "The request payload is invalid."),
    429: ("RATE_LIMITED", "client_error", "Too many requests. Please retry later."),
    500: ("INTERNAL_ERROR", "server_error", "An unexpected error occurred."),
    503: ("SERVICE_UNAVAILABLE", "server_error",
          "The service is temporarily unavailable. Please retry later."),
}

MSG_401 = "Missing or invalid authorization header"
MSG_NOT_MEMBER = "Caller is not a member of this organization"
MSG_NO_CAP = "Missing USE_MUSIC_GENERATION capability"
MSG_COLL_404 = "Music collection not found or not owned by caller"
MSG_TRACK_404 = "Music track not found in this organization"
MSG_NO_ROUTE = "No such endpoint"
MSG_LIMIT = "limit must be an integer between 1 and 100"
MSG_TLIMIT = "limit must be an integer between 1 and 500"
MSG_OFFSET = "offset must be an integer between 0 and 2147483647"
MSG_BODY_OBJECT = "Request body must be a JSON object"
MSG_BODY_JSON = "Request body is not valid JSON"

# --------------------------------------------------------------------------
# HTTPS client


_ctx_lock = threading.Lock()
_ctx = None


def tls_context():
    global _ctx
    with _ctx_lock:
        if _ctx is None:
            c = ssl.create_default_context(cafile=CA)
            c.check_hostname = True
            c.verify_mode = ssl.CERT_REQUIRED
            _ctx = c
        return _ctx


class Response:
    def __init__(self, method, path, status, reason, headers, body, req_headers=None):
        self.method = method
        self.path = path
        self.status = status
        self.reason = reason
        self.headers = headers          # http.client.HTTPMessage: case-insensitive
        self.body = body
        self.req_headers = req_headers or {}
        self._json = None
        self._parsed = False

    @property
    def json(self):
        if not self._parsed:
            try:
                self._json = loads_strict(self.body)
            except Exception as e:  # noqa: BLE001
                raise AssertionError("response body is not valid JSON (%s)\n%r" % (e, self))
            self._parsed = True
        return self._json

    def __repr__(self):
        b = self.body
        if len(b) > 1500:
            b = b[:1500] + b"...(%d bytes)" % len(self.body)
        hdrs = "; ".join("%s: %s" % kv for kv in self.headers.items()) if self.headers else ""
        return "<%s %s -> %s %s [%s] %r>" % (self.method, self.path[:200], self.status,
                                             self.reason, hdrs, b)


def _no_dup_pairs(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise ValueError("duplicate key %r in JSON object" % k)
        d[k] = v
    return d


def loads_strict(data):
    """Parse UTF-8 JSON, rejecting duplicate keys; dicts keep key order."""
    if isinstance(data, bytes):
        data = data.decode("utf-8")
    return json.loads(data, object_pairs_hook=_no_dup_pairs)


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Client:
    """One persistent HTTPS connection (keep-alive), reopened when stale."""

    def __init__(self, base=None, timeout=60):
        u = urllib.parse.urlsplit(base or BASE_URL)
        if u.scheme != "https":
            raise RuntimeError("MCOLL_BASE_URL must be https: %r" % base)
        self.host = u.hostname
        self.port = u.port or 443
        self.timeout = timeout
        self.conn = None

    def close(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:  # noqa: BLE001
                pass
            self.conn = None

    def _open(self):
        return http.client.HTTPSConnection(self.host, self.port, context=tls_context(),
                                           timeout=self.timeout)

    def request(self, method, path, data=None, headers=None, chunked=False):
        headers = dict(headers or {})
        for attempt in range(2):
            fresh = self.conn is None
            if fresh:
                self.conn = self._open()
            conn = self.conn
            try:
                try:
                    if chunked:
                        chunks = [data[i:i + 65536] for i in range(0, len(data), 65536)]
                        conn.request(method, path, body=iter(chunks), headers=headers,
                                     encode_chunked=True)
                    else:
                        conn.request(method, path, body=data, headers=headers)
                except (BrokenPipeError, ConnectionResetError, ssl.SSLEOFError):
                    if not fresh:
                        raise
                    # The server may have answered before reading the whole
                    # body (e.g. 413); try to read that answer.
                r = conn.getresponse()
                body = r.read()
            except (http.client.RemoteDisconnected, http.client.BadStatusLine,
                    BrokenPipeError, ConnectionResetError, ssl.SSLEOFError):
                self.close()
                if not fresh and attempt == 0:
                    continue            # stale keep-alive connection: retry once
                raise
            except Exception:
                self.close()
                raise
            if r.will_close:
                self.close()
            if openapi_check.enabled():     # every answer as doc/openapi.yaml says
                openapi_check.check(method, path, r.status, r.headers, body)
            return Response(method, path, r.status, r.reason, r.headers, body, headers)
        raise AssertionError("unreachable")

    def call(self, method, path, key=None, body=None, raw=None, headers=None, bearer=False,
             chunked=False):
        """Send one request.

        body:    a Python value sent as JSON (Content-Type application/json).
        raw:     bytes sent as they are (Content-Type application/json unless
                 headers say otherwise).
        headers: extra headers; a value of None removes a default header
                 (e.g. {"Content-Type": None} sends no Content-Type).
        key:     sent as X-API-Key, or as Authorization: Bearer when bearer=True.
        chunked: send the body with Transfer-Encoding: chunked.
        """
        hdrs = {}
        data = None
        if body is not None and raw is not None:
            raise ValueError("body and raw are exclusive")
        if body is not None:
            data = dumps(body)
        elif raw is not None:
            data = raw if isinstance(raw, bytes) else raw.encode("utf-8")
        if data is not None:
            hdrs["Content-Type"] = "application/json"
        if key is not None:
            if bearer:
                hdrs["Authorization"] = "Bearer " + key
            else:
                hdrs["X-API-Key"] = key
        for k, v in (headers or {}).items():
            for existing in list(hdrs):
                if existing.lower() == k.lower():
                    del hdrs[existing]
            if v is not None:
                hdrs[k] = v
        return self.request(method, path, data, hdrs, chunked=chunked)


_local = threading.local()


def client():
    c = getattr(_local, "client", None)
    if c is None:
        c = Client()
        _local.client = c
    return c


def call(method, path, key=None, body=None, raw=None, headers=None, bearer=False,
         chunked=False):
    """Request over this thread's persistent HTTPS connection."""
    return client().call(method, path, key=key, body=body, raw=raw, headers=headers,
                         bearer=bearer, chunked=chunked)


def q(s):
    return urllib.parse.quote(s, safe="")


def cpath(org, cid=None, *rest, query=None):
    """/v1/music/{org}/collections[/{cid}[/rest...]][?query]"""
    p = "/v1/music/%s/collections" % org
    if cid is not None:
        p += "/" + cid
    for r in rest:
        p += "/" + r
    if query:
        p += "?" + query
    return p


# --------------------------------------------------------------------------
# Commands: admin tool, SQL, processes


def _run(argv, input_text=None, check=True, timeout=120):
    p = subprocess.run(argv, input=input_text, capture_output=True, text=True,
                       timeout=timeout)
    if check and p.returncode != 0:
        raise AssertionError("command failed (%d): %s\nstdout: %s\nstderr: %s"
                             % (p.returncode, " ".join(shlex.quote(a) for a in argv),
                                p.stdout[-2000:], p.stderr[-2000:]))
    return p


def ctl_argv(*args):
    return shlex.split(_env("MCOLLCTL")) + [str(a) for a in args]


def ctl(*args):
    """Run the admin tool; returns stdout stripped (raises on failure)."""
    return _run(ctl_argv(*args)).stdout.strip()


def ctl_proc(*args):
    """Run the admin tool; returns the CompletedProcess whatever the status."""
    return _run(ctl_argv(*args), check=False)


def sql(query, timeout=120):
    """Run SQL through $MCOLL_SQL; returns rows as lists of str (NULL -> None)."""
    argv = shlex.split(_env("MCOLL_SQL")) + ["-N", "-B"]
    if len(query) < 60000:
        p = _run(argv + ["-e", query], timeout=timeout)
    else:
        p = _run(argv, input_text=query, timeout=timeout)
    rows = []
    for line in p.stdout.split("\n"):
        if line == "":
            continue
        rows.append([None if c == "NULL" else c for c in line.split("\t")])
    return rows


def sql_value(query):
    rows = sql(query)
    if not rows:
        return None
    return rows[0][0]


def sqlq(s):
    """Quote a string literal for SQL."""
    return "'" + s.replace("\\", "\\\\").replace("'", "''") + "'"


def dbctl(action):
    return _run(shlex.split(_env("MCOLL_DBCTL")) + [action], timeout=180)


def read_log():
    """The service log ($MCOLL_LOG, written by dev/up's env file)."""
    with open(_env("MCOLL_LOG"), "rb") as f:
        return f.read().decode("utf-8", "replace")


def master_pid():
    with open(_env("MCOLL_PIDFILE")) as f:
        return int(f.read().strip())


def children(ppid):
    """Live (not zombie) children of ppid, from /proc."""
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] not in ("Z", "X") and int(fields[1]) == ppid:
            pids.append(int(d))
    return sorted(pids)


def worker_pids():
    """The master's direct children (pgrep -P, or /proc when pgrep is absent)."""
    master = master_pid()
    if shutil.which("pgrep"):
        p = _run(["pgrep", "-P", str(master)], check=False)
        return sorted(int(x) for x in p.stdout.split())
    return children(master)


# --------------------------------------------------------------------------
# Tenants and tracks


class Tenant:
    def __init__(self, org, user, key):
        self.org = org
        self.user = user
        self.key = key

    def __repr__(self):
        return "Tenant(%s, %s)" % (self.org, self.user)


def uniq(n=10):
    return secrets.token_hex(n // 2 + 1)[:n]


def new_org():
    org = "org_t" + uniq(12)
    ctl("org", "add", org, "--name", "itest " + org)
    return org


def new_user():
    user = ctl("user", "add", "--email", "it-%s@example.test" % uniq(12))
    if not RE_USER.match(user):
        raise AssertionError("mcollctl user add printed %r, want usr_ + 12 hex" % user)
    return user


def add_member(org, user, caps=(CAP,)):
    args = ["member", "add", org, user]
    for c in caps:
        args += ["--capability", c]
    ctl(*args)


def new_key(user):
    key = ctl("key", "add", user)
    if not RE_KEY.match(key):
        raise AssertionError("mcollctl key add printed %r, want mck_ + hex" % key)
    return key


def new_tenant(caps=(CAP,)):
    """A fresh organization with one member user and a key -> Tenant."""
    org = new_org()
    user = new_user()
    add_member(org, user, caps)
    return Tenant(org, user, new_key(user))


def new_member(org, caps=(CAP,)):
    """Another user (with key) in an existing organization -> Tenant."""
    user = new_user()
    add_member(org, user, caps)
    return Tenant(org, user, new_key(user))


def new_track(org, user, title=None):
    args = ["track", "add", org, "--user", user]
    if title:
        args += ["--title", title]
    t = ctl(*args)
    if not RE_TRACK.match(t):
        raise AssertionError("mcollctl track add printed %r, want mtrack_ + 12 hex" % t)
    return t


# --------------------------------------------------------------------------
# Assertions


def fail(resp, msg):
    raise AssertionError("%s\n  %r" % (msg, resp))


def parse_ts(s):
    return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))


def check_ts(value, what, resp=None, window=60):
    if not isinstance(value, str) or not RE_TS.match(value):
        fail(resp, "%s %r is not YYYY-MM-DDTHH:MM:SSZ" % (what, value))
    if window is not None:
        d = abs(parse_ts(value) - time.time())
        if d > window:
            fail(resp, "%s %s is %ds away from now" % (what, value, d))


def assert_common(resp):
    """Every answer: JSON content type and an X-Request-Id header."""
    ct = resp.headers.get_all("Content-Type") or []
    if ct != [JSON_CT]:
        fail(resp, "Content-Type %r, want exactly [%r]" % (ct, JSON_CT))
    rid = resp.headers.get_all("X-Request-Id") or []
    if len(rid) != 1 or not RE_REQID.match(rid[0]):
        fail(resp, "X-Request-Id %r, want one header of 32 lowercase hex" % rid)


def assert_status(resp, status):
    if resp.status != status:
        fail(resp, "HTTP status %s, want %s" % (resp.status, status))
    assert_common(resp)
    return resp.json


def assert_error(resp, status, system_message=None, details=None, field=None, code=None):
    """Full error-envelope check. Returns the error object.

    system_message/details are checked when given; field=X checks
    details == {"field": X}.
    """
    if resp.status != status:
        fail(resp, "HTTP status %s, want %s" % (resp.status, status))
    assert_common(resp)
    body = resp.json
    if not isinstance(body, dict) or list(body.keys()) != ["success", "error"]:
        fail(resp, "envelope keys %r, want ['success', 'error']"
             % (list(body.keys()) if isinstance(body, dict) else body))
    if body["success"] is not False:
        fail(resp, "success is %r, want false" % body["success"])
    err = body["error"]
    if not isinstance(err, dict) or list(err.keys()) != ERROR_KEYS:
        fail(resp, "error keys %r, want %r" % (list(err.keys()) if isinstance(err, dict)
                                               else err, ERROR_KEYS))
    ecode, etype, emsg = ERRORS[status]
    if code is not None:
        ecode = code
    if err["code"] != ecode:
        fail(resp, "error.code %r, want %r" % (err["code"], ecode))
    if err["type"] != etype:
        fail(resp, "error.type %r, want %r" % (err["type"], etype))
    if err["message"] != emsg:
        fail(resp, "error.message %r, want %r" % (err["message"], emsg))
    if err["status"] != status or isinstance(err["status"], bool):
        fail(resp, "error.status %r, want %d" % (err["status"], status))
    if not isinstance(err["system_message"], str):
        fail(resp, "error.system_message is not a string")
    if system_message is not None and err["system_message"] != system_message:
        fail(resp, "error.system_message %r, want %r" % (err["system_message"], system_message))
    if not isinstance(err["details"], dict):
        fail(resp, "error.details %r is not an object" % (err["details"],))
    if field is not None:
        details = {"field": field}
    if details is not None and err["details"] != details:
        fail(resp, "error.details %r, want %r" % (err["details"], details))
    tid = err["trace_id"]
    if not isinstance(tid, str) or not RE_TRACE.match(tid):
        fail(resp, "error.trace_id %r does not match req_ + 32 hex" % (tid,))
    rid = resp.headers.get("X-Request-Id")
    if tid != "req_" + rid:
        fail(resp, "error.trace_id %r != 'req_' + X-Request-Id %r" % (tid, rid))
    check_ts(err["timestamp"], "error.timestamp", resp)
    return err


def assert_envelope_shape(resp):
    """For answers outside the error table (e.g. nginx's own 400/414): still the
    JSON envelope, with error.status equal to the HTTP status."""
    if resp.status < 400:
        fail(resp, "HTTP status %s, want an error" % resp.status)
    assert_common(resp)
    body = resp.json
    if not isinstance(body, dict) or list(body.keys()) != ["success", "error"] \
            or body["success"] is not False:
        fail(resp, "not the error envelope")
    err = body["error"]
    if not isinstance(err, dict) or list(err.keys()) != ERROR_KEYS:
        fail(resp, "error keys are not %r" % ERROR_KEYS)
    if err["status"] != resp.status:
        fail(resp, "error.status %r != HTTP status" % err["status"])
    if err["trace_id"] != "req_" + (resp.headers.get("X-Request-Id") or ""):
        fail(resp, "trace_id does not match X-Request-Id")
    check_ts(err["timestamp"], "error.timestamp", resp)
    return err


def normalized_error(resp, drop_collection_id=False):
    """The error envelope without trace_id/timestamp (for identity checks)."""
    body = loads_strict(resp.body)
    err = body["error"]
    err["trace_id"] = "*"
    err["timestamp"] = "*"
    if drop_collection_id and isinstance(err.get("details"), dict) \
            and "collection_id" in err["details"]:
        err["details"]["collection_id"] = "*"
    return json.dumps(body)


def assert_collection(obj, resp=None, list_view=False, window=None):
    if not isinstance(obj, dict) or list(obj.keys()) != COLLECTION_KEYS:
        fail(resp, "collection keys %r, want %r"
             % (list(obj.keys()) if isinstance(obj, dict) else obj, COLLECTION_KEYS))
    if not isinstance(obj["id"], str) or not RE_COLL.match(obj["id"]):
        fail(resp, "collection id %r is not mcoll_ + 12 hex" % (obj["id"],))
    if not isinstance(obj["name"], str):
        fail(resp, "name is not a string")
    for k in ("description", "cover_track_id", "cover_image_url"):
        if obj[k] is not None and not isinstance(obj[k], str):
            fail(resp, "%s %r is not string or null" % (k, obj[k]))
    if list_view:
        if obj["track_count"] is not None:
            fail(resp, "track_count %r in list view, want null" % (obj["track_count"],))
    else:
        tc = obj["track_count"]
        if not isinstance(tc, int) or isinstance(tc, bool) or tc < 0:
            fail(resp, "track_count %r, want a non-negative integer" % (tc,))
    check_ts(obj["created_at"], "created_at", resp, window)
    check_ts(obj["updated_at"], "updated_at", resp, window)
    if parse_ts(obj["updated_at"]) < parse_ts(obj["created_at"]):
        fail(resp, "updated_at before created_at")
    return obj


def assert_ack(resp, id_, detail):
    body = assert_status(resp, 200)
    want = {"success": True, "id": id_, "detail": detail}
    if body != want or list(body.keys()) != ["success", "id", "detail"]:
        fail(resp, "ack %r, want exactly %r" % (body, want))
    return body


# --------------------------------------------------------------------------
# API shortcuts (each asserts success)


def create(t, body=None, **fields):
    b = body if body is not None else dict(fields)
    if "name" not in b and body is None:
        b["name"] = "c-" + uniq(8)
    r = call("POST", cpath(t.org), t.key, body=b)
    obj = assert_status(r, 201)
    assert_collection(obj, r, window=60)
    return obj


def get(t, cid):
    r = call("GET", cpath(t.org, cid), t.key)
    obj = assert_status(r, 200)
    return assert_collection(obj, r)


def add(t, cid, track):
    r = call("POST", cpath(t.org, cid, "tracks"), t.key, body={"track_id": track})
    return assert_ack(r, track, "Track added to collection.")


def remove(t, cid, track):
    r = call("DELETE", cpath(t.org, cid, "tracks", q(track)), t.key)
    return assert_ack(r, track, "Track removed from collection.")


def reorder(t, cid, ids):
    r = call("PATCH", cpath(t.org, cid, "order"), t.key, body={"ordered_track_ids": ids})
    return assert_ack(r, cid, "Collection reordered.")


def members(t, cid, page=500):
    """All entries of a collection via the API (pages of `page`)."""
    out = []
    off = 0
    while True:
        r = call("GET", cpath(t.org, cid, "tracks", query="limit=%d&offset=%d" % (page, off)),
                 t.key)
        body = assert_status(r, 200)
        if list(body.keys()) != ["collection_id", "items", "limit", "offset"]:
            fail(r, "tracks list keys %r" % list(body.keys()))
        items = body["items"]
        for e in items:
            if list(e.keys()) != ["track_id", "position", "added_at"]:
                fail(r, "entry keys %r, want track_id, position, added_at" % list(e.keys()))
        out.extend(items)
        if len(items) < page:
            return out
        off += page


def member_ids(t, cid):
    return [e["track_id"] for e in members(t, cid)]


# --------------------------------------------------------------------------
# Schema (discovered from the live database)


class Schema:
    """Names of the tables/columns the suite inspects (sql/001_schema.sql);
    checked once against information_schema so a rename fails loudly."""

    coll = "collections"
    coll_id = "id"
    coll_org = "org_id"
    coll_user = "user_id"
    coll_name = "name"
    coll_desc = "description"
    coll_cover = "cover_track_id"
    coll_count = "track_count"
    coll_created = "created_at"
    coll_updated = "updated_at"
    coll_deleted = "deleted_at"
    mem = "collection_tracks"
    mem_coll = "collection_id"
    mem_track = "track_id"
    mem_key = "sort_key"
    blocks = "collection_blocks"
    mem_added = "added_at"
    track = "tracks"
    track_id = "id"
    track_org = "org_id"
    track_user = "user_id"
    track_title = "title"
    track_created = "created_at"


_schema = None
_schema_lock = threading.Lock()


def schema():
    global _schema
    with _schema_lock:
        if _schema is None:
            _schema = _check_schema()
        return _schema


def _check_schema():
    rows = sql("SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS "
               "WHERE TABLE_SCHEMA = DATABASE()")
    have = {(t, c) for t, c in rows}
    s = Schema()
    missing = []
    for attr in dir(Schema):
        if attr.startswith("_"):
            continue
        for prefix, table in (("coll_", s.coll), ("mem_", s.mem), ("track_", s.track)):
            if attr.startswith(prefix):
                if (table, getattr(s, attr)) not in have:
                    missing.append("%s.%s" % (table, getattr(s, attr)))
    if missing:
        raise AssertionError("database schema lacks %s (the suite expects "
                             "sql/001_schema.sql's names)" % ", ".join(missing))
    return s


def db_membership(cid):
    """[(track_id, position)] of a collection, from the DB: the position is
    the rank by sort key (sql/002_order_keys.sql)."""
    s = schema()
    rows = sql("SELECT m.`%s`, m.`%s` FROM `%s` m WHERE m.`%s` = %s ORDER BY m.`%s`"
               % (s.mem_track, s.mem_key, s.mem, s.mem_coll, sqlq(cid), s.mem_key))
    keys = [int(r[1]) for r in rows]
    if len(set(keys)) != len(keys):
        raise AssertionError("duplicate sort keys in %s: %r" % (cid, keys))
    return [(r[0], i) for i, r in enumerate(rows)]


def db_blocks_consistent(tc, cid):
    """The order index of cid: blocks in key order, each counting exactly
    the entries in its key range, none empty, the first covering the
    smallest key, adding up to the entries."""
    s = schema()
    blocks = [(int(a), int(b)) for a, b in sql(
        "SELECT first_key, entries FROM `%s` WHERE collection_id = %s ORDER BY first_key"
        % (s.blocks, sqlq(cid)))]
    keys = [int(r[0]) for r in sql("SELECT `%s` FROM `%s` WHERE `%s` = %s ORDER BY `%s`"
                                   % (s.mem_key, s.mem, s.mem_coll, sqlq(cid), s.mem_key))]
    if not keys:
        tc.assertEqual(blocks, [], "blocks left for the empty collection %s" % cid)
        return
    tc.assertTrue(blocks and blocks[0][0] <= keys[0],
                  "the first block of %s does not cover key %d: %r" % (cid, keys[0], blocks[:3]))
    for i, (first, n) in enumerate(blocks):
        end = blocks[i + 1][0] if i + 1 < len(blocks) else None
        inside = sum(1 for k in keys if k >= first and (end is None or k < end))
        tc.assertGreater(n, 0, "empty block %d of %s" % (first, cid))
        tc.assertEqual(inside, n, "block %d of %s counts %d, holds %d" % (first, cid, n, inside))


def db_track_count(cid):
    s = schema()
    v = sql_value("SELECT `%s` FROM `%s` WHERE `%s` = %s"
                  % (s.coll_count, s.coll, s.coll_id, sqlq(cid)))
    return None if v is None else int(v)


def assert_db_consistent(tc, cid):
    """Positions 0..n-1, no duplicate track, track_count == rows (via SQL)."""
    rows = db_membership(cid)
    tracks = [r[0] for r in rows]
    positions = [r[1] for r in rows]
    tc.assertEqual(positions, list(range(len(rows))),
                   "DB positions of %s are not exactly 0..n-1: %r" % (cid, positions))
    tc.assertEqual(len(set(tracks)), len(tracks), "duplicate track rows in %s" % cid)
    tc.assertEqual(db_track_count(cid), len(rows),
                   "track_count column of %s != membership rows" % cid)
    db_blocks_consistent(tc, cid)
    return tracks


def fill_collection(t, cid, first, n):
    """Fill collection `cid` of tenant t (holding only `first`) up to n
    tracks through SQL (new tracks, entries with keys 1..n-1, track_count;
    the order index is rebuilt by mcolld on the next change).  Returns the
    n track ids in order."""
    s = schema()
    prefix = secrets.token_hex(3)
    filled = [first] + ["mtrack_%s%06x" % (prefix, i) for i in range(1, n)]
    tracks = ",".join("(%s,%s,%s,'bulk',UTC_TIMESTAMP(6))"
                      % (sqlq(tr), sqlq(t.org), sqlq(t.user)) for tr in filled[1:])
    mem = ",".join("(%s,%s,%d,UTC_TIMESTAMP(6))" % (sqlq(cid), sqlq(tr), i)
                   for i, tr in enumerate(filled) if i > 0)
    sql("START TRANSACTION;\n"
        "INSERT INTO `%s` (`%s`,`%s`,`%s`,`%s`,`%s`) VALUES %s;\n"
        "INSERT INTO `%s` (`%s`,`%s`,`%s`,`%s`) VALUES %s;\n"
        "UPDATE `%s` SET `%s` = %d WHERE `%s` = %s;\n"
        "COMMIT;\n"
        % (s.track, s.track_id, s.track_org, s.track_user, s.track_title,
           s.track_created, tracks,
           s.mem, s.mem_coll, s.mem_track, s.mem_key, s.mem_added, mem,
           s.coll, s.coll_count, n, s.coll_id, sqlq(cid)))
    return filled


def wait_for(pred, timeout, step=0.1):
    """pred() until it is true or timeout seconds pass; returns its last value."""
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


def run_parallel(jobs, timeout=120):
    """Run callables at once, each given its own Client after a common start
    barrier; returns their results (an exception raised becomes the result,
    None means the job did not finish in time)."""
    results = [None] * len(jobs)
    barrier = threading.Barrier(len(jobs))

    def runner(i):
        c = Client()
        try:
            barrier.wait(timeout=30)
            results[i] = jobs[i](c)
        except Exception as e:  # noqa: BLE001
            results[i] = e
        finally:
            c.close()

    ths = [threading.Thread(target=runner, args=(i,)) for i in range(len(jobs))]
    for th in ths:
        th.start()
    for th in ths:
        th.join(timeout=timeout)
    return results


class Load:
    """Steady, bounded load from `threads` threads, each with its own
    keep-alive Client, until stop() or `seconds` or `max_requests` (all
    threads together) is reached.  `fn(client, i)` sends one request and
    returns its Response.  Every outcome is kept in `results` as
    (start time, seconds taken, status or None, error text or None).

        with m.Load(lambda c, i: c.call("GET", path, key), threads=4) as load:
            ...                      # do the fault while it runs
        bad = load.failures()        # [(t, dt, status, error)] not 2xx
    """

    def __init__(self, fn, threads=4, seconds=30, max_requests=100000, pause=0.0):
        self.fn, self.nthreads, self.seconds = fn, threads, seconds
        self.max_requests, self.pause = max_requests, pause
        self.results = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._n = 0
        self._ths = []

    def _next(self):
        with self._lock:
            if self._stop.is_set() or self._n >= self.max_requests:
                return None
            self._n += 1
            return self._n

    def _run(self):
        c = Client(timeout=30)
        end = time.time() + self.seconds
        try:
            while time.time() < end:
                i = self._next()
                if i is None:
                    break
                t0 = time.time()
                status = err = None
                try:
                    status = self.fn(c, i).status
                except Exception as e:  # noqa: BLE001
                    err = "%s: %s" % (type(e).__name__, e)
                    c.close()
                    c = Client(timeout=30)
                with self._lock:
                    self.results.append((t0, time.time() - t0, status, err))
                if self.pause:
                    time.sleep(self.pause)
        finally:
            c.close()

    def start(self):
        self._ths = [threading.Thread(target=self._run, daemon=True)
                     for _ in range(self.nthreads)]
        for th in self._ths:
            th.start()
        return self

    def stop(self):
        self._stop.set()
        for th in self._ths:
            th.join(timeout=self.seconds + 60)
        return self

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def failures(self):
        with self._lock:
            return [r for r in self.results if r[2] is None or not 200 <= r[2] < 300]


def mixed_mutation(c, t, cid, tracks, i):
    """Step i of a mixed load on collection cid of tenant t, in turn over
    tracks: add a track, reverse the order, remove the track, read the
    tracks.  Returns (op, response): op is "add" or "remove" for the steps
    that change membership, else None."""
    tr = tracks[i % len(tracks)]
    step = (i // len(tracks)) % 4
    if step == 0:
        return "add", c.call("POST", cpath(t.org, cid, "tracks"), t.key, body={"track_id": tr})
    if step == 1:
        return None, c.call("PATCH", cpath(t.org, cid, "order"), t.key,
                            body={"ordered_track_ids": list(reversed(tracks))})
    if step == 2:
        return "remove", c.call("DELETE", cpath(t.org, cid, "tracks", tr), t.key)
    return None, c.call("GET", cpath(t.org, cid, "tracks"), t.key)
