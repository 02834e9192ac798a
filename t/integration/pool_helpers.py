"""Helpers of the worker-pool tests (test_lifecycle, test_pool_db): the
master's live workers, the service log from an offset, editing the
configuration of the running stack and putting it back, a minimal FastCGI
client."""

import os
import signal
import socket
import struct
import time

import mcoll as m


def wait_for(pred, timeout, step=0.02):
    return m.wait_for(pred, timeout, step)


def children(ppid):
    return m.children(ppid)


def alive(pid):
    """True while pid runs (a zombie does not)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2:].split()[0] not in ("Z", "X")


def workers():
    return children(m.master_pid())


def log_size():
    return os.path.getsize(os.environ["MCOLL_LOG"])


def log_since(offset):
    with open(os.environ["MCOLL_LOG"], "rb") as f:
        f.seek(offset)
        return f.read().decode("utf-8", "replace")


def conf_path():
    return os.environ["MCOLL_CONFIG"]


def read_conf():
    with open(conf_path()) as f:
        return f.read()


def write_conf(text):
    tmp = conf_path() + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, conf_path())


def conf_value(text, key):
    for line in text.splitlines():
        k, sep, v = line.partition("=")
        if sep and k.strip() == key:
            return v.strip()
    return None


def with_value(text, key, value):
    """The configuration text with key set to value (added when absent)."""
    lines, done = [], False
    for line in text.splitlines():
        k, sep, _ = line.partition("=")
        if sep and k.strip() == key:
            line = "%s = %s" % (key, value)
            done = True
        lines.append(line)
    if not done:
        lines.append("%s = %s" % (key, value))
    return "\n".join(lines) + "\n"


def reload_and_wait(offset, timeout=30):
    """SIGHUP the master; wait for its "reload done" after log offset."""
    os.kill(m.master_pid(), signal.SIGHUP)
    ok = wait_for(lambda: "reload done" in log_since(offset), timeout, 0.05)
    if not ok:
        raise AssertionError("no 'reload done' within %ds:\n%s" % (timeout, log_since(offset)[-2000:]))


def restore_conf(original):
    """Put the configuration back and have the pool run it again."""
    if read_conf() != original:
        write_conf(original)
        off = log_size()
        reload_and_wait(off)
    want = int(conf_value(original, "workers") or 4)
    if not wait_for(lambda: len(workers()) == want, 20):
        raise AssertionError("pool has %d workers after restoring, want %d" % (len(workers()), want))


# --------------------------------------------------------------------------
# FastCGI (just enough to send one responder request)

def _rec(rtype, content, rid=1):
    return struct.pack("!BBHHBx", 1, rtype, rid, len(content), 0) + content


def _nv(name, value):
    out = b""
    for x in (name, value):
        n = len(x)
        out += bytes([n]) if n < 128 else struct.pack("!I", n | 0x80000000)
    return out + name + value


def fcgi_send(sock, params):
    p = b"".join(_nv(k.encode(), v.encode()) for k, v in params.items())
    sock.sendall(_rec(1, struct.pack("!HB5x", 1, 0)) + _rec(4, p) + _rec(4, b"")
                 + _rec(5, b""))


def fcgi_read(sock):
    """STDOUT of the answer, until FCGI_END_REQUEST."""
    buf, out = b"", b""
    while True:
        while len(buf) >= 8:
            _, rtype, _, clen, plen = struct.unpack("!BBHHB", buf[:7])
            if len(buf) < 8 + clen + plen:
                break
            content = buf[8:8 + clen]
            buf = buf[8 + clen + plen:]
            if rtype == 6:
                out += content
            elif rtype == 3:
                return out
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError("FastCGI connection closed before END_REQUEST: %r" % out)
        buf += chunk


def fcgi_get(path, uri="/nope", timeout=10):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(timeout)
    try:
        s.connect(path)
        fcgi_send(s, {"REQUEST_METHOD": "GET", "REQUEST_URI": uri, "QUERY_STRING": ""})
        return fcgi_read(s)
    finally:
        s.close()
