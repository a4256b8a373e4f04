# Reference answers from Python's socket module (glibc) for netdb_python_test.go.
# Reads one JSON object of cases on stdin, writes one JSON object of results.
import json
import socket
import sys


def err(e):
    if isinstance(e, socket.gaierror):
        return {"error": "gaierror", "code": e.errno}
    if isinstance(e, socket.herror):
        return {"error": "herror", "code": e.errno}
    return {"error": type(e).__name__, "msg": str(e)}


def call(f, *a):
    try:
        return {"ok": f(*a)}
    except Exception as e:  # noqa: BLE001 - every failure is an answer
        return err(e)


def gai(c):
    r = socket.getaddrinfo(c["host"], c["port"], c["family"], c["type"], c["proto"], c["flags"])
    return [[int(f), int(t), p, cn, list(sa)] for f, t, p, cn, sa in r]


def gni(c):
    return list(socket.getnameinfo(tuple(c["sa"]), c["flags"]))


def hbx(n):
    h, al, ad = socket.gethostbyname_ex(n)
    return [h, al, ad]


cases = json.load(sys.stdin)
out = {
    "gai": [call(gai, c) for c in cases["gai"]],
    "gni": [call(gni, c) for c in cases["gni"]],
    "sbn": [call(socket.getservbyname, *c) for c in cases["sbn"]],
    "sbp": [call(socket.getservbyport, *c) for c in cases["sbp"]],
    "pbn": [call(socket.getprotobyname, c) for c in cases["pbn"]],
    "hbx": [call(hbx, c) for c in cases["hbx"]],
    "hbn": [call(socket.gethostbyname, c) for c in cases["hbn"]],
    "fqdn": [call(socket.getfqdn, c) for c in cases["fqdn"]],
    "hba": [call(lambda a: list(socket.gethostbyaddr(a)), c) for c in cases["hba"]],
    "ifs": [call(lambda: [list(x) for x in socket.if_nameindex()])],
}
json.dump(out, sys.stdout)
