"""doc/openapi.yaml and its checker: the checker rejects answers the document
does not describe, and the document's paths and methods are the served ones."""

import email.message
import http.client
import socket
import unittest
import urllib.parse

import mcoll as m
import openapi_check as oc
from mcoll import call, cpath

CID = "mcoll_4a1f9c7e2b8d"
TID = "mtrack_8d2e1f6a3c9b"
RID = "0123456789abcdef0123456789abcdef"
COLL = {"id": CID, "name": "Focus Sessions", "description": None, "cover_track_id": None,
        "cover_image_url": None, "track_count": 0, "created_at": "2026-06-28T10:30:00Z",
        "updated_at": "2026-06-28T10:30:00Z"}


def headers(**extra):
    h = email.message.Message()
    h["Content-Type"] = m.JSON_CT
    h["X-Request-Id"] = RID
    h["ETag"] = '"1"'   # required on a collection's answers, ignored elsewhere
    for k, v in extra.items():
        k = k.replace("_", "-")
        del h[k]
        if v is not None:
            h[k] = v
    return h


def error(status, code, etype, message, system_message, details=None):
    return {"success": False, "error": {
        "code": code, "message": message, "system_message": system_message, "type": etype,
        "status": status, "details": {} if details is None else details,
        "trace_id": "req_" + RID, "timestamp": "2026-06-28T10:30:00Z"}}


def e404(details):
    return error(404, "RESOURCE_NOT_FOUND", "client_error",
                 "The requested resource was not found.",
                 m.MSG_COLL_404, details)


