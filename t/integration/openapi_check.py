"""Checks answers of the service against doc/openapi.yaml.

The document is loaded once (python3-yaml) with every $ref resolved; an
answer is looked up by method + path template, and must have

  - a status listed for that operation,
  - every header the document marks required, each documented header
    matching its schema,
  - where a body is documented: Content-Type exactly
    `application/json; charset=utf-8` and a body that validates against the
    schema (python3-jsonschema, draft 2020-12, which OpenAPI 3.1 uses);
    where none is: an empty body.

A request no operation describes gets the document's `x-mcoll-unmatched`
answers: `unknown-path` when no path template matches, `unknown-method`
when one does but the method is not listed for it, and for OPTIONS also
`preflight`.

check() raises AssertionError naming the request, the status and the
validator's message.  Environment: MCOLL_OPENAPI names the document
(default: doc/openapi.yaml of this tree); MCOLL_OPENAPI_CHECK=0 turns the
check off; MCOLL_OPENAPI_LOG=FILE appends "operation status" per answer
checked (to see which answers the suite exercises).
"""

import os
import re
import threading

import jsonschema
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
DOC_PATH = os.environ.get("MCOLL_OPENAPI") or os.path.join(HERE, "..", "..", "doc",
                                                           "openapi.yaml")
JSON_CT = "application/json; charset=utf-8"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

_lock = threading.Lock()
_spec = None


def _pointer(doc, ref):
    if not ref.startswith("#/"):
        raise ValueError("only local $refs are supported: %r" % ref)
    node = doc
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def resolve(doc, node, seen=()):
    """A copy of node (a part of doc) with every $ref replaced by its
    target; a $ref's siblings (description, summary) are kept."""
    if isinstance(node, list):
        return [resolve(doc, v, seen) for v in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"]
        if ref in seen:
            raise ValueError("recursive $ref %r (via %s)" % (ref, " -> ".join(seen)))
        target = resolve(doc, _pointer(doc, ref), seen + (ref,))
        if isinstance(target, dict):
            target = dict(target)
            target.update({k: resolve(doc, v, seen) for k, v in node.items() if k != "$ref"})
        return target
    return {k: resolve(doc, v, seen) for k, v in node.items()}


class Spec:
    def __init__(self, doc):
        self.doc = resolve(doc, doc)
        self.routes = []          # (regex, template, path item)
        for template, item in self.doc["paths"].items():
            rx = "^" + re.sub(r"\\\{[A-Za-z0-9_]+\\\}", "[^/]+", re.escape(template)) + "$"
            self.routes.append((re.compile(rx), template, item))
        unmatched = self.doc["x-mcoll-unmatched"]
        self.unknown_path = unmatched["unknown-path"]["responses"]
        self.unknown_method = unmatched["unknown-method"]["responses"]
        self.preflight = unmatched["preflight"]["responses"]
        self._validators = {}
        for status, resp in (list(self.unknown_path.items()) + list(self.unknown_method.items())
                             + list(self.preflight.items())):
            self._check_response_schemas(resp, "x-mcoll-unmatched %s" % status)
        for _rx, template, item in self.routes:
            for method in METHODS:
                for status, resp in item.get(method, {}).get("responses", {}).items():
                    self._check_response_schemas(resp, "%s %s %s"
                                                 % (method.upper(), template, status))

    @staticmethod
    def _check_response_schemas(resp, where):
        for media in (resp.get("content") or {}).values():
            try:
                jsonschema.Draft202012Validator.check_schema(media["schema"])
            except jsonschema.SchemaError as e:
                raise ValueError("%s: bad schema in %s: %s" % (DOC_PATH, where, e.message))

    def responses_for(self, method, path):
        """(description of what matched, {status: response object})."""
        for rx, template, item in self.routes:
            if rx.match(path):
                op = item.get(method.lower())
                if op is None:
                    return "%s %s (method not in the document)" % (method, template), \
                        self._unmatched(method, self.unknown_method)
                return "%s %s (%s)" % (method, template, op.get("operationId")), op["responses"]
        return "%s (path not in the document)" % method, self._unmatched(method, self.unknown_path)

    def _unmatched(self, method, responses):
        if method.upper() == "OPTIONS":
            return dict(responses, **self.preflight)
        return responses

    def validator(self, schema):
        key = id(schema)
        v = self._validators.get(key)
        if v is None:
            v = self._validators[key] = jsonschema.Draft202012Validator(schema)
        return v


def spec():
    global _spec
    with _lock:
        if _spec is None:
            with open(DOC_PATH, encoding="utf-8") as f:
                _spec = Spec(yaml.safe_load(f))
        return _spec


def _header_values(headers, name):
    if hasattr(headers, "get_all"):
        return headers.get_all(name) or []
    return [v for k, v in (headers or {}).items() if k.lower() == name.lower()]


def check(method, path, status, headers, body):
    """Raises AssertionError unless the answer is one the document describes.

    path: the request target as sent (the query is ignored); headers: an
    http.client.HTTPMessage or a dict; body: bytes."""
    s = spec()
    rpath = path.split("?", 1)[0].split("#", 1)[0]
    what, responses = s.responses_for(method, rpath)

    def fail(msg):
        b = body if len(body) <= 600 else body[:600] + b"..."
        raise AssertionError("answer not as doc/openapi.yaml says: %s\n  request %s %s -> %s\n"
                             "  (matched %s)\n  body %r"
                             % (msg, method, path[:200], status, what, b))

    log = os.environ.get("MCOLL_OPENAPI_LOG")
    if log:
        with _lock, open(log, "a", encoding="utf-8") as f:
            f.write("%s %s\n" % (what, status))
    resp = responses.get(str(status))
    if resp is None:
        fail("status %s is not documented (documented: %s)"
             % (status, ", ".join(sorted(responses))))
    for name, h in (resp.get("headers") or {}).items():
        values = _header_values(headers, name)
        if not values:
            if h.get("required"):
                fail("required header %s is missing" % name)
            continue
        if len(values) > 1:
            fail("header %s sent %d times: %r" % (name, len(values), values))
        if "schema" in h:
            err = jsonschema.exceptions.best_match(s.validator(h["schema"]).iter_errors(values[0]))
            if err is not None:
                fail("header %s: %r: %s" % (name, values[0], err.message))
    content = resp.get("content")
    if not content:
        if body:
            fail("a body where the document has none")
        return
    if method.upper() == "HEAD":
        return
    ct = _header_values(headers, "Content-Type")
    if ct != [JSON_CT]:
        fail("Content-Type %r, want exactly [%r]" % (ct, JSON_CT))
    schema = content["application/json"]["schema"]
    import mcoll        # here: mcoll imports this module
    try:
        value = mcoll.loads_strict(body)
    except ValueError as e:
        fail("body is not valid JSON: %s" % e)
    err = jsonschema.exceptions.best_match(s.validator(schema).iter_errors(value))
    if err is not None:
        where = "/".join(str(p) for p in err.absolute_path) or "(root)"
        fail("body at %s: %s" % (where, err.message))


def enabled():
    """MCOLL_OPENAPI_CHECK=0 turns the check off (default on)."""
    return os.environ.get("MCOLL_OPENAPI_CHECK", "1") != "0"

