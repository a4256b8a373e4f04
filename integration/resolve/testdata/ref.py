# Reference answers from Python's socket module (glibc) for resolve_test.go.
# Reads a JSON list of calls on stdin, writes a JSON list of answers.
import json
import socket
import sys


def one(c):
    op = c["op"]
    try:
        if op == "gai":
            r = socket.getaddrinfo(c["host"], c.get("port"), c["family"], c["type"], 0, c["flags"])
            return {"ok": [[int(f), int(t), p, cn, list(sa)] for f, t, p, cn, sa in r]}
        if op == "hbx":
            return {"ok": list(socket.gethostbyname_ex(c["name"]))}
        if op == "hba":
            return {"ok": list(socket.gethostbyaddr(c["addr"]))}
        if op == "gni":
            return {"ok": list(socket.getnameinfo(tuple(c["sa"]), c["flags"]))}
    except (socket.gaierror, socket.herror) as e:
        return {"code": e.errno}
    raise ValueError(op)


json.dump([one(c) for c in json.load(sys.stdin)], sys.stdout)
