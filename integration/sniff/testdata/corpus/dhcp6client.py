#!/usr/bin/env python3
"""A DHCPv6 client for the corpus (Debian's busybox has no udhcpc6): on
IFACE, Solicit, Request, Information-request and Release to the server
that answers (dnsmasq in gen.sh). Usage: dhcp6client.py IFACE."""
import socket, struct, sys, os
iface = sys.argv[1]
idx = socket.if_nametoindex(iface)
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", 546, 0, idx))
s.settimeout(3)
duid = struct.pack("!HHI", 1, 1, 0x2a2b2c2d) + bytes.fromhex("027700000002")
def opt(code, data): return struct.pack("!HH", code, len(data)) + data
def msg(t, xid, opts): return struct.pack("!I", t << 24 | xid) + b"".join(opts)
iana = lambda inner=b"": opt(3, struct.pack("!III", 7, 0, 0) + inner)
dst = ("ff02::1:2", 547, 0, idx)
s.sendto(msg(1, 0x123456, [opt(1, duid), iana(), opt(8, b"\0\0"), opt(6, struct.pack("!HH", 23, 24)), opt(39, b"\x01\x06client\x07example")]), dst)
adv, _ = s.recvfrom(1500)
opts = adv[4:]; server = None; ia = None
while opts:
    c, l = struct.unpack("!HH", opts[:4]); d = opts[4:4+l]; opts = opts[4+l:]
    if c == 2: server = d
    if c == 3: ia = d
s.sendto(msg(3, 0x123457, [opt(1, duid), opt(2, server), opt(3, ia), opt(8, b"\0\x64"), opt(6, struct.pack("!HH", 23, 24))]), dst)
s.recvfrom(1500)
s.sendto(msg(11, 0x123458, [opt(1, duid), opt(8, b"\0\0"), opt(6, struct.pack("!H", 23))]), dst)
s.recvfrom(1500)
s.sendto(msg(8, 0x123459, [opt(1, duid), opt(2, server), opt(3, ia)]), dst)
s.recvfrom(1500)
