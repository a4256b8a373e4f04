# cpython_ref.py: the behaviours of CPython's Lib/test/test_socket.py that
# sockcore mirrors, run with python3's socket module. Each key names the
# CPython test; cpython_test.go runs the same steps in Go and compares.
# Values are plain data; an exception is "error:KIND" (range for
# OverflowError, TypeError and ValueError, timeout, or the errno's name).
import errno, fcntl, json, os, socket, struct

def kind(e):
    if isinstance(e, (OverflowError, TypeError, ValueError)):
        return "error:range"
    if isinstance(e, socket.timeout):
        return "error:timeout"
    if isinstance(e, OSError) and e.errno:
        return "error:" + errno.errorcode[e.errno]
    return "error:" + type(e).__name__

def attempt(f):
    try:
        r = f()
        return "ok" if r is None else r
    except Exception as e:
        return kind(e)

def nonblock(s):
    return bool(fcntl.fcntl(s.fileno(), fcntl.F_GETFL) & os.O_NONBLOCK)

def listener():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen()
    return s

def pair_tcp():
    ln = listener()
    c = socket.create_connection(ln.getsockname())
    a, _ = ln.accept()
    ln.close()
    return c, a

out = {}

def testSetBlocking():
    s = socket.socket()
    steps = []
    for name, f in [("default", lambda: None), ("setblocking(False)", lambda: s.setblocking(False)),
                    ("setblocking(True)", lambda: s.setblocking(True)), ("settimeout(1)", lambda: s.settimeout(1)),
                    ("settimeout(None)", lambda: s.settimeout(None)), ("settimeout(0)", lambda: s.settimeout(0))]:
        f()
        steps.append([name, nonblock(s), s.getblocking()])
    s.close()
    return steps
out["NonBlockingTCPTests.testSetBlocking"] = testSetBlocking()

def testInheritFlagsBlocking():
    ln = listener(); ln.settimeout(1)
    c = socket.create_connection(ln.getsockname())
    a, _ = ln.accept()
    r = [a.gettimeout() is None, nonblock(a)]
    a.close(); c.close(); ln.close()
    return r
out["NonBlockingTCPTests.testInheritFlagsBlocking"] = testInheritFlagsBlocking()

def testInheritFlagsTimeout():
    socket.setdefaulttimeout(2)
    try:
        ln = listener()
        c = socket.create_connection(ln.getsockname())
        a, _ = ln.accept()
        r = [a.gettimeout(), nonblock(a)]
        a.close(); c.close(); ln.close()
    finally:
        socket.setdefaulttimeout(None)
    return r
out["NonBlockingTCPTests.testInheritFlagsTimeout"] = testInheritFlagsTimeout()

def testRecv():
    c, a = pair_tcp()
    a.setblocking(False)
    r = attempt(lambda: a.recv(1))
    c.close(); a.close()
    return r
out["NonBlockingTCPTests.testRecv"] = testRecv()

def testTCPTimeout():
    ln = listener(); ln.settimeout(0.05)
    r = attempt(lambda: ln.accept())
    ln.close()
    return r
out["TCPTimeoutTest.testTCPTimeout"] = testTCPTimeout()

def rcvtimeo():
    c, a = pair_tcp()
    a.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", 0, 50000))
    r = [nonblock(a), attempt(lambda: a.recv(1))]
    c.close(); a.close()
    return r
out["checkNonblock: SO_RCVTIMEO in blocking mode"] = rcvtimeo()

def testDetach():
    c, a = pair_tcp()
    a.settimeout(1)
    fd = a.detach()
    r = [a.fileno(), a.detach(), fd >= 0, bool(fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_NONBLOCK)]
    os.write(fd, b"y")
    r.append(c.recv(1).decode())
    os.close(fd); c.close()
    return r
out["BasicTCPTest.testDetach"] = testDetach()

def testFromFd():
    c, a = pair_tcp()
    s = socket.socket(fileno=os.dup(a.fileno()))
    r = [s.family, s.type, s.proto, s.gettimeout() is None, nonblock(s)]
    s.close(); a.close(); c.close()
    return r
out["BasicTCPTest.testFromFd"] = testFromFd()

def testDup():
    c, a = pair_tcp()
    a.settimeout(3)
    d = a.dup()
    r = [d.family, d.type, d.proto, d.gettimeout(), nonblock(d)]
    d.close(); a.close(); c.close()
    return r
out["BasicTCPTest.testDup"] = testDup()

def testShutdown_overflow():
    c, a = pair_tcp()
    r = [attempt(lambda: c.shutdown(2**32 + 1)), attempt(lambda: c.shutdown(2 + 2**32))]
    c.sendall(b"x")  # still open for writing
    r.append(a.recv(1).decode())
    c.close(); a.close()
    return r
out["BasicTCPTest.testShutdown_overflow"] = testShutdown_overflow()

def setsockopt_overflow():
    s = socket.socket()
    r = [attempt(lambda: s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 2**31)),
         attempt(lambda: s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2**32 + 4096)),
         s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR)]
    s.close()
    return r
out["GeneralModuleTests.testSetSockOpt (bpo-15989 int overflow)"] = setsockopt_overflow()

def test_listen_backlog_overflow():
    s = socket.socket(); s.bind(("127.0.0.1", 0))
    r = [attempt(lambda: s.listen(2**31)), attempt(lambda: s.listen(-1))]
    s.close()
    return r
out["GeneralModuleTests.test_listen_backlog_overflow"] = test_listen_backlog_overflow()

out["GeneralModuleTests.test_flowinfo"] = [
    attempt(lambda: socket.getnameinfo(("::1", 0, 0xffffffff), 0)),
    attempt(lambda: list(socket.getnameinfo(("::1", 80, 0xfffff), socket.NI_NUMERICHOST | socket.NI_NUMERICSERV))),
]

out["GeneralModuleTests.testInvalidInterfaceIndexToName"] = [
    attempt(lambda: socket.if_indextoname(999999)),
    attempt(lambda: socket.if_indextoname(1)),
]

def create_connection_proto():
    ln = listener()
    c = socket.create_connection(ln.getsockname())
    d = c.dup()
    r = [c.family, c.type, c.proto, d.proto]
    d.close(); c.close(); ln.close()
    return r
out["NetworkConnectionAttributesTest.testFamily (and proto)"] = create_connection_proto()

json.dump(out, __import__("sys").stdout)
