#!/usr/bin/env python3
"""Encapsulations this kernel has no link for (Geneve, GRE, gretap,
ip6gre): sent with real sockets, the headers laid out here, the inner
packet an ICMP echo request. Usage: craft.py SRC4 DST4 SRC6 DST6."""
import socket
import struct
import sys


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def icmp_echo(ident, seq):
    body = b"corpus-inner-payload"
    h = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + body
    return h[:2] + struct.pack("!H", csum(h)) + h[4:]


def ipv4(src, dst, proto, payload, ident=0x1234):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0x4000, 64, proto, 0,
                    socket.inet_aton(src), socket.inet_aton(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def ether(dst, src, etype, payload):
    return bytes.fromhex(dst.replace(":", "")) + bytes.fromhex(src.replace(":", "")) + struct.pack("!H", etype) + payload


def main(src4, dst4, src6, dst6):
    inner = ipv4("10.81.0.2", "10.81.0.1", 1, icmp_echo(7, 1))
    frame = ether("02:78:00:00:00:01", "02:78:00:00:00:02", 0x0800, inner)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # Geneve: version 0, no options, protocol Transparent Ethernet Bridging, VNI 43.
    u.sendto(struct.pack("!BBHI", 0, 0, 0x6558, 43 << 8) + frame, (dst4, 6081))
    # Geneve with one option (class 0x0102, type 0x80, 4 bytes) and OAM set.
    opt = struct.pack("!HBB", 0x0102, 0x80, 1) + b"\x00\x00\x00\x2a"
    u.sendto(struct.pack("!BBHI", len(opt) // 4, 0x80, 0x6558, 44 << 8) + opt + frame, (dst4, 6081))
    g = socket.socket(socket.AF_INET, socket.SOCK_RAW, 47)
    g.sendto(struct.pack("!HH", 0, 0x0800) + inner, (dst4, 0))  # GRE, IPv4 inside
    g.sendto(struct.pack("!HHI", 0x2000, 0x6558, 7) + frame, (dst4, 0))  # gretap, key 7
    g.sendto(struct.pack("!HHHHI", 0x9000, 0x0800, 0, 0, 5) + inner, (dst4, 0))  # checksum and sequence
    g6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, 47)
    g6.sendto(struct.pack("!HH", 0, 0x0800) + inner, (dst6, 0))  # ip6gre


def arp_request(smac, sip, tip):
    return struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + bytes.fromhex(smac.replace(":", "")) + \
        socket.inet_aton(sip) + b"\0" * 6 + socket.inet_aton(tip)


def udp4(src, dst, sport, dport, payload):
    u = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 17, len(u))
    u = u[:6] + struct.pack("!H", csum(pseudo + u)) + u[8:]
    return ipv4(src, dst, 17, u)


def vlan(iface):
    """802.1Q and 802.1ad (QinQ) tagged frames: this kernel has no VLAN
    links, so they leave through a packet socket."""
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    me, peer, bcast = "02:77:00:00:00:02", "02:77:00:00:00:01", "ff:ff:ff:ff:ff:ff"
    q = lambda vid, etype, prio=0: struct.pack("!HH", prio << 13 | vid, etype)
    frames = [
        ether(bcast, me, 0x8100, q(10, 0x0806) + arp_request(me, "10.78.0.2", "10.78.0.1")),
        ether(peer, me, 0x8100, q(10, 0x0800, 5) + ipv4("10.78.0.2", "10.78.0.1", 1, icmp_echo(9, 1))),
        ether(peer, me, 0x8100, q(10, 0x0800) + udp4("10.78.0.2", "10.78.0.1", 5000, 53, bytes.fromhex(
            "12340100000100000000000007636f7270757304746573740000010001"))),
        ether(bcast, me, 0x88a8, q(100, 0x8100) + q(20, 0x0806) + arp_request(me, "10.79.0.2", "10.79.0.1")),
        ether(peer, me, 0x88a8, q(100, 0x8100) + q(20, 0x0800) + ipv4("10.79.0.2", "10.79.0.1", 1, icmp_echo(9, 2))),
        ether(peer, me, 0x8100, q(30, 0x86dd) + bytes.fromhex("60000000000811fffd780000000000000000000000000002fd780000000000000000000000000001")
              + struct.pack("!HHHH", 7000, 7001, 8, 0)),
    ]
    for f in frames:
        s.send(f + b"\0" * max(0, 60 - len(f)))


def icmp(dst):
    """ICMP errors and queries of each kind tcpdump names, quoting a UDP
    datagram, through a raw ICMP socket."""
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    quote = udp4("10.77.0.1", "10.77.0.2", 40000, 33434, b"probe-payload")[:28]
    msgs = []
    for code in range(16):
        rest = struct.pack("!HH", 0, 1400) if code == 4 else b"\0" * 4
        msgs.append((3, code, rest + quote))
    msgs += [(11, 0, b"\0" * 4 + quote), (11, 1, b"\0" * 4 + quote), (4, 0, b"\0" * 4 + quote),
             (5, 1, socket.inet_aton("10.77.0.254") + quote), (12, 0, b"\x14\0\0\0" + quote),
             (13, 0, struct.pack("!HHIII", 7, 1, 1000, 0, 0)), (14, 0, struct.pack("!HHIII", 7, 1, 1000, 2000, 3000)),
             (17, 0, struct.pack("!HH4s", 7, 1, b"\0" * 4)), (18, 0, struct.pack("!HH4s", 7, 1, socket.inet_aton("255.255.255.0"))),
             (10, 0, b"\0" * 4), (9, 0, struct.pack("!BBH", 1, 2, 1800) + socket.inet_aton("10.77.0.2") + struct.pack("!I", 0)),
             (15, 0, struct.pack("!HH", 7, 1)), (42, 0, b"\0" * 8)]
    for typ, code, body in msgs:
        h = struct.pack("!BBH", typ, code, 0) + body
        s.sendto(h[:2] + struct.pack("!H", csum(h)) + h[4:], (dst, 0))


def mld(iface):
    """MLDv1 and MLDv2 queries (general and group-specific), an MLDv1
    report and done, through a raw ICMPv6 socket with hop limit 1."""
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 1)
    idx = socket.if_nametoindex(iface)
    g = socket.inet_pton(socket.AF_INET6, "ff15::1234")
    z = b"\0" * 16
    msgs = [
        (130, struct.pack("!HH", 10000, 0) + z),                      # MLDv1 general query
        (130, struct.pack("!HH", 1000, 0) + g),                       # MLDv1 group query
        (130, struct.pack("!HH", 10000, 0) + z + struct.pack("!BBH", 2, 125, 0)),  # MLDv2 general
        (130, struct.pack("!HH", 1000, 0) + g + struct.pack("!BBH", 0x0a, 125, 1)
         + socket.inet_pton(socket.AF_INET6, "fd77::9")),          # MLDv2 group-and-source
        (131, struct.pack("!HH", 0, 0) + g),                          # MLDv1 report
        (132, struct.pack("!HH", 0, 0) + g),                          # MLDv1 done
    ]
    for typ, body in msgs:
        s.sendto(struct.pack("!BBH", typ, 0, 0) + body, ("ff02::1", 0, 0, idx))