class CheckerTest(unittest.TestCase):
    """Hand-made answers fed to the checker (no request is sent)."""

    ORG = "org_abc123"

    def ok(self, method, path, status, body, hdrs=None):
        oc.check(method, path, status, hdrs if hdrs is not None else headers(), m.dumps(body)
                 if not isinstance(body, bytes) else body)

    def bad(self, method, path, status, body, hdrs=None, why=None):
        with self.assertRaises(AssertionError) as cm:
            self.ok(method, path, status, body, hdrs)
        msg = str(cm.exception)
        self.assertIn("%s %s -> %s" % (method, path, status), msg)
        if why is not None:
            self.assertIn(why, msg)
        return msg

    def test_good_answers_pass(self):
        org = self.ORG
        self.ok("GET", cpath(org, CID), 200, COLL)
        self.ok("POST", cpath(org), 201, COLL,
                headers(Location="/v1/music/%s/collections/%s" % (org, CID)))
        self.ok("GET", cpath(org, query="limit=1"), 200,
                {"items": [dict(COLL, track_count=None)], "limit": 1, "offset": 0})
        self.ok("DELETE", cpath(org, CID, "tracks", "x"), 200,
                {"success": True, "id": "x", "detail": "Track removed from collection."})
        self.ok("GET", cpath(org, "nope"), 404, e404({"collection_id": "nope"}))
        self.ok("GET", "/v1/nope", 404, error(404, "RESOURCE_NOT_FOUND", "client_error",
                                              "The requested resource was not found.",
                                              m.MSG_NO_ROUTE))
        self.ok("PUT", cpath(org), 405, error(405, "METHOD_NOT_ALLOWED", "client_error",
                                              "The HTTP method is not allowed for this resource.",
                                              "Method PUT is not allowed here",
                                              {"allowed": ["GET", "POST"]}),
                headers(Allow="GET, POST"))

    def test_wrong_bodies_rejected(self):
        org = self.ORG
        p = cpath(org, CID)
        self.bad("GET", p, 200, dict(COLL, extra=1), why="extra")
        self.bad("GET", p, 200, {k: v for k, v in COLL.items() if k != "updated_at"},
                 why="updated_at")
        self.bad("GET", p, 200, dict(COLL, track_count=None), why="track_count")
        self.bad("GET", p, 200, dict(COLL, track_count="0"))
        self.bad("GET", p, 200, dict(COLL, id="mcoll_XYZ"), why="id")
        self.bad("GET", p, 200, dict(COLL, created_at="2026-06-28 10:30:00"), why="created_at")
        self.bad("GET", p, 200, dict(COLL, cover_image_url="ftp://x"), why="cover_image_url")
        self.bad("GET", cpath(org), 200, {"items": [COLL], "limit": 50, "offset": 0},
                 why="track_count")
        self.bad("GET", cpath(org), 200, {"items": [], "limit": 101, "offset": 0}, why="limit")
        self.bad("DELETE", p, 200, {"success": True, "id": CID, "detail": "Deleted."},
                 why="detail")
        self.bad("GET", p, 200, b'{"id":1,"id":2}', why="duplicate key")
        self.bad("GET", p, 200, b"not json", why="not valid JSON")
        # the error envelope: wrong code, missing key, details of another 404
        self.bad("GET", p, 404, e404({"track_id": TID}), why="details")
        bad = e404({"collection_id": CID})
        bad["error"]["code"] = "NOT_FOUND"
        self.bad("GET", p, 404, bad, why="code")
        del bad["error"]["trace_id"]
        self.bad("GET", p, 404, bad)
        self.bad("GET", "/v1/nope", 404, e404({"collection_id": CID}), why="path not in")
        self.bad("GET", "/v1/nope", 404, {"detail": "Not Found"})

    def test_status_and_headers_rejected(self):
        org = self.ORG
        p = cpath(org, CID)
        self.bad("GET", p, 201, COLL, why="status 201 is not documented")
        self.bad("GET", p, 302, b"", why="status 302 is not documented")
        self.bad("GET", "/v1/nope", 405, {}, why="status 405 is not documented")
        self.bad("GET", p, 200, COLL, headers(X_Request_Id=None), why="X-Request-Id")
        self.bad("GET", p, 200, COLL, headers(X_Request_Id="abc"), why="X-Request-Id")
        self.bad("GET", p, 200, COLL, headers(Content_Type="application/json"),
                 why="Content-Type")
        self.bad("GET", p, 200, COLL, headers(ETag=None), why="ETag")
        self.bad("GET", p, 200, COLL, headers(ETag='W/"1"'), why="ETag")
        self.bad("GET", cpath(org, CID, "tracks"), 200,
                 {"collection_id": CID, "items": [], "limit": 200, "offset": 0},
                 headers(ETag='"1"'), why="ETag")
        self.bad("GET", p, 304, COLL, why="a body where the document has none")
        self.ok("GET", p, 304, b"", headers(Content_Type=None))
        self.ok("GET", cpath(org, CID, "tracks"), 304, b"",
                headers(Content_Type=None, ETag='"1.200.0"'))
        self.bad("POST", cpath(org), 201, COLL, why="Location")
        self.bad("POST", cpath(org), 201, COLL, headers(Location="http://x/"), why="Location")
        self.bad("PUT", cpath(org), 405,
                 error(405, "METHOD_NOT_ALLOWED", "client_error",
                       "The HTTP method is not allowed for this resource.", "x",
                       {"allowed": ["GET", "POST"]}), why="Allow")

    def test_planned_answers_described(self):
        """429 needs Retry-After; 401 may carry WWW-Authenticate; 204 preflight."""
        org = self.ORG
        e429 = error(429, "RATE_LIMITED", "client_error", "Too many requests.", "x")
        self.bad("GET", cpath(org), 429, e429, why="Retry-After")
        self.ok("GET", cpath(org), 429, e429, headers(Retry_After="1"))
        e401 = error(401, "AUTHENTICATION_REQUIRED", "authentication_error",
                     "Authentication required. Please provide a valid API key.", m.MSG_401)
        self.ok("GET", cpath(org), 401, e401)
        self.ok("GET", cpath(org), 401, e401, headers(WWW_Authenticate='Bearer realm="mcoll"'))
        self.bad("GET", cpath(org), 401, e401, headers(WWW_Authenticate="Basic"),
                 why="WWW-Authenticate")
        self.ok("OPTIONS", cpath(org), 204, b"", headers(Content_Type=None))
        self.ok("OPTIONS", "/v1/nope", 204, b"", headers(Content_Type=None))
        self.bad("GET", "/v1/nope", 204, b"", headers(Content_Type=None), why="not documented")
        self.bad("OPTIONS", cpath(org), 204, b"{}", headers(), why="a body")


class DocumentMatchesServiceTest(unittest.TestCase):
    """The document's methods per path are the ones the service routes."""

    @classmethod
    def setUpClass(cls):
        cls.a = m.new_tenant()

    def test_allow_lists_the_documented_methods(self):
        doc = oc.spec().doc
        org = self.a.org
        for template, item in doc["paths"].items():
            path = (template.replace("{organization_id}", org)
                    .replace("{collection_id}", "mcoll_0123456789ab")
                    .replace("{track_id}", "mtrack_0123456789ab"))
            documented = {k.upper() for k in item if k in oc.METHODS}
            with self.subTest(path=template):
                r = call("PUT", path, self.a.key)     # PUT is no operation here
                m.assert_error(r, 405)
                served = set(r.headers["Allow"].split(", "))
                # OPTIONS (CORS preflight) is documented before it is served.
                self.assertEqual(served - {"OPTIONS"}, documented - {"OPTIONS"}, r)

    def test_cover_image_url_pattern_is_the_service_rule(self):
        """A URL is accepted (201) exactly when the documented pattern matches."""
        import jsonschema
        schema = oc.spec().doc["components"]["schemas"]["CoverImageUrl"]
        v = jsonschema.Draft202012Validator(schema)
        urls = ["http://example.com", "HTTPS://EXAMPLE.COM/x", "http://u:p@h:8/p?q#f",
                "http://[::1]:8080/", "https://\u00e9.example/\u00fc", "http://h:", "ftp://x",
                "http://", "https://", "http:///x", "http://?q", "http://#f", "http://a b",
                "http://a\tb", "http://a\x7f", "//x", "http:/x", "mailto:a@b", " http://x"]
        for url in urls:
            with self.subTest(url=url):
                r = call("POST", cpath(self.a.org), self.a.key,
                         body={"name": "u", "cover_image_url": url})
                self.assertEqual(r.status, 201 if v.is_valid(url) else 422, r)

    def test_every_operation_documents_x_request_id_and_errors(self):
        doc = oc.spec().doc
        for template, item in doc["paths"].items():
            for method in oc.METHODS:
                op = item.get(method)
                if op is None:
                    continue
                for status, resp in op["responses"].items():
                    with self.subTest(op=op["operationId"], status=status):
                        self.assertTrue(resp["headers"]["X-Request-Id"]["required"])
                        if int(status) >= 400:
                            schema = resp["content"]["application/json"]["schema"]
                            self.assertIn("error", repr(schema))
                for status in ("400", "413", "414", "500", "501", "503", "505"):
                    self.assertIn(status, op["responses"], "%s %s" % (method, template))


def raw_request(data):
    """Sends bytes as they are over TLS; (status, headers, body) of the answer."""
    u = urllib.parse.urlsplit(m.BASE_URL)
    with socket.create_connection((u.hostname, u.port or 443), timeout=20) as s:
        with m.tls_context().wrap_socket(s, server_hostname=u.hostname) as ts:
            ts.sendall(data)
            r = http.client.HTTPResponse(ts, method="GET")
            r.begin()
            return r.status, r.headers, r.read()


class NginxAnswersTest(unittest.TestCase):
    """Answers nginx makes itself, which http.client cannot provoke, checked
    against the document like every other answer."""

    def test_nginx_answers_match_the_document(self):
        p = cpath("org_abc123")
        host = b"Host: " + urllib.parse.urlsplit(m.BASE_URL).hostname.encode() + b"\r\n"
        cases = [
            (505, "GET", p, b"GET " + p.encode() + b" HTTP/2.0\r\n" + host + b"\r\n"),
            (501, "GET", p, b"GET " + p.encode() + b" HTTP/1.1\r\n" + host
             + b"Transfer-Encoding: gzip\r\n\r\n"),
            (400, "GET", p, b"GET " + p.encode() + b" HTTP/1.1\r\n\r\n"),      # no Host
            (400, "GARBAGE", "*", b"GARBAGE\r\n\r\n"),
            (413, "POST", p, b"POST " + p.encode() + b" HTTP/1.1\r\n" + host
             + b"Content-Type: application/json\r\nContent-Length: 2000000\r\n\r\n"),
        ]
        for status, method, path, data in cases:
            with self.subTest(request=data[:60]):
                st, hdrs, body = raw_request(data)
                self.assertEqual(st, status, body)
                oc.check(method, path, st, hdrs, body)
                err = m.loads_strict(body)["error"]
                self.assertEqual(err["trace_id"], "req_" + hdrs["X-Request-Id"])


if __name__ == "__main__":
    unittest.main()