def tlv(t, v):
    return struct.pack("!H", t << 9 | len(v)) + v


def org(oui, sub, v):
    return tlv(127, struct.pack("!I", oui)[1:] + bytes([sub]) + v)


def write_pcap(path, frames):
    """Frames written to a pcap file (Ethernet, one a second from a fixed
    time): this kernel's taps do not see frames a packet socket sends on
    a veth."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for i, fr in enumerate(frames):
            cut = 0
            if isinstance(fr, tuple):  # (frame, bytes captured; 0: all)
                fr, cut = fr
            kept = fr[:cut] if cut else fr
            f.write(struct.pack("<IIII", 1796601600 + i, 0, len(kept), len(fr)) + kept)


def lldp(path):
    """LLDP TLVs lldpd does not send here: other chassis and port ID
    subtypes, IEEE 802.1 VLAN TLVs, 802.3 MTU and power, LLDP-MED civic
    location, ELIN, power and inventory, IANA MUD-URL, DCBX, an unknown
    OUI and TLV, and TLVs cut short, written to path."""
    dst, me = "01:80:c2:00:00:0e", "02:77:00:00:00:02"
    head = tlv(1, b"\x07chassis-7") + tlv(2, b"\x05eth0") + tlv(3, b"\x00\x78")
    mgmt6 = b"\x07\x06" + bytes.fromhex("027700000002") + b"\x03\x00\x00\x00\x05\x02\x01\x02"
    frames = [
        head + tlv(5, b"sw\x01tch\xe9") + tlv(4, b"uplink\0pad") +
        tlv(7, b"\x00\x14\x00\x10") + tlv(8, mgmt6) +
        org(0x0080c2, 1, b"\x00\x0a") + org(0x0080c2, 2, b"\x06\x00\x14") +
        org(0x0080c2, 3, b"\x00\x0a\x05voice") + org(0x0080c2, 4, b"\x03\x42\x42\x03") +
        org(0x0080c2, 9, b"\x83\x01\x23\x45\x67" + bytes(range(8)) + bytes(range(2, 10))) +
        org(0x0080c2, 10, b"\x00" + bytes(20)) + org(0x0080c2, 8, b"\x81\x7e") + org(0x0080c2, 11, b"\xd8\x21") +
        org(0x0080c2, 12, b"\x00\x61\x0c\xea\x83\x00\x50") + org(0x0080c2, 13, b"\x05\x0b\x43\x9f\x65") +
        org(0x0080c2, 14, b"\x80\x00\x00\x05\x00\x10\x02") + org(0x0080c2, 7, b"?") + org(0x0080c2, 7, b"\x03\x00\x00\x00\x2a") + org(0x0080c2, 99, b"") + org(0x00120f, 4, b"\x05\xdc") +
        org(0x00120f, 2, b"\x0f\x02\x04") + org(0x00120f, 1, b"\x03\x6c\x01\x00\x1e") +
        org(0x00120f, 9, b"\x01") + tlv(0, b""),
        tlv(1, b"\x05\x01\x0a\x4d\x00\x02") + tlv(2, b"\x04\x02" + bytes(16)) + tlv(3, b"\x00\x00") +
        tlv(1, b"\x09zz") + tlv(2, b"\x01alias") + tlv(2, b"\x06\x41\x42") + tlv(9, b"\x01\x02\x03") +
        org(0x0012bb, 3, b"\x02\x0c\x02FR\x01\x05IDF\x00x\x06\x01Z") + org(0x0012bb, 3, b"\x03911000") +
        org(0x0012bb, 3, b"\x07\xab\xcd") + org(0x0012bb, 4, b"\x52\x00\x96") + org(0x0012bb, 4, b"\x93\x10\x00") +
        org(0x0012bb, 5, b"rev B") + org(0x0012bb, 9, b"Corpus Inc") + org(0x0012bb, 2, b"\x02\xc0\x19\x2e") +
        org(0x0012bb, 1, b"\x00\x33\x03") + org(0x0012bb, 12, b"\x00") +
        org(0x00005e, 1, b"https://example.org/mud") + org(0x001b21, 2, tlv(1, b"\x00\x00" + struct.pack("!II", 7, 6)) +
            tlv(2, b"\x00\x00\xa0\x00\x01\x23\x45\x67" + bytes(range(10, 18)) + b"\x08") +
            tlv(3, b"\x00\x00\x80\x00\x09\x08") + tlv(4, b"\x00\x00\x80\x00\x89\x06\x00\x1b\x21\x08") + tlv(9, b"?")) + org(0x00a0b0, 1, b"xy") +
        tlv(0, b""),
        head + tlv(6, b"trunc") + struct.pack("!H", 5 << 9 | 40) + b"short",
        head + tlv(7, b"\x00\x14"),
        head + tlv(8, b"\x02\x09\x00"),
    ]
    write_pcap(path, [ether(dst, me, 0x88CC, f) for f in frames])


def cdp(path):
    """CDP TLVs lldpd does not send: IPv6 and other addresses, prefixes,
    VTP domain, native VLAN, duplex, VoIP VLANs, power, MTU, trust,
    system name and location, unknown and malformed TLVs, a TLV longer
    than the packet and captures cut short, written to path."""
    def t(typ, v):
        return struct.pack("!HH", typ, len(v) + 4) + v

    def frame(pid, payload):
        llc = b"\xaa\xaa\x03\x00\x00\x0c" + struct.pack("!H", pid) + payload
        return ether("01:00:0c:cc:cc:cc", "02:77:00:00:00:02", len(llc), llc)

    addrs = (struct.pack("!I", 3) + b"\x01\x01\xcc\x00\x04" + socket.inet_aton("10.77.0.2") +
             b"\x02\x08\xaa\xaa\x03\x00\x00\x00\x86\xdd\x00\x10" + socket.inet_pton(socket.AF_INET6, "fd77::2") +
             b"\x01\x01\x81\x00\x02\xde\xad")
    full = (b"\x02\xb4\x00\x00" + t(1, b"sw-core\x01") + t(2, addrs) + t(3, b"Gi0/1") + t(4, b"\x00\x00\x00\x29") +
            t(5, b"IOS 15.2\nline two\n") + t(6, b"cisco WS-C2960") + t(7, b"\x0a\x00\x00\x00\x08\xc0\xa8\x01\x00\x18") +
            t(8, b"\x00\x00\x0c\x01\x12") + t(9, b"vtpdom") + t(10, b"\x00\x0a") + t(11, b"\x01") + t(11, b"\x00") +
            t(14, b"\x01\x00\x64") + t(15, b"\x20\x00") + t(15, b"\x01\x00\x65") + t(16, b"\x39\x08") +
            t(17, b"\x00\x00\x05\xdc") + t(18, b"\x00") + t(19, b"\x03") + t(20, b"core1") + t(21, b"\x06\x03\x2b\x06\x01") +
            t(22, struct.pack("!I", 1) + b"\x01\x01\xcc\x00\x04" + socket.inet_aton("192.0.2.9") + b"xy") +
            t(23, b"\x01Bldg 2") + t(0x42, b"\x01\x02\x03") + t(4, b"\x00\x01") + t(7, b"\x01\x02") +
            t(2, b"\x00\x00") + t(2, struct.pack("!I", 2) + b"\x01\x01\xcc\x00\x04\x0a"))
    frames = [
        (frame(0x2000, full), 0),
        (frame(0x2000, b"\x01\xb4\x00\x00" + t(1, b"sw") + b"\x00\x05\x00\x02"), 0),
        (frame(0x2000, b"\x02\xb4\x00\x00" + t(1, b"sw") + b"\x00\x06\x00\x40abc"), 0),
        (frame(0x2000, b"\x02\xb4\x00\x00" + t(1, b"sw") + b"\x00\x06"), 0),
        (frame(0x2000, b"\x02\xb4"), 0),
        (frame(0x2000, b"\x02\xb4\x00\x00" + t(1, b"switch-with-a-long-name") + t(6, b"platform")), 30),
        (frame(0x2000, b"\x02\xb4\x00\x00" + t(1, b"switch-with-a-long-name")), 37),
        (frame(0x2000, b"\x02\xb4\x00\x00" + t(1, b"sw") + t(5, b"a long version\nstring")), 40),
        (frame(0x2000, b"\x02\xb4\x00\x00" + t(1, b"sw") + t(4, b"\x00\x00\x00\x01")), 34),
    ]
    write_pcap(path, frames)


def ptp(path):
    """PTP messages linuxptp does not send here: version 1 and 2.1,
    transportSpecific set, every flag, signaling, an unknown type, and
    messages cut short, over UDP and Ethernet, written to path."""
    def hdr(first, vers, mtype_len, flags=0, body=b""):
        h = struct.pack("!BBHBBH6sHI8sHHBB", first, vers, 34 + len(body), 0, 0, flags, b"\0\0\0\0\x01\x00", 0, 0,
                        bytes.fromhex("0277fffe00000002"), 1, 7, 5, 0xFE)
        return h + body

    def udp(port, payload):
        return ether("01:00:5e:00:01:81", "02:77:00:00:00:02", 0x0800, udp4("10.77.0.2", "224.0.1.129", port, port, payload))

    ts = struct.pack("!HIIH", 0, 1796601600, 5, 0)[:10]
    frames = [
        udp(319, hdr(0x00, 0x01, 0, 0, ts)),
        udp(319, hdr(0x00, 0x12, 0, 0x0200, ts)),
        udp(320, hdr(0x1B, 0x02, 0, 0x753F, ts + bytes(20))),
        udp(320, hdr(0x0C, 0x02, 0, 0x0400, bytes.fromhex("0277fffe00000001") + b"\x00\x02")),
        udp(320, hdr(0x07, 0x02, 0, 0, b"abcd")),
        udp(319, hdr(0x03, 0x05, 0, 0, ts)),
        udp(320, hdr(0x09, 0x02, 0, 0, ts)),
        udp(319, hdr(0x00, 0x02, 0, 0)[:20]),
        udp(320, b"\x0b"),
        ether("01:1b:19:00:00:00", "02:77:00:00:00:02", 0x88F7, hdr(0x08, 0x02, 0, 0x0002, ts)),
        ether("01:1b:19:00:00:00", "02:77:00:00:00:02", 0x88F7, hdr(0x0B, 0x02, 0, 0, ts + b"\x00\x25")),
        (ether("01:1b:19:00:00:00", "02:77:00:00:00:02", 0x88F7, hdr(0x00, 0x02, 0, 0, ts)), 40),
    ]
    write_pcap(path, frames)


def bfd(path):
    """BFD control packets (v1 in every state, with password, MD5 and SHA1
    authentication and a bad length, v0, multihop), echo packets and a
    packet cut short, written to path: no BFD daemon is cheap here."""
    def ctl(vers, diag, flags, auth=b"", mult=3):
        h = struct.pack("!BBBBIIIII", vers << 5 | diag, flags, mult, 24 + len(auth), 0x11223344, 0x55667788,
                        300000, 250000, 50000)
        return h + auth

    def udp(sport, dport, payload):
        return ether("02:77:00:00:00:01", "02:77:00:00:00:02", 0x0800, udp4("10.77.0.2", "10.77.0.1", sport, dport, payload))

    frames = [
        udp(50001, 3784, ctl(1, 0, 0x40)),
        udp(50001, 3784, ctl(1, 3, 0xc0 | 0x20)),
        udp(50001, 3784, ctl(1, 7, 0x00 | 0x08)),
        udp(50001, 3784, ctl(1, 1, 0x80 | 0x10 | 0x02 | 0x01)),
        udp(50001, 3784, ctl(1, 9, 0xc4, b"\x01\x09\x05secret")),
        udp(50001, 3784, ctl(1, 0, 0xc4, b"\x02\x18\x01\x00\x00\x00\x00\x2a" + bytes(range(16)))),
        udp(50001, 3784, ctl(1, 0, 0xc4, b"\x04\x1c\x01\x00\x00\x00\x00\x2b" + bytes(range(20)))),
        udp(50001, 3784, ctl(1, 0, 0xc4, b"\x02\x10\x01\x00")),
        udp(50001, 3784, ctl(1, 0, 0xc4, b"\x07\x04\x01\x00")),
        udp(50001, 3784, ctl(0, 2, 0x80 | 0x40)),
        udp(50001, 4784, ctl(1, 0, 0xc0)),
        udp(3785, 3785, b"echo-payload-1234"),
        udp(50001, 3784, ctl(2, 0, 0xc0)),
        udp(50001, 3784, ctl(1, 0, 0xc0)[:12]),
        udp(3784, 50001, ctl(1, 0, 0xc0)),
    ]
    write_pcap(path, frames)


def udp6(src, dst, sport, dport, payload):
    u = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    s6, d6 = socket.inet_pton(socket.AF_INET6, src), socket.inet_pton(socket.AF_INET6, dst)
    u = u[:6] + struct.pack("!H", csum(s6 + d6 + struct.pack("!IxxxB", len(u), 17) + u)) + u[8:]
    return struct.pack("!IHBB", 6 << 28, len(u), 17, 64) + s6 + d6 + u


def dhcp6(path):
    """DHCPv6 messages and options dnsmasq and dhcp6client.py do not
    exchange: relays, prefix delegation, temporary addresses, every DUID
    type, authentication, reconfigure, identifiers, malformed options and
    a message cut short, written to path."""
    def o(code, data):
        return struct.pack("!HH", code, len(data)) + data

    def m(t, xid, opts):
        return struct.pack("!I", t << 24 | xid) + b"".join(opts)

    def udp(payload, sport=546, dport=547):
        return ether("33:33:00:01:00:02", "02:77:00:00:00:02", 0x86DD, udp6("fe80::2", "ff02::1:2", sport, dport, payload))

    a6 = socket.inet_pton(socket.AF_INET6, "fd77::5")
    msgs = [
        m(1, 0xabcdef, [o(1, struct.pack("!HI", 2, 9) + b"\x01\x02"), o(1, struct.pack("!HH", 3, 1) + bytes(6)),
                        o(1, struct.pack("!H", 4) + bytes(range(16))), o(1, struct.pack("!H", 9) + b"x"), o(1, b"\x00"),
                        o(14, b""), o(6, b"\x00\x17\x00"), o(25, struct.pack("!III", 1, 10, 20) +
                        o(26, struct.pack("!IIB", 30, 40, 56) + socket.inet_pton(socket.AF_INET6, "2001:db8:1::"))),
                        o(4, struct.pack("!I", 5) + o(5, a6 + struct.pack("!II", 1, 2))), o(4, b"\x00")]),
        m(7, 0x10, [o(13, b"\x00\x02no addrs"), o(13, b"\x01\x2c"), o(13, b"\x00\x63"), o(7, b"\xff"), o(7, b""),
                    o(8, b"\x00"), o(32, struct.pack("!I", 86400)), o(31, a6), o(22, a6[:8]), o(12, a6),
                    o(24, b"\x03one\x00\x03two\x04test\x00"), o(21, b"\x00"), o(99, b"zz"), o(20, b"")]),
        m(10, 0x11, [o(19, b"\x05"), o(19, b"\x0b"), o(19, b"\x07"), o(19, b""),
                     o(11, struct.pack("!BBBQ", 3, 1, 0, 1) + b"\x01" + bytes(range(16))),
                     o(11, struct.pack("!BBBQ", 2, 1, 0, 2) + b"realm" + struct.pack("!I", 7) + bytes(16)),
                     o(11, struct.pack("!BBBQ", 2, 1, 0, 2) + b"short"), o(11, struct.pack("!BBBQ", 9, 4, 1, 3)), o(11, b"\x02")]),
        struct.pack("!BB", 12, 0) + socket.inet_pton(socket.AF_INET6, "fd77::1") + socket.inet_pton(socket.AF_INET6, "fe80::2") +
        o(18, b"eth0-interface-id") + o(37, struct.pack("!I", 9) + b"remote-identifier") + o(38, b"sub") +
        o(9, m(1, 0x42, [o(8, b"\x00\x00")])),
        m(33, 0x1, [o(8, b"\x00\x00")]),
        m(11, 0x2, [o(8, b"\x00\x00"), struct.pack("!HH", 6, 40) + b"\x00\x17"]),
        m(11, 0x3, [o(24, b"\x05ab")]),
        b"\x01\x00",
    ]
    frames = [udp(x) for x in msgs]
    frames.append((udp(m(3, 0x4, [o(1, struct.pack("!HHI", 1, 1, 5) + bytes(6)), o(8, b"\x00\x00")])), 90))
    frames.append(udp(m(7, 0x5, [o(23, a6)]), 547, 546))
    write_pcap(path, frames)


if __name__ == "__main__":
    if sys.argv[1] == "mld":
        mld(sys.argv[2])
    elif sys.argv[1] == "icmp":
        icmp(sys.argv[2])
    elif sys.argv[1] == "vlan":
        vlan(sys.argv[2])
    elif sys.argv[1] == "lldp":
        lldp(sys.argv[2])
    elif sys.argv[1] == "cdp":
        cdp(sys.argv[2])
    elif sys.argv[1] == "ptp":
        ptp(sys.argv[2])
    elif sys.argv[1] == "bfd":
        bfd(sys.argv[2])
    elif sys.argv[1] == "dhcp6":
        dhcp6(sys.argv[2])
    else:
        main(*sys.argv[1:5])
