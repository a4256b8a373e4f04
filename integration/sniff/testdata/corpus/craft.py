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


def write_pcap(path, frames, linktype=1):
    """Frames written to a pcap file (Ethernet unless linktype says, one a
    second from a fixed time): this kernel's taps do not see frames a
    packet socket sends on a veth."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, linktype))
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


def hsrp(path):
    """HSRP v0 hellos, coups and resigns in every state, with odd op codes,
    states, reserved bytes, authentication data and TTL, HSRPv2's TLV
    version, and packets cut short, written to path: no HSRP router is
    cheap here."""
    def h(op, state, group=1, res=0, auth=b"cisco\0\0\0", vip="10.77.0.254", ver=0, hello=3, hold=10, prio=100):
        return struct.pack("!BBBBBBBB", ver, op, state, hello, hold, prio, group, res) + auth + socket.inet_aton(vip)

    def udp(payload, ttl=1, sport=1985, dport=1985):
        ip = udp4("10.77.0.2", "224.0.0.2", sport, dport, payload)
        ip = ip[:8] + bytes([ttl]) + ip[9:10] + b"\0\0" + ip[12:]
        ip = ip[:10] + struct.pack("!H", csum(ip[:20])) + ip[12:]
        return ether("01:00:5e:00:00:02", "02:77:00:00:00:02", 0x0800, ip)

    frames = [
        udp(h(0, 16)),
        udp(h(0, 8, group=7, prio=90)),
        udp(h(0, 0, hello=0, hold=0)),
        udp(h(0, 1)), udp(h(0, 2)), udp(h(0, 4)),
        udp(h(1, 4, hello=60, hold=200)),
        udp(h(2, 16, hold=255)),
        udp(h(3, 3, res=9)),
        udp(h(9, 32)),
        udp(h(0, 16, auth=b"\x01\x7fab\xc3\xa9\x00z")),
        udp(h(0, 16, auth=b"12345678")),
        udp(h(0, 16), ttl=2),
        udp(h(0, 16, ver=1)),
        udp(struct.pack("!BBBB", 2, 1, 40, 2) + b"\x00" * 36),
        udp(h(0, 16), sport=40000),
        udp(h(0, 16)[:12]),
        (udp(h(0, 16)), 14 + 20 + 8 + 18),
        (udp(h(0, 16)), 14 + 20 + 8 + 10),
        (udp(h(0, 16)), 14 + 20 + 8 + 3),
        (udp(h(0, 16)), 14 + 20 + 8 + 1),
        udp(b""),
    ]
    write_pcap(path, frames)


def mpls(path):
    """MPLS label stacks on ethertype 0x8847 (and 0x8848): one and several
    labels, the reserved labels, IPv4 and IPv6 inside by label or by first
    byte, unknown payloads, a stack without its bottom, and frames cut
    short, written to path: this kernel has no MPLS routing."""
    def lab(label, tc=0, s=1, ttl=64):
        return struct.pack("!I", label << 12 | tc << 9 | s << 8 | ttl)

    def fr(payload, etype=0x8847):
        return ether("02:77:00:00:00:01", "02:77:00:00:00:02", etype, payload)

    ip4 = ipv4("10.77.0.2", "10.77.0.1", 1, icmp_echo(9, 1))
    u4 = udp4("10.77.0.2", "10.77.0.1", 40000, 9999, b"mpls-payload")
    u6 = udp6("fd77::2", "fd77::1", 40000, 9999, b"mpls-payload")
    frames = [
        fr(lab(100) + ip4),
        fr(lab(16, s=0) + lab(17, tc=5, ttl=63) + u4),
        fr(lab(0) + ip4),
        fr(lab(2) + u6),
        fr(lab(3, tc=7, ttl=1) + ip4),
        fr(lab(1, s=0, ttl=1) + lab(1048575, ttl=255) + u6),
        fr(lab(7, s=0) + lab(15, s=0) + lab(5) + u4),
        fr(lab(1000) + b"\x00\x01\x02\x03mpls-unknown-payload"),
        fr(lab(200)),
        fr(lab(200, s=0) + lab(201, s=0)),
        fr(lab(200, s=0) + b"\x00\x01"),
        fr(lab(300) + ip4, 0x8848),
        fr(lab(2) + ip4),
        fr(lab(0) + u6),
        (fr(lab(100) + ip4), 14 + 4 + 10),
        (fr(lab(16, s=0) + lab(17) + u4), 14 + 6),
        (fr(lab(16, s=0) + lab(17) + u4), 14 + 8),
        (fr(lab(2) + u6), 14 + 4 + 30),
        (fr(lab(2) + u6), 14 + 4),
        (fr(lab(0) + ip4), 14 + 4),
        ether("02:77:00:00:00:01", "02:77:00:00:00:02", 0x0800,
              ipv4("10.77.0.2", "10.77.0.1", 47, struct.pack("!HH", 0, 0x8847) + lab(40) + ip4)),
        ether("02:77:00:00:00:01", "02:77:00:00:00:02", 0x8100, struct.pack("!HH", 5, 0x8847) + lab(41) + u6),
    ]
    write_pcap(path, frames)


def ipsec(path):
    """ESP and AH over IPv4 and IPv6 without keys: AH before ICMP, UDP, TCP,
    ESP, ICMPv6 and an unknown protocol, ICVs of 0, 4, 12 and 200 bytes, a
    length too short for the header, and headers cut short, written to
    path: this kernel has no xfrm ESP or AH."""
    def fr(p):
        return ether("02:77:00:00:00:01", "02:77:00:00:00:02", 0x0800, p)

    def fr6(p):
        return ether("02:77:00:00:00:01", "02:77:00:00:00:02", 0x86DD, p)

    def ah(nh, spi, seq, icv=12, payload=b""):
        return struct.pack("!BBHII", nh, (12 + icv) // 4 - 2, 0, spi, seq) + bytes(range(icv)) + payload

    def esp(spi, seq, n=24):
        return struct.pack("!II", spi, seq) + bytes(range(n))

    def ip6(nh, pl):
        return struct.pack("!IHBB", 6 << 28, len(pl), nh, 64) + socket.inet_pton(socket.AF_INET6, "fd77::2") + \
            socket.inet_pton(socket.AF_INET6, "fd77::1") + pl

    ic = icmp_echo(9, 1)
    u = udp4("10.77.0.2", "10.77.0.1", 40000, 9999, b"abcd")[20:]
    t = struct.pack("!HHIIBBHHH", 40000, 80, 1, 0, 0x50, 0x02, 1000, 0, 0)
    frames = [
        fr(ipv4("10.77.0.2", "10.77.0.1", 50, esp(0x1000, 1))),
        fr(ipv4("10.77.0.2", "10.77.0.1", 51, ah(1, 0x2000, 5, payload=ic))),
        fr(ipv4("10.77.0.2", "10.77.0.1", 51, ah(50, 0x2000, 5, payload=esp(0x1000, 2)))),
        fr6(ip6(50, esp(0x3000, 7))),
        fr6(ip6(51, ah(17, 0x4000, 8, payload=b"\x9c\x40\x27\x0f\x00\x0c\x00\x00abcd"))),
        fr(ipv4("10.77.0.2", "10.77.0.1", 51, ah(1, 0x2000, 5, icv=200, payload=ic))),
        (fr(ipv4("10.77.0.2", "10.77.0.1", 51, ah(1, 0x2000, 5, payload=ic))), 14 + 20 + 10),
        (fr(ipv4("10.77.0.2", "10.77.0.1", 50, esp(0x1000, 1))), 14 + 20 + 6),
        fr(ipv4("10.77.0.2", "10.77.0.1", 51, ah(99, 0x2000, 5, payload=b"zz"))),
        fr(ipv4("10.77.0.2", "10.77.0.1", 51, ah(17, 0x2000, 6, payload=u))),
        fr(ipv4("10.77.0.2", "10.77.0.1", 51, ah(6, 0x2000, 7, payload=t))),
        fr(ipv4("10.77.0.2", "10.77.0.1", 51, ah(1, 0x2000, 8, icv=0, payload=ic))),
        fr(ipv4("10.77.0.2", "10.77.0.1", 51, ah(1, 0x2000, 8, icv=4, payload=ic))),
        fr6(ip6(51, ah(58, 0x4000, 9, payload=b"\x80\x00\x00\x00\x00\x01\x00\x01"))),
        (fr(ipv4("10.77.0.2", "10.77.0.1", 51, ah(1, 0x2000, 5, payload=ic))), 14 + 20 + 20),
        fr(ipv4("10.77.0.2", "10.77.0.1", 50, b"\x00\x00")),
        (fr(ipv4("10.77.0.2", "10.77.0.1", 51, ah(1, 0x2000, 5, payload=ic))), 14 + 20 + 1),
        (fr(ipv4("10.77.0.2", "10.77.0.1", 51, ah(1, 0x2000, 5, payload=ic))), 14 + 20 + 3),
        (fr(ipv4("10.77.0.2", "10.77.0.1", 51, ah(1, 0x2000, 5, payload=ic))), 14 + 20 + 6),
        fr(ipv4("10.77.0.2", "10.77.0.1", 51, struct.pack("!BBHII", 1, 0, 0, 1, 2) + ic)),
        fr(ipv4("10.77.0.2", "10.77.0.1", 51, ah(1, 0x2000, 5, icv=200, payload=b""))),
        (fr(ipv4("10.77.0.2", "10.77.0.1", 50, esp(0x1000, 1))), 14 + 20 + 4),
        fr(ipv4("10.77.0.2", "10.77.0.1", 50, b"")),
        fr(ipv4("10.77.0.2", "10.77.0.1", 51, b"")),
    ]
    write_pcap(path, frames)


def ospf(path):
    """OSPFv2 (IP protocol 89) hellos, database descriptions, LS requests,
    updates and acks with router, network, summary, ASBR summary,
    external, NSSA, group and unknown LSAs, every authentication type,
    LLS data, and malformed and cut-short packets, written to path: no
    OSPF router is cheap here."""
    aton = socket.inet_aton

    def hdr(typ, body, rid="10.77.0.2", area="0.0.0.0", auth=0, authdata=b"\0" * 8, ver=2, olen=None):
        n = 24 + len(body) if olen is None else olen
        h = struct.pack("!BBH4s4sHH", ver, typ, n, aton(rid), aton(area), 0, auth) + authdata
        s = csum(h + body) if auth != 2 else 0
        return h[:12] + struct.pack("!H", s) + h[14:] + body

    def ip(payload, dst="224.0.0.5", ttl=1):
        p = ipv4("10.77.0.2", dst, 89, payload)
        p = p[:8] + bytes([ttl]) + p[9:10] + b"\0\0" + p[12:]
        p = p[:10] + struct.pack("!H", csum(p[:20])) + p[12:]
        return ether("01:00:5e:00:00:05", "02:77:00:00:00:02", 0x0800, p)

    def hello(opts=0x02, dr="10.77.0.1", bdr="10.77.0.2", nbrs=("1.1.1.1", "2.2.2.2"), mask="255.255.255.0",
              hi=10, dead=40, prio=1):
        return struct.pack("!4sHBBI4s4s", aton(mask), hi, opts, prio, dead, aton(dr), aton(bdr)) + \
            b"".join(aton(n) for n in nbrs)

    def lsh(typ, lsid, adv, seq=0x80000001, age=1, opts=0x02, length=20, ck=0):
        return struct.pack("!HBB4s4sIHH", age, opts, typ, aton(lsid), aton(adv), seq, ck, length)

    def lsa(typ, lsid, adv, body, **kw):
        return lsh(typ, lsid, adv, length=20 + len(body), **kw) + body

    def link(lid, ldata, typ, metric, tos=()):
        return struct.pack("!4s4sBBH", aton(lid), aton(ldata), typ, len(tos), metric) + \
            b"".join(struct.pack("!BBH", t, 0, m) for t, m in tos)

    def ext(metric, e2=True, tos=0, fwd="0.0.0.0", tag="0.0.0.0"):
        return struct.pack("!I4s4s", (0x80000000 if e2 else 0) | tos << 24 | metric, aton(fwd), aton(tag))

    def dd(flags, mtu=1500, opts=0x02, seq=0x1234, hdrs=b""):
        return struct.pack("!HBBI", mtu, opts, flags, seq) + hdrs

    def lsu(*lsas, count=None):
        return struct.pack("!I", len(lsas) if count is None else count) + b"".join(lsas)

    router = lsa(1, "10.77.0.2", "10.77.0.2", struct.pack("!BBH", 0x03, 0, 5) +
                 link("10.77.0.1", "10.77.0.2", 2, 10) + link("1.1.1.1", "10.77.0.2", 1, 20, tos=((1, 30), (2, 40), (9, 50))) +
                 link("10.9.0.0", "255.255.0.0", 3, 1) + link("3.3.3.3", "10.77.0.2", 4, 65535) +
                 link("10.8.0.0", "255.255.255.0", 3, 7))
    router_odd = lsa(1, "10.77.0.3", "10.77.0.3", struct.pack("!BBH", 0x9c, 0, 2) +
                     link("10.1.0.0", "255.255.0.0", 9, 5) + link("10.2.0.0", "255.255.0.0", 3, 5))
    network = lsa(2, "10.77.0.1", "10.77.0.1", aton("255.255.255.0") + aton("10.77.0.1") + aton("10.77.0.2"), opts=0x22)
    summary = lsa(3, "10.50.0.0", "10.77.0.1", aton("255.255.0.0") + struct.pack("!I", 100) + struct.pack("!I", 1 << 24 | 200))
    asbr = lsa(4, "4.4.4.4", "10.77.0.1", aton("0.0.0.0") + struct.pack("!I", 2 << 24 | 0xabcdef))
    external = lsa(5, "192.168.0.0", "10.77.0.1", aton("255.255.0.0") + ext(20) + ext(0xffffff, e2=False, tos=1, fwd="10.77.0.9", tag="0.0.0.7"))
    nssa = lsa(7, "172.16.0.0", "10.77.0.1", aton("255.240.0.0") + ext(5, tos=3, tag="1.2.3.4"), opts=0x08)
    group = lsa(6, "224.1.1.1", "10.77.0.1", struct.pack("!I4s", 1, aton("1.1.1.1")) + struct.pack("!I4s", 2, aton("10.77.0.1")) +
                struct.pack("!I4s", 9, aton("9.9.9.9")))
    unknown = lsa(12, "5.5.5.5", "10.77.0.1", b"\x01\x02\x03\x04")
    allopts = lsa(3, "10.60.0.0", "10.77.0.1", aton("255.255.255.0") + struct.pack("!I", 1), opts=0xff)
    hs = lsh(1, "10.77.0.2", "10.77.0.2", length=48) + lsh(2, "10.77.0.1", "10.77.0.1", seq=0x80000005, age=3600, opts=0x22, length=32) + \
        lsh(5, "192.168.0.0", "10.77.0.1", length=36, opts=0) + lsh(99, "6.6.6.6", "10.77.0.1", length=20)
    lsr = b"".join(struct.pack("!I4s4s", t, aton(i), aton(a)) for t, i, a in
                   ((1, "10.77.0.2", "10.77.0.2"), (2, "10.77.0.1", "10.77.0.1"), (5, "192.168.0.0", "10.77.0.1"), (77, "7.7.7.7", "10.77.0.1")))
    md5 = struct.pack("!HBBI", 0, 1, 16, 0x5f5e100)
    lls = struct.pack("!HH", 0xbeef, 7) + struct.pack("!HHI", 1, 4, 3) + struct.pack("!HHI", 2, 20, 42) + bytes(16) + \
        struct.pack("!HHI", 9, 4, 1)
    def olsa(typ, otype, oid, body, **kw):
        h = lsa(typ, "0.0.0.0", "10.77.0.1", body, **kw)
        return h[:4] + struct.pack("!I", otype << 24 | oid) + h[8:]

    def tl(t, v):
        return struct.pack("!HH", t, len(v)) + v + b"\0" * (-len(v) % 4)

    ri = olsa(10, 4, 0, tl(1, struct.pack("!I", 0x70)) + tl(1, struct.pack("!I", 0x400)) + tl(9, b"abcdef"), opts=0x42)
    ri_bad = olsa(10, 4, 1, tl(1, b"abc"))
    ri_long = olsa(10, 4, 2, struct.pack("!HH", 1, 40) + b"\0" * 4)
    ri_rest = olsa(10, 4, 3, tl(8, b"") + b"\0\0")
    grace = olsa(9, 3, 0, tl(1, struct.pack("!I", 120)) + tl(2, b"\x01") + tl(3, aton("10.77.0.2")) + tl(2, b"\x09") +
                 tl(7, b"xy"))
    grace_bad = olsa(9, 3, 0, tl(1, b"\0\0\0\0\0\0"))
    grace_zero = olsa(9, 3, 0, tl(0, b"abcd") + tl(1, struct.pack("!I", 5)))
    grace_long = olsa(9, 3, 0, struct.pack("!HH", 1, 30) + b"\0" * 4)
    opq = olsa(11, 7, 0x123456, bytes(range(20)))
    fl = lambda *v: struct.pack("!%df" % len(v), *v)
    te_link = tl(2, tl(1, b"\x01") + tl(2, aton("10.77.0.1")) + tl(3, aton("10.77.0.2")) + tl(4, aton("10.77.0.1")) +
                 tl(5, struct.pack("!I", 10)) + tl(6, fl(1.25e8)) + tl(7, fl(1e8)) +
                 tl(8, fl(1.25e8, 1e8, 5e7, 1234.5, 0, 1, 3e9, 2.5e6)) + tl(9, struct.pack("!I", 0x81)) +
                 tl(11, struct.pack("!II", 7, 8)) + tl(14, b"\x0a\0\0\0") +
                 tl(15, bytes([51, 2, 0, 0]) + fl(1e6, 2e6, 3e6, 4e6, 5e6, 6e6, 7e6, 8e6)) +
                 tl(16, struct.pack("!III", 1, 2, 300)) + tl(17, bytes([0, 0, 0, 0]) + fl(1e7, 2e7)) + tl(99, b"xyz"))
    te = olsa(10, 1, 0, tl(1, aton("10.77.0.2")) + te_link + tl(7, b"abcde"))
    te_odd = olsa(10, 1, 1, tl(2, tl(1, b"\x07") + tl(2, struct.pack("!I", 5)) + struct.pack("!I", 0x7fc00000)[:0] +
                                 tl(6, b"\x7f\xc0\0\0") + tl(7, b"\xff\x80\0\0") + tl(9, b"abc")))
    te_bc = olsa(10, 1, 2, tl(2, tl(17, bytes([1, 0, 0, 0]) + b"ab")))
    te_bc2 = olsa(10, 1, 3, tl(2, tl(17, bytes([254, 0, 0, 0]) + b"\0" * 36)))
    te_zero = olsa(10, 1, 4, tl(2, struct.pack("!HH", 0, 4) + b"abcd"))
    te_sub_long = olsa(10, 1, 5, tl(2, struct.pack("!HH", 3, 12) + b"abcd"))
    te_rtr = olsa(10, 1, 6, tl(1, b"ab"))
    te_srlg = olsa(10, 1, 7, tl(2, tl(16, b"") + tl(16, b"abcde")))
    te_iscd = olsa(10, 1, 8, tl(2, tl(15, bytes([9, 99]) + bytes(30))))
    te_last = olsa(10, 1, 9, tl(2, tl(5, struct.pack("!I", 3))))
    frames = [
        ip(hdr(4, lsu(te, te_odd, te_bc))),
        ip(hdr(4, lsu(te_last, summary))),
        ip(hdr(4, lsu(te_last))),
        ip(hdr(4, lsu(olsa(10, 4, 4, struct.pack("!HH", 9, 1) + b"z" + tl(1, struct.pack("!I", 16)) + b"\0\0\0"), summary))),
        (ip(hdr(2, dd(0x07))), 14 + 20 + 24 + 3),
        (ip(hdr(2, dd(0x07))), 14 + 20 + 24 + 6),
        ip(hdr(4, lsu(te_bc2, te_zero, te_sub_long, te_rtr))),
        ip(hdr(4, lsu(te_srlg, te_iscd, summary))),
        (ip(hdr(4, lsu(te))), 14 + 20 + 24 + 4 + 20 + 30),
        (ip(hdr(4, lsu(te))), 14 + 20 + 24 + 4 + 20 + 8 + 4 + 26),
        ip(hdr(4, lsu(ri, ri_bad, ri_long))),
        ip(hdr(4, lsu(ri_rest, opq))),
        ip(hdr(4, lsu(grace, grace_bad, grace_zero, grace_long))),
        ip(hdr(3, struct.pack("!IBBHI", 10, 4, 0, 7, 0x0a4d0001) + struct.pack("!IBBHI", 9, 3, 0, 0, 0x0a4d0001))),
        ip(hdr(5, ri[:20] + grace[:20] + opq[:20])),
        (ip(hdr(4, lsu(grace))), 14 + 20 + 24 + 4 + 20 + 14),
        (ip(hdr(4, lsu(ri))), 14 + 20 + 24 + 4 + 20 + 6),
        (ip(hdr(4, lsu(opq))), 14 + 20 + 24 + 4 + 20 + 7),
        ip(hdr(1, hello())),
        ip(hdr(1, hello(opts=0, dr="0.0.0.0", bdr="0.0.0.0", nbrs=(), prio=0, hi=0, dead=0), area="0.0.0.1")),
        ip(hdr(1, hello(dr="0.0.0.0", nbrs=("1.1.1.1",), opts=0xff), area="10.0.0.0")),
        ip(hdr(1, hello(), auth=1, authdata=b"secret\0\0")),
        ip(hdr(1, hello(), auth=1, authdata=b"p\x01ss\xe9\x7fwd")),
        ip(hdr(1, hello(), auth=2, authdata=md5) + bytes(range(16))),
        ip(hdr(1, hello(), auth=7, authdata=b"abcdefgh")),
        ip(hdr(1, hello(opts=0x12), auth=0) + lls),
        ip(hdr(1, hello(opts=0x12), auth=2, authdata=md5) + bytes(16) + struct.pack("!HH", 0, 3) + struct.pack("!HHI", 1, 8, 1)),
        ip(hdr(1, hello(opts=0x12), olen=24 + 28) + b"\xff\xff"),
        ip(hdr(1, hello(opts=0x02), olen=24 + 28) + b"\0\0\0\0"),
        ip(hdr(2, dd(0x07))),
        ip(hdr(2, dd(0x08, mtu=0, opts=0x42, seq=0xdeadbeef, hdrs=hs))),
        ip(hdr(2, dd(0x00, hdrs=hs[:20] + lsh(1, "1.1.1.1", "1.1.1.1", length=8) + hs[20:40]))),
        ip(hdr(3, lsr)),
        ip(hdr(4, lsu(router, network, summary, asbr))),
        ip(hdr(4, lsu(external, nssa, group, unknown, allopts))),
        ip(hdr(4, lsu(router_odd, summary))),
        ip(hdr(4, lsu(network, count=3))),
        ip(hdr(4, lsu(lsh(2, "1.1.1.1", "1.1.1.1", length=4), network))),
        ip(hdr(4, lsu())),
        ip(hdr(5, hs)),
        ip(hdr(5, hs[:20] + lsh(3, "1.1.1.1", "1.1.1.1", length=0) + hs[40:60])),
        ip(hdr(6, b"\0" * 8)),
        ip(hdr(0, b"")),
        ip(hdr(1, hello(), ver=3)),
        ip(hdr(1, hello(), ver=1)),
        ip(hdr(1, hello(), olen=40)),
        ip(hdr(1, hello(), olen=60)),
        ip(hdr(1, hello()), dst="10.77.0.1", ttl=64),
        (ip(hdr(1, hello())), 14 + 20 + 30),
        (ip(hdr(1, hello())), 14 + 20 + 48),
        (ip(hdr(1, hello())), 14 + 20 + 54),
        (ip(hdr(1, hello(), auth=1, authdata=b"secret12")), 14 + 20 + 20),
        (ip(hdr(2, dd(0x07, hdrs=hs))), 14 + 20 + 24 + 8 + 30),
        (ip(hdr(3, lsr)), 14 + 20 + 24 + 18),
        (ip(hdr(4, lsu(router, network))), 14 + 20 + 24 + 4 + 40),
        (ip(hdr(4, lsu(external, network))), 14 + 20 + 24 + 4 + 30),
        (ip(hdr(4, lsu(summary))), 14 + 20 + 24 + 4 + 10),
        (ip(hdr(5, hs)), 14 + 20 + 24 + 30),
        (ip(hdr(1, hello())), 14 + 20 + 10),
        (ip(hdr(1, hello())), 14 + 20 + 1),
        ip(b""),
        ip(b"\x02\x01\x00"),
    ]
    write_pcap(path, frames)


def tcp4(src, dst, sport, dport, seq, payload, flags=0x18, ack=1):
    """An IPv4 TCP segment (ACK and PSH by default) with its checksums."""
    t = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 502, 0, 0) + payload
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(t))
    t = t[:16] + struct.pack("!H", csum(pseudo + t)) + t[18:]
    return ipv4(src, dst, 6, t)


def bgp(path):
    """BGP messages bird does not send: OPEN capabilities and options of
    every kind tcpdump names and malformed ones, UPDATEs with AS sets and
    confederations, aggregators, originator and cluster lists, extended,
    large and invalid communities, AIGP, PMSI tunnels, attribute sets,
    unknown attributes, add-path NLRI, labeled unicast and multicast
    MP_REACH/MP_UNREACH, illegal prefixes and attributes longer than the
    message; NOTIFICATIONs of every error code; route refresh, unknown
    and too-short messages, junk before a marker, several messages in a
    segment and segments cut short by the capture, written to path."""
    aton, a6 = socket.inet_aton, lambda s: socket.inet_pton(socket.AF_INET6, s)

    def msg(typ, body, length=None):
        return b"\xff" * 16 + struct.pack("!HB", 19 + len(body) if length is None else length, typ) + body

    def cap(code, v):
        return struct.pack("!BB", code, len(v)) + v

    def opt(typ, v):
        return struct.pack("!BB", typ, len(v)) + v

    def open_(opts, asn=65010, hold=90, rid="10.77.0.2"):
        return msg(1, struct.pack("!BHH4sB", 4, asn, hold, aton(rid), len(opts)) + opts)

    def attr(flags, typ, v):
        if flags & 0x10:
            return struct.pack("!BBH", flags, typ, len(v)) + v
        return struct.pack("!BBB", flags, typ, len(v)) + v

    def update(withdrawn=b"", attrs=b"", nlri=b""):
        return msg(2, struct.pack("!H", len(withdrawn)) + withdrawn + struct.pack("!H", len(attrs)) + attrs + nlri)

    def pfx(s):
        net, plen = s.split("/")
        plen = int(plen)
        raw = a6(net) if ":" in net else aton(net)
        return bytes([plen]) + raw[:(plen + 7) // 8]

    def notif(major, minor, data=b""):
        return msg(3, struct.pack("!BB", major, minor) + data)

    mp4 = lambda safi, nh, nlri: struct.pack("!HBB", 1, safi, len(nh)) + nh + b"\0" + nlri
    mp6 = lambda safi, nh, nlri: struct.pack("!HBB", 2, safi, len(nh)) + nh + b"\0" + nlri
    label = lambda lab, s: struct.pack("!B", int(s.split("/")[1]) + 24) + (lab << 4 | 1).to_bytes(3, "big") + pfx(s)[1:]
    base = attr(0x40, 1, b"\0") + attr(0x40, 2, struct.pack("!BBHH", 2, 2, 65010, 65020)) + attr(0x40, 3, aton("10.77.0.2"))
    caps = (cap(1, struct.pack("!HBB", 2, 0, 2)) + cap(2, b"") + cap(128, b"") + cap(8, struct.pack("!HBB", 1, 4, 3)) +
            cap(64, struct.pack("!H", 0x8000 | 300) + struct.pack("!HBB", 1, 1, 0x80) + struct.pack("!HBB", 2, 1, 0)) +
            cap(65, struct.pack("!I", 4200000001)) + cap(69, struct.pack("!HBB", 1, 1, 3) + struct.pack("!HBB", 2, 1, 1)) +
            cap(71, b"") + cap(73, b"\x06router\x07example") + cap(5, struct.pack("!HHH", 1, 1, 2)))
    msgs = [
        open_(opt(2, caps)),
        open_(opt(1, b"\x01secret") + opt(2, cap(1, b"\x00\x01")) + opt(2, cap(64, b"\x80")) + opt(2, cap(65, b"\0\0")), asn=23456),
        open_(opt(2, cap(69, b"")) + opt(2, cap(69, struct.pack("!HBB", 1, 1, 7) + b"\0")) + opt(3, b"")),
        open_(opt(2, cap(1, b"\0\1\0\1")) + b"\x02\x30"),  # an option past the end of the options
        open_(b"")[:-4],  # cut short: no ID nor options length
        update(attrs=base + attr(0x80, 4, struct.pack("!I", 0)) + attr(0x40, 5, struct.pack("!I", 200)) +
               attr(0x40, 6, b"") + attr(0xc0, 7, struct.pack("!H4s", 65020, aton("10.0.0.9"))) +
               attr(0xc0, 8, struct.pack("!III", 0xffffff02, 0xffffff03, 65010 << 16 | 1)) +
               attr(0x80, 9, aton("10.77.0.9")) + attr(0x80, 10, aton("1.1.1.1") + aton("2.2.2.2")),
               nlri=pfx("10.20.0.0/16") + pfx("0.0.0.0/0") + pfx("10.21.128.0/17") + pfx("10.22.3.4/32")),
        update(attrs=attr(0x40, 1, b"\2") + attr(0x50, 2, struct.pack("!BBII", 2, 2, 4200000001, 65020) + struct.pack("!BBI", 1, 1, 65030) +
                                                    struct.pack("!BBI", 3, 1, 65040) + struct.pack("!BBII", 4, 2, 65050, 65051)) +
               attr(0xc0, 17, struct.pack("!BBII", 2, 2, 4200000001, 65020)) + attr(0xc0, 7, struct.pack("!I4s", 4200000001, aton("10.0.0.9"))) +
               attr(0xc0, 18, struct.pack("!I4s", 4200000002, aton("10.0.0.8"))) + attr(0x40, 3, aton("10.77.0.2"))),
        update(attrs=base + attr(0xc0, 16, struct.pack("!HI2s", 0x0102, 0x0a000001, b"\0\x07") + struct.pack("!HIH", 0x0202, 4200000001, 9) +
                                            struct.pack("!HHf", 0x4004, 65010, 125000000.0) + struct.pack("!H4sBB", 0x0306, aton("0.0.0.1"), 5, 1) +
                                            struct.pack("!HH4s", 0x0009, 65010, b"\0" * 4) + struct.pack("!H4sH", 0x030c, b"\0" * 4, 8) +
                                            struct.pack("!H4sH", 0x0107, aton("10.77.0.2"), 0) + bytes.fromhex("800a0513057800000000")[:8] +
                                            bytes.fromhex("43020102030405060708")[:8]) +
               attr(0xc0, 32, struct.pack("!III", 65010, 1, 2) + struct.pack("!III", 4200000001, 3, 4)) +
               attr(0x80, 26, struct.pack("!BHQ", 1, 11, 2000) + struct.pack("!BH", 9, 5) + b"xy") +
               attr(0xc0, 22, struct.pack("!BB3s4s4s", 1, 3, b"\0\x01\x40", aton("10.0.0.1"), aton("232.1.1.1"))) +
               attr(0xc0, 22, struct.pack("!BB3s4s", 0, 6, b"\0\0\0", aton("10.0.0.2"))) +
               attr(0xc0, 22, struct.pack("!BB3s4sI", 0, 2, b"\0\0\0", aton("10.0.0.3"), 7)) +
               attr(0xc0, 22, struct.pack("!BB3s4s", 0, 9, b"\0\0\0", aton("10.0.0.4"))) +
               attr(0xc0, 128, struct.pack("!I", 65010) + attr(0x40, 1, b"\1") + attr(0x40, 5, struct.pack("!I", 7))) +
               attr(0xe0, 99, b"\x01\x02\x03") + attr(0x1f, 200, b"") + attr(0x40, 1, b"\0\0") + attr(0x40, 2, b"\2") +
               attr(0x40, 3, b"\0") + attr(0xc0, 8, b"\0\0\0\0\0") + attr(0xc0, 32, b"") + attr(0xc0, 16, b"\0") +
               attr(0x40, 6, b"\1") + attr(0xc0, 7, b"\0"), nlri=pfx("10.23.0.0/24")),
        update(attrs=base + attr(0x90, 14, mp6(1, a6("fd77::2") + a6("fe80::2"), pfx("2001:db8:77::/48") + pfx("::/0") + pfx("2001:db8:78:1:2::/80"))) +
               attr(0x90, 15, struct.pack("!HB", 2, 1) + pfx("2001:db8:99::/48"))),
        update(attrs=base + attr(0x80, 14, mp4(2, aton("10.77.0.2"), pfx("10.30.0.0/16") + pfx("10.31.1.0/24"))) +
               attr(0x80, 15, struct.pack("!HB", 1, 2) + pfx("10.32.0.0/16"))),
        update(attrs=base + attr(0x80, 14, mp4(4, aton("10.77.0.2"), label(16001, "10.40.0.0/16") + label(3, "10.41.1.0/24"))) +
               attr(0x80, 14, mp6(4, a6("fd77::2"), label(24000, "2001:db8:40::/48"))) +
               attr(0x80, 15, struct.pack("!HB", 2, 4) + label(24001, "2001:db8:41::/48"))),
        update(attrs=base + attr(0x80, 14, mp4(1, aton("10.77.0.2") + b"\1\2", pfx("10.50.0.0/16"))) +
               attr(0x80, 14, struct.pack("!HBB", 1, 1, 4) + aton("10.77.0.2") + b"\x02\x03abc\x01z" + pfx("10.51.0.0/16")) +
               attr(0x80, 14, mp4(1, aton("10.77.0.2"), b"\x30\x0a")) + attr(0x80, 15, struct.pack("!HB", 1, 1)) +
               attr(0x80, 15, struct.pack("!HB", 1, 1) + b"\x21\x0a\x00\x00\x00\x00")),
        update(attrs=base + attr(0x80, 14, mp6(1, a6("fd77::2"), struct.pack("!I", 1) + pfx("2001:db8:60::/48") + struct.pack("!I", 2) + pfx("2001:db8:61::/48")))),
        update(attrs=base, nlri=struct.pack("!I", 1) + pfx("10.60.0.0/16") + struct.pack("!I", 2) + pfx("10.60.0.0/16") + struct.pack("!I", 3) + pfx("0.0.0.0/0")),
        update(withdrawn=struct.pack("!I", 1) + pfx("10.61.0.0/16") + struct.pack("!I", 2) + pfx("10.62.0.0/16")),
        update(withdrawn=pfx("10.63.0.0/16") + b"\x21\x0a\0\0\0\0"),
        update(withdrawn=pfx("10.64.0.0/16") + b"\x18\x0a"),
        update(attrs=base, nlri=pfx("10.65.0.0/16") + b"\x40"),
        update(attrs=base, nlri=b"\x18\x0a\x66"),
        update(attrs=base + b"\x40\x05\x09\0\0\0\0"),  # an attribute longer than the attributes
        update(attrs=base + b"\x40"),
        update(attrs=base + b"\x50\x05\x00"),
        msg(2, b"\0\x10\0"),  # withdrawn routes longer than the message
        msg(2, b"\0\0\0\x40"),  # attributes longer than the message
        msg(2, b"\0"),
        update(),
        notif(1, 2, b"\0\x05"), notif(1, 9), notif(2, 2), notif(2, 7), notif(3, 11), notif(3, 1), notif(4, 0), notif(5, 3),
        notif(5, 9), notif(7, 4), notif(6, 1, struct.pack("!HBI", 1, 1, 1000)), notif(6, 1, b"\0\1"), notif(6, 3), notif(6, 7),
        notif(6, 2, b"\x05bye\xe9\x01extra!"), notif(6, 4, b"\0"), notif(6, 4, b"\x00tail"), notif(6, 2, b"\x30short"), notif(9, 1),
        msg(3, b"\6"),
        msg(5, struct.pack("!HBB", 1, 0, 1)), msg(5, struct.pack("!HBB", 2, 1, 128)), msg(5, struct.pack("!HBB", 25, 0, 65)),
        msg(5, b"\0\1"),
        msg(4, b""), msg(4, b"\0\0\0"), msg(9, b"\xde\xad\xbe\xef"),
    ]
    frames, seq = [], 1000
    for i, m in enumerate(msgs):
        sport, dport = (179, 40179) if i % 2 else (40179, 179)
        frames.append(ether("02:77:00:00:00:01", "02:77:00:00:00:02", 0x0800, tcp4("10.77.0.2", "10.77.0.1", sport, dport, seq, m)))
        seq += len(m)
    ka = msg(4, b"")
    odd = [
        ka + ka + msgs[9] + ka,  # several messages in one segment
        b"junk" + ka + b"\xff\xffmore" + ka + b"\xff",  # data before and between markers, a lone 0xff after
        ka + msg(4, b"", length=10) + ka,  # a length below the header's
        ka + msg(4, b"", length=40),  # a length past the segment
        msg(2, b"\0\0\0\0", length=0x1000),
        b"\xff" * 16 + b"\0",  # a marker and part of a header
        b"\xff" * 15,
    ]
    for m in odd:
        frames.append(ether("02:77:00:00:00:01", "02:77:00:00:00:02", 0x0800, tcp4("10.77.0.2", "10.77.0.1", 40179, 179, seq, m)))
        seq += len(m)
    # Segments the capture cuts: inside the second message, the first's
    # marker, an attribute, a prefix, a capability and a notification.
    seg = lambda m: ether("02:77:00:00:00:01", "02:77:00:00:00:02", 0x0800, tcp4("10.77.0.2", "10.77.0.1", 40179, 179, seq, m))
    frames += [(seg(ka + msgs[5]), 54 + 19 + 40), (seg(ka), 54 + 10), (seg(msgs[5]), 54 + 19 + 4 + 20),
               (seg(msgs[0]), 54 + 40), (seg(msgs[9]), 54 + len(msgs[9]) - 3), (seg(notif(6, 2, b"\x05bye\xe9\x01")), 54 + 23),
               (seg(msgs[8]), 54 + 70), (seg(msgs[7]), 54 + 100)]
    write_pcap(path, frames)


def pim(path):
    """PIMv2 hellos with every option (over IPv4 and IPv6), registers
    carrying IPv4, IPv6 and null packets, register-stops, join/prunes,
    grafts and graft acks, bootstraps, asserts, candidate-RP
    advertisements, prune refreshes, DF elections, unknown types, the
    RFC 2117 address encoding, bad checksums and lengths, malformed
    addresses and messages cut short, written to path: this kernel has
    no multicast routing (MRT_INIT fails), so pimd cannot run here."""
    aton, a6 = socket.inet_aton, lambda s: socket.inet_pton(socket.AF_INET6, s)
    me, allpim = "02:77:00:00:00:02", "01:00:5e:00:00:0d"

    def hdr(typ, body, rsv=0, ver=2, sum_=None):
        h = struct.pack("!BBH", ver << 4 | typ, rsv, 0) + body
        if sum_ is None:
            sum_ = csum(h)
        return h[:2] + struct.pack("!H", sum_) + h[4:]

    def ip4(payload, dst="224.0.0.13", src="10.77.0.2", ttl=1):
        p = ipv4(src, dst, 103, payload)
        p = p[:8] + bytes([ttl]) + p[9:10] + b"\0\0" + p[12:]
        return ether(allpim, me, 0x0800, p[:10] + struct.pack("!H", csum(p[:20])) + p[12:])

    def ip6(typ, body, dst="ff02::d", src="fe80::77:ff:fe00:2", rsv=0):
        h = struct.pack("!BBH", 2 << 4 | typ, rsv, 0) + body
        s6, d6 = a6(src), a6(dst)
        h = h[:2] + struct.pack("!H", csum(s6 + d6 + struct.pack("!IxxxB", len(h), 103) + h)) + h[4:]
        return ether("33:33:00:00:00:0d", me, 0x86DD, struct.pack("!IHBB", 6 << 28, len(h), 103, 1) + s6 + d6 + h)

    u4 = lambda a: b"\x01\x00" + aton(a)
    u6 = lambda a: b"\x02\x00" + a6(a)
    g4 = lambda a, m=32, f=0: struct.pack("!BBBB", 1, 0, f, m) + aton(a)
    g6 = lambda a, m=128, f=0: struct.pack("!BBBB", 2, 0, f, m) + a6(a)
    opt = lambda t, v: struct.pack("!HH", t, len(v)) + v
    hello = (opt(1, b"\x00\x69") + opt(19, struct.pack("!I", 1)) + opt(20, struct.pack("!I", 0x1a2b3c4d)) +
             opt(2, struct.pack("!HH", 0x8000 | 500, 2500)) + opt(21, b"\x01\x3c\x00\x00") + opt(21, b"\x01\x00\x12\x34") +
             opt(22, b"") + opt(24, u4("10.78.0.1") + u4("10.79.0.1")) + opt(65001, u4("10.80.0.1")) + opt(18, b"") +
             opt(99, b"\xde\xad\xbe\xef\x01") + opt(1, b"\xff\xff"))
    udp = udp4("10.81.0.5", "239.5.5.5", 5000, 5001, b"multicast data")
    jp = (u4("10.77.0.1") + struct.pack("!BBH", 0, 2, 210) + g4("239.5.5.5") + struct.pack("!HH", 2, 1) +
          g4("10.81.0.5", f=4) + g4("10.81.0.0", 24, f=7) + g4("10.81.0.6", f=0x0d) +
          g4("239.6.0.0", 16, f=1) + struct.pack("!HH", 1, 0) + g4("10.77.0.9", f=6))
    frames = [
        ip4(hdr(0, hello)),
        ip4(hdr(0, opt(1, b"\x00\x69") + opt(20, b"\0\0\0\1") + opt(19, b"\0\0\0\0\0"))),
        ip4(hdr(0, opt(2, b"\0\0"))),
        ip4(hdr(0, opt(20, b"\0\0"))),
        ip4(hdr(0, opt(21, b"\0"))),
        ip4(hdr(0, opt(1, b"\x00\x69") + b"\x00\x14")),  # an option header cut short
        ip4(hdr(0, opt(24, u4("10.78.0.1") + b"\x07\x00\0\0\0\0"))),  # an unknown address family
        ip4(hdr(0, opt(1, b"\x00\x69")[:5] + b"\x00\x02")),  # an option longer than the message
        ip6(0, opt(1, b"\x00\x69") + opt(19, struct.pack("!I", 7)) + opt(20, b"\0\0\0\2") + opt(24, u6("fd77::2") + u6("2001:db8::2"))),
        ip4(hdr(1, struct.pack("!I", 0x80000000) + udp), dst="10.77.0.1", ttl=64),
        ip4(hdr(1, struct.pack("!I", 0x40000000) + struct.pack("!BBHHHBBH4s4s", 0, 0, 20, 0, 0, 0, 103, 0, aton("10.81.0.5"), aton("239.5.5.5"))), dst="10.77.0.1", ttl=64),
        ip4(hdr(1, struct.pack("!I", 0) + udp6("fd81::5", "ff15::5", 5000, 5001, b"six")), dst="10.77.0.1", ttl=64),
        ip4(hdr(1, struct.pack("!I", 0x20000000) + b"\x50\0\0\0"), dst="10.77.0.1", ttl=64),
        ip4(hdr(1, struct.pack("!I", 0)), dst="10.77.0.1", ttl=64),
        ip4(hdr(1, struct.pack("!I", 0) + udp, sum_=csum(struct.pack("!BBHI", 0x21, 0, 0, 0))), dst="10.77.0.1", ttl=64),
        ip4(hdr(1, struct.pack("!I", 0) + udp, sum_=0x1234), dst="10.77.0.1", ttl=64),
        ip4(hdr(1, struct.pack("!I", 0) + udp, sum_=0), dst="10.77.0.1", ttl=64),
        ip4(hdr(2, g4("239.5.5.5") + u4("10.81.0.5")), dst="10.77.0.2", ttl=64),
        ip4(hdr(2, g4("239.5.5.0", 24, f=0x80) + b"\x01\x00\x0a")),
        ip4(hdr(3, jp)),
        ip4(hdr(3, u4("10.77.0.1") + struct.pack("!BBH", 0, 1, 0xffff) + g4("239.7.7.7") + struct.pack("!HH", 0, 0))),
        ip4(hdr(6, u4("10.77.0.1") + struct.pack("!BBH", 0, 1, 60) + g4("239.5.5.5") + struct.pack("!HH", 1, 0) + g4("10.81.0.5"))),
        ip4(hdr(7, struct.pack("!BBH", 0, 1, 60) + g4("239.5.5.5") + struct.pack("!HH", 1, 0) + g4("10.81.0.5"))),
        ip4(hdr(3, u4("10.77.0.1") + struct.pack("!BBH", 0, 3, 210) + g4("239.5.5.5") + struct.pack("!HH", 2, 0) + g4("10.81.0.5"))),
        ip4(hdr(4, struct.pack("!HBB", 0x17c, 30, 5) + u4("10.77.0.2") + g4("224.0.0.0", 4) + struct.pack("!BBH", 2, 2, 0) +
                u4("10.77.0.2") + struct.pack("!HBB", 150, 20, 0) + u4("10.77.0.1") + struct.pack("!HBB", 0, 192, 0) +
                g4("239.0.0.0", 8, f=1) + struct.pack("!BBH", 1, 1, 0) + u4("10.77.0.9") + struct.pack("!HBB", 3600, 1, 0))),
        ip4(hdr(4, struct.pack("!HBB", 0x1, 30, 5) + u4("10.77.0.2"))),
        ip4(hdr(4, struct.pack("!HBB", 0x2, 30, 5) + u4("10.77.0.2") + g4("224.0.0.0", 4) + struct.pack("!BBH", 1, 3, 0) + u4("10.77.0.2") + b"\0")),
        ip4(hdr(4, struct.pack("!HB", 0x3, 30))),
        ip6(4, struct.pack("!HBB", 0x17d, 126, 0) + u6("fd77::2") + g6("ff00::", 8) + struct.pack("!BBH", 1, 1, 0) + u6("fd77::2") + struct.pack("!HBB", 150, 0, 0)),
        ip4(hdr(5, g4("239.5.5.5") + u4("10.81.0.5") + struct.pack("!II", 0x80000000 | 101, 20))),
        ip4(hdr(5, g4("239.5.5.5") + u4("10.81.0.5") + struct.pack("!II", 110, 2))),
        ip4(hdr(5, g4("239.5.5.5") + u4("10.81.0.5") + b"\0\0\0")),
        ip4(hdr(8, struct.pack("!BBH", 2, 20, 150) + u4("10.77.0.2") + g4("239.0.0.0", 8) + g4("232.0.0.0", 8, f=1)), dst="10.77.0.1", ttl=64),
        ip4(hdr(8, struct.pack("!BBH", 0, 20, 150) + u4("10.77.0.2")), dst="10.77.0.1", ttl=64),
        ip4(hdr(8, struct.pack("!BB", 1, 20))),
        ip4(hdr(9, u4("10.81.0.5") + g4("239.5.5.5") + u4("10.77.0.1") + struct.pack("!H", 180))),
        ip4(hdr(10, u4("10.77.0.9") + struct.pack("!II", 100, 10), rsv=0x10)),
        ip4(hdr(10, u4("10.77.0.9") + struct.pack("!II", 100, 10), rsv=0x20)),
        ip4(hdr(10, u4("10.77.0.9") + struct.pack("!II", 100, 10) + u4("10.77.0.1") + struct.pack("!IIH", 90, 9, 250), rsv=0x30)),
        ip4(hdr(10, u4("10.77.0.9") + struct.pack("!II", 100, 10) + u4("10.77.0.1") + struct.pack("!II", 90, 9), rsv=0x40)),
        ip4(hdr(10, u4("10.77.0.9") + struct.pack("!II", 100, 10), rsv=0x70)),
        ip4(hdr(11, b"\0" * 8)), ip4(hdr(13, b"")), ip4(hdr(15, b"\1\2")),
        ip4(hdr(3, aton("10.77.0.1") + struct.pack("!BBH", 0, 1, 210) + struct.pack("!BB", 0, 32) + aton("239.5.5.5") +
                struct.pack("!HH", 1, 0) + struct.pack("!BB", 4, 32) + aton("10.81.0.5"), rsv=4)),
        ip4(hdr(2, aton("239.5.5.5"), rsv=8)),
        ip4(hdr(0, hello, ver=1)), ip4(hdr(0, b"", ver=3)),
        ip4(b"\x20"), ip4(b"\x20\x00\x00"), ip4(b""),
        ip4(hdr(0, hello, sum_=0xbeef)),
    ]
    # Cut short by the capture: inside a hello option, an address, a
    # register's packet, and a join/prune's source list.
    frames += [(ip4(hdr(0, hello)), 14 + 20 + 4 + 30), (ip4(hdr(3, jp)), 14 + 20 + 4 + 13),
               (ip4(hdr(1, struct.pack("!I", 0) + udp), dst="10.77.0.1", ttl=64), 14 + 20 + 8 + 24),
               (ip4(hdr(3, jp)), 14 + 20 + 4 + 40), (ip4(hdr(4, struct.pack("!HBB", 0x17c, 30, 5) + u4("10.77.0.2"))), 14 + 20 + 3)]
def eap(path):
    """EAPOL frame types and EAP packets hostapd and wpa_supplicant do not
    send here: SIM, AKA and FAST types, a NAK, a notification, TLS with
    the length bit, EAP lengths that disagree with EAPOL's, and frames cut
    short, written to path."""
    def eapol(t, body, ver=2, ln=None):
        return struct.pack("!BBH", ver, t, len(body) if ln is None else ln) + body

    def pkt(code, ident, data=b""):
        return struct.pack("!BBH", code, ident, 4 + len(data)) + data

    frames = [eapol(1, b""), eapol(0, pkt(1, 1, b"\x01")), eapol(0, pkt(2, 1, b"\x01user@example\x00pad")),
              eapol(0, pkt(1, 2, b"\x19\x20")), eapol(0, pkt(2, 2, b"\x19\x80\x00\x00\x01\x00\x16\x03")),
              eapol(0, pkt(1, 3, b"\x15\x21")), eapol(0, pkt(1, 3, b"\x0d\xc0\x00\x00\x07\xd0\x16\x03")),
              eapol(0, pkt(1, 3, b"\x0d\x80\x00")), eapol(0, pkt(1, 3, b"\x0d")), eapol(0, pkt(3, 4)), eapol(0, pkt(4, 4)),
              eapol(2, b""), eapol(3, b"\x02" + bytes(94)), eapol(0, pkt(2, 5, b"\x03\x19\x0d")), eapol(0, pkt(2, 5, b"\x03")),
              eapol(0, pkt(1, 6, b"\x04\x10" + bytes(16))), eapol(0, pkt(1, 1, b"\x01"), ln=9),
              eapol(0, pkt(1, 7, b"\x12\x0a\x00\x00")), eapol(0, pkt(1, 7, b"\x17\x01")), eapol(0, pkt(1, 7, b"\x17\x63")),
              eapol(0, pkt(1, 7, b"\x12")), eapol(0, pkt(1, 8, b"\x2b\x21")), eapol(0, pkt(1, 8, b"\x2b\xa1\x00\x00\x00\x10")),
              eapol(0, pkt(1, 9, b"\x02hello\x01")), eapol(0, pkt(1, 9, b"\x02")), eapol(0, pkt(9, 9, b"xx")),
              eapol(0, b"\x01\x01\x00\x02", ln=2), eapol(0, b"\x01\x01\x00\x04", ln=0), eapol(0, pkt(1, 1, b"\xfe\x00")),
              eapol(7, b"xx"), eapol(4, b""), eapol(0, pkt(2, 1, b"\x01bob"), ver=1)]
    frames = [ether("01:80:c2:00:00:03", "02:77:00:00:00:02", 0x888E, f) for f in frames]
    frames += [(frames[4], 20), (frames[2], 16), (frames[6], 26), (frames[2], 25)]
    write_pcap(path, frames)


def radius(path):
    """RADIUS codes and attributes freeradius does not send here: every
    value table, tunnel tags, IPv6 prefixes, vendor-specific attributes
    good and bogus, ARAP, Error-Cause, location attributes, lengths that
    go past the packet, and captures cut short, written to path."""
    def a(t, v):
        return struct.pack("!BB", t, len(v) + 2) + v

    def rad(code, ident, attrs, ln=None):
        return struct.pack("!BBH", code, ident, 20 + len(attrs) if ln is None else ln) + bytes(range(16)) + attrs

    def vsa(vid, subs):
        return a(26, struct.pack("!I", vid) + b"".join(struct.pack("!BB", t, len(v) + 2) + v for t, v in subs))

    def u32(v):
        return struct.pack("!I", v)

    v6 = socket.inet_pton(socket.AF_INET6, "fd77::2")
    attrs = (a(1, b"alice") + a(2, bytes(16)) + a(4, socket.inet_aton("10.77.0.2")) + a(5, u32(7)) + a(6, u32(2)) +
             a(6, u32(99)) + a(7, u32(1)) + a(8, b"\xff\xff\xff\xff") + a(12, u32(1400)) + a(27, u32(3600)) + a(28, u32(125)) +
             a(28, u32(59)) + a(30, b"02-77-00-00-00-01:corpus") + a(31, b"02-77-00-00-00-02") + a(32, b"nas\x01x") +
             a(61, u32(15)) + a(61, u32(19)) + a(64, b"\x00\x00\x00\x0d") + a(65, b"\x01\x00\x00\x06") + a(81, b"\x00100") +
             a(81, b"vlan") + a(79, struct.pack("!BBH", 2, 1, 10) + b"\x01alice") + a(80, bytes(16)) + a(55, u32(1796601600)) +
             a(95, v6) + a(97, b"\x00\x40" + v6[:8]) + a(97, b"\x00\x81") + a(97, b"\x00\x40\x20") + a(123, b"\x00\x38\x20\x01\x0d\xb8\x00\x01\x00") +
             a(150, b"xx") + a(0, b"z") + vsa(311, [(16, b"\x00\x01"), (17, b"key")]) + vsa(9, [(1, b"shell:priv-lvl=15")]) +
             vsa(99999, [(1, b"a")]) + a(40, u32(1)) + a(40, u32(7)) + a(44, b"00000001") + a(45, u32(1)) + a(46, u32(4000)) +
             a(49, u32(19)) + a(49, u32(99)) + a(69, b"\x01\x80\x01secret") + a(58, b"\x31vl") + a(56, b"\x32\x00\x00\x0a") +
             a(83, b"\x02\x00\x00\x05") + a(101, u32(404)) + a(101, u32(7)) + a(101, b"\x00") + a(5, b"\x00") + a(4, b"\x01\x02") +
             a(95, b"\x01") + a(70, bytes(range(16))) + a(71, bytes(range(14))) + a(84, bytes(range(8))) + a(70, b"\x01") +
             a(124, struct.pack("!Q", 0x0000010000000003)) + a(126, b"1example.org") + a(126, b"9x") + a(125, b"\x40" + bytes(16)) +
             a(125, b"\x90" + bytes(16)) + a(129, b"\x80\x00" + bytes(8) + b"note") + a(128, b"\x00\x01hello world, this is long") +
             a(127, b"\x00\x01\x00\x01" + bytes(16) + b"GPS") + a(127, b"\x00\x01") + a(37, u32(0)) + a(38, u32(0)) +
             a(23, u32(0xfffffffe)) + a(14, u32(0xfffffffe)) + a(13, u32(3)) + a(76, u32(1)) + a(72, u32(9)) + a(57, u32(2)))
    msgs = [(1812, rad(1, 1, attrs)), (1812, rad(2, 1, a(18, b"welcome") + vsa(311, [(16, b"\x00" * 4)]))),
            (1812, rad(3, 2, b"")), (1812, rad(11, 3, a(24, b"state") + a(79, struct.pack("!BBH", 1, 2, 6) + b"\x19\x20"))),
            (1813, rad(4, 4, a(40, u32(2)) + a(44, b"sess"))), (1813, rad(5, 4, b"")), (3799, rad(43, 5, a(1, b"bob"))),
            (3799, rad(44, 5, b"")), (3799, rad(45, 6, a(101, u32(503)))), (3799, rad(40, 7, b"")), (3799, rad(41, 7, b"")),
            (3799, rad(42, 7, b"")), (1645, rad(12, 8, b"")), (1646, rad(99, 9, b"")), (1700, rad(43, 10, b"")),
            (1812, rad(1, 11, a(1, b"x"), ln=10)), (1812, rad(1, 12, a(1, b"x"), ln=200)), (1812, rad(1, 13, a(1, b"x") + b"\x01\x01")),
            (1812, rad(1, 14, a(1, b"x") + b"\x01\x09ab")), (1812, rad(1, 15, a(1, b"x") + b"\x01")),
            (1812, rad(1, 16, a(26, u32(9) + b"\x01\x01"))), (1812, rad(1, 17, a(26, u32(9) + b"\x01\x09abc"))),
            (1812, rad(1, 18, a(26, b"\x00\x00"))), (1812, rad(1, 19, a(79, struct.pack("!BBH", 2, 1, 30) + b"\x01al") + a(69, b"\x01"))),
            (1812, rad(1, 20, a(79, b"\x02\x01\x00\x09\x01alice")))]
    frames = [ether("02:77:00:00:00:01", "02:77:00:00:00:02", 0x0800, udp4("10.77.0.2", "10.77.0.1", 40000, port, m))
              for port, m in msgs]
    frames += [(frames[0], 100), (frames[0], 60), (frames[3], 80), (frames[0], 44), (frames[1], 70)]
    write_pcap(path, frames)


def sctp(path):
    """SCTP chunks of an association and its end (INIT to SHUTDOWN
    COMPLETE), SACKs with gap blocks and duplicate TSNs, fragmented and
    unordered DATA, HEARTBEAT, ABORT, ERROR, ECN, FORWARD TSN and
    unknown chunks, ForCES ports, IPv6, bogus chunk lengths and captures
    cut short, written to path (this host's kernel has no SCTP)."""
    def ch(t, fl, body):
        c = struct.pack("!BBH", t, fl, 4 + len(body)) + body
        return c + b"\0" * ((4 - len(c) % 4) % 4)

    def pkt(sp, dp, chunks, tag=0x11223344):
        return struct.pack("!HHII", sp, dp, tag, 0) + b"".join(chunks)

    init = struct.pack("!IIHHI", 0xdeadbeef, 106496, 10, 65535, 12345) + struct.pack("!HH4s", 5, 8, socket.inet_aton("10.77.0.2"))
    data = struct.pack("!IHHI", 12345, 0, 0, 0) + b"hello sctp"
    pk = [pkt(40000, 5000, [ch(1, 0, init)]), pkt(5000, 40000, [ch(2, 0, init + struct.pack("!HH", 7, 12) + b"cookie!!")]),
          pkt(40000, 5000, [ch(10, 0, b"cookie!!")]), pkt(5000, 40000, [ch(11, 0, b"")]), pkt(40000, 5000, [ch(0, 3, data)]),
          pkt(5000, 40000, [ch(3, 0, struct.pack("!IIHH", 12345, 106000, 0, 0))]),
          pkt(40000, 5000, [ch(0, 2, struct.pack("!IHHI", 12346, 1, 1, 46) + b"a" * 20), ch(0, 0, struct.pack("!IHHI", 12347, 1, 1, 46) + b"b" * 3),
                            ch(0, 5, struct.pack("!IHHI", 12348, 1, 1, 3) + b"c" * 40)]),
          pkt(5000, 40000, [ch(3, 0, struct.pack("!IIHHHHHHI", 12345, 106000, 2, 1, 2, 3, 5, 6, 12340))]),
          pkt(40000, 5000, [ch(4, 0, struct.pack("!HH", 1, 12) + b"hbinfo!!")]), pkt(5000, 40000, [ch(5, 0, struct.pack("!HH", 1, 12) + b"hbinfo!!")]),
          pkt(40000, 5000, [ch(7, 0, struct.pack("!I", 12348))]), pkt(5000, 40000, [ch(8, 0, b"")]), pkt(40000, 5000, [ch(14, 0, b"")]),
          pkt(40000, 5000, [ch(6, 1, struct.pack("!HH", 12, 4))]), pkt(40000, 5000, [ch(9, 0, struct.pack("!HHHH", 1, 8, 3, 0))]),
          pkt(40000, 5000, [ch(12, 0, struct.pack("!I", 5)), ch(13, 0, struct.pack("!I", 5)), ch(0xc0, 0, struct.pack("!I", 9)),
                            ch(0x80, 0, b"xyz"), ch(0xc1, 0, b""), ch(0xc2, 0, b"")]),
          pkt(6704, 5000, [ch(11, 0, b"")]),
          pkt(40000, 5000, [ch(1, 0, b"\0" * 8)]), pkt(40000, 5000, [ch(0, 3, struct.pack("!IHHI", 1, 0, 0, 0))]),
          pkt(40000, 5000, [ch(0, 3, b"\0\0")]), pkt(40000, 5000, [struct.pack("!BBH", 3, 0, 2)]),
          pkt(40000, 5000, [ch(3, 0, struct.pack("!IIHH", 1, 2, 3, 0) + b"\0\0")]), pkt(40000, 5000, [ch(11, 0, b""), b"\x0b\x00"]),
          pkt(40000, 5000, [struct.pack("!BBH", 11, 0, 200)]), pkt(40000, 5000, [struct.pack("!BBH", 11, 0, 7) + b"abc"]),
          pkt(40000, 5000, [struct.pack("!BBH", 11, 0, 7) + b"ab"]), b"\x9c\x40\x13"]
    frames = [ether("02:77:00:00:00:01", "02:77:00:00:00:02", 0x0800, ipv4("10.77.0.2", "10.77.0.1", 132, x)) for x in pk]
    frames += [(frames[0], 40), (frames[6], 90), (frames[7], 60), (frames[4], 36)]
    v6 = struct.pack("!IHBB16s16s", 0x60000000, len(pk[4]), 132, 64, socket.inet_pton(socket.AF_INET6, "fd77::2"),
                     socket.inet_pton(socket.AF_INET6, "fd77::1")) + pk[4]
    frames.append(ether("02:77:00:00:00:01", "02:77:00:00:00:02", 0x86DD, v6))
    write_pcap(path, frames)


def ospf6(path):
    """OSPFv3 (IP protocol 89 over IPv6) what bird2 does not send here:
    LLS data and authentication trailers, virtual and unknown router
    links, prefixes with options, an external LSA with forwarding
    address, tag and referenced LS ID, LSA types printed as hex, unknown
    scopes and packet types, other versions, and malformed and cut-short
    packets, written to path."""
    aton = socket.inet_aton
    a6 = lambda a: socket.inet_pton(socket.AF_INET6, a)
    me = "02:77:00:00:00:02"

    def hdr(typ, body, rid="10.77.0.2", area="0.0.0.0", inst=0, ver=3, olen=None, tail=b""):
        n = 16 + len(body) if olen is None else olen
        return struct.pack("!BBH4s4sHBB", ver, typ, n, aton(rid), aton(area), 0, inst, 0) + body + tail

    def ip(payload, dst="ff02::5", src="fe80::77:ff:fe00:2", plen=None):
        n = len(payload) if plen is None else plen
        return ether("33:33:00:00:00:05", me, 0x86DD, struct.pack("!IHBB", 6 << 28, n, 89, 1) + a6(src) + a6(dst) + payload)

    def hello(opts=0x13, dr="10.77.0.1", bdr="10.77.0.2", nbrs=("10.77.0.1", "1.1.1.1"), ifid=7, prio=1, hi=10, dead=40):
        return struct.pack("!II", ifid, prio << 24 | opts) + struct.pack("!HH4s4s", hi, dead, aton(dr), aton(bdr)) + \
            b"".join(aton(n) for n in nbrs)

    def lsh(typ, lsid, adv, seq=0x80000001, age=1, length=20):
        return struct.pack("!HH4s4sIHH", age, typ, aton(lsid), aton(adv), seq, 0, length)

    def lsa(typ, lsid, adv, body, **kw):
        return lsh(typ, lsid, adv, length=20 + len(body), **kw) + body

    def pfx(a, plen, opt=0, metric=0):
        w = (plen + 31) // 32
        return struct.pack("!BBH", plen, opt, metric) + a6(a)[:w * 4]

    def dd(flags, opts=0x13, mtu=1500, seq=0x4321, hdrs=b""):
        return struct.pack("!IHBBI", opts, mtu, 0, flags, seq) + hdrs

    def lsu(*lsas, count=None):
        return struct.pack("!I", len(lsas) if count is None else count) + b"".join(lsas)

    def link(typ, metric, ifid, nifid, nrid):
        return struct.pack("!BBHII4s", typ, 0, metric, ifid, nifid, aton(nrid))

    def at(typ=1, said=5, csn=(1, 2), data=bytes(range(32)), alen=None):
        return struct.pack("!HHHHII", typ, 16 + len(data) if alen is None else alen, 0, said, *csn) + data

    lls = struct.pack("!HH", 0xbeef, 12) + struct.pack("!HHI", 1, 4, 3)
    router = lsa(0x2001, "0.0.0.0", "10.77.0.2", struct.pack("!I", 0x1f << 24 | 0x733) +
                 link(1, 10, 7, 8, "10.77.0.1") + link(2, 20, 7, 9, "10.77.0.9") + link(4, 65535, 1, 2, "3.3.3.3"))
    router_odd = lsa(0x2001, "0.0.0.1", "10.77.0.2", struct.pack("!I", 0) + link(9, 1, 1, 1, "1.1.1.1") + link(1, 1, 1, 1, "2.2.2.2"))
    network = lsa(0x2002, "0.0.0.7", "10.77.0.1", struct.pack("!I", 0x33) + aton("10.77.0.1") + aton("10.77.0.2"))
    inter = lsa(0x2003, "0.0.0.3", "10.77.0.1", struct.pack("!I", 0xff000064) + pfx("::", 0) +
                pfx("2001:db8:1:2:3:4:5:6", 128, opt=0x3f, metric=7) + pfx("2001:db8:9::", 33, opt=0x02))
    inter_bogus = lsa(0x2003, "0.0.0.4", "10.77.0.1", struct.pack("!I", 1) + struct.pack("!BBH", 200, 0, 0) + bytes(16))
    ext_all = lsa(0x4005, "0.0.0.5", "10.77.0.1", struct.pack("!I", 0x07000014) + struct.pack("!BBH", 48, 0x08, 0x2001) +
                  a6("2001:db8:5::")[:8] + a6("fd77::9") + aton("0.0.0.77") + aton("10.1.2.3"))
    ext_cut = lsa(0x4005, "0.0.0.6", "10.77.0.1", struct.pack("!I", 0x03000014) + pfx("2001:db8:6::", 48) + a6("fd77::9")[:8])
    linklsa = lsa(0x0008, "0.0.0.7", "10.77.0.2", struct.pack("!I", 5 << 24 | 0x13) + a6("fe80::77:ff:fe00:2") +
                  struct.pack("!I", 2) + pfx("fd77::", 64) + pfx("fd77:1::", 64, opt=0x10, metric=3))
    linklsa_short = lsa(0x0008, "0.0.0.8", "10.77.0.2", struct.pack("!I", 0x13) + a6("fe80::1") + struct.pack("!I", 3) + pfx("fd77::", 64))
    intra = lsa(0x2009, "0.0.0.9", "10.77.0.2", struct.pack("!HH4s4s", 2, 0x2002, aton("0.0.0.7"), aton("10.77.0.1")) +
                pfx("fd77::", 64, metric=10) + pfx("fd78::", 48, opt=0x01))
    intra_zero = lsa(0x2009, "0.0.0.10", "10.77.0.2", struct.pack("!HH4s4s", 0, 0x2001, aton("0.0.0.0"), aton("10.77.0.2")))
    hexl = [lsa(t, "0.0.0.%d" % (t & 0xff), "10.77.0.1", bytes(range(1, 1 + n))) for t, n in
            ((0x2004, 12), (0x2007, 20), (0x000b, 8), (0x200c, 4), (0xa00a, 5), (0x6001, 0), (0x1234, 18))]
    tl = lambda t, v: struct.pack("!HH", t, len(v)) + v + b"\0" * (-len(v) % 4)
    grace = lsa(0x000b, "0.0.0.11", "10.77.0.2", tl(1, struct.pack("!I", 120)) + tl(2, b"\x02") + tl(3, aton("10.77.0.2")) +
                tl(9, b"xy"))
    grace_bad = lsa(0x000b, "0.0.0.12", "10.77.0.2", tl(1, bytes(6)))
    te = lsa(0x000a, "0.0.0.13", "10.77.0.2", tl(1, aton("10.77.0.2")) + tl(2, tl(1, b"\x01") + tl(5, struct.pack("!I", 10)) +
             tl(6, struct.pack("!f", 1.25e8)) + tl(99, b"xyz")) + tl(7, b"abcde"))
    te_bad = lsa(0x000a, "0.0.0.14", "10.77.0.2", tl(2, tl(9, b"abc")))
    hs = lsh(0x2001, "0.0.0.0", "10.77.0.2", length=56) + lsh(0x2002, "0.0.0.7", "10.77.0.1", age=3600, seq=0x80000005, length=32) + \
        lsh(0x6005, "0.0.0.1", "10.77.0.1", length=40) + lsh(0x8008, "0.0.0.7", "10.77.0.1", length=24)
    lsr = b"".join(struct.pack("!HH4s4s", 0, t, aton(i), aton(a)) for t, i, a in
                   ((0x2001, "0.0.0.0", "10.77.0.2"), (0x2009, "0.0.0.9", "10.77.0.2"), (0xe00e, "0.0.0.1", "10.77.0.1")))
    frames = [
        ip(hdr(1, hello())),
        ip(hdr(1, hello(opts=0xffffff, dr="0.0.0.0", bdr="0.0.0.0", nbrs=(), prio=0, hi=0, dead=65535), area="0.0.0.1", inst=64)),
        ip(hdr(1, hello(opts=0x213), tail=lls)),
        ip(hdr(1, hello(opts=0x413), tail=at())),
        ip(hdr(1, hello(opts=0x613), tail=lls + at(typ=2, said=0xffff, csn=(0xffffffff, 0), data=b"abcd"))),
        ip(hdr(2, dd(0x17, opts=0x613), tail=lls + at(data=b""))),
        ip(hdr(1, hello(opts=0x213), tail=b"\0\0")),
        ip(hdr(1, hello(opts=0x213), tail=struct.pack("!HH", 1, 2))),
        ip(hdr(1, hello(opts=0x213), tail=struct.pack("!HH", 1, 40) + bytes(8))),
        ip(hdr(1, hello(opts=0x13), tail=bytes(10))),
        ip(hdr(1, hello(opts=0x413), tail=at(alen=8))),
        ip(hdr(1, hello(opts=0x413), tail=at(alen=80))),
        (ip(hdr(1, hello(opts=0x413), tail=at())), 14 + 40 + 16 + 28 + 20),
        (ip(hdr(1, hello(opts=0x213), tail=lls)), 14 + 40 + 16 + 28 + 6),
        ip(hdr(2, dd(0x07))),
        ip(hdr(2, dd(0x00, opts=0, mtu=9000, seq=0xdeadbeef, hdrs=hs))),
        ip(hdr(2, dd(0x01, hdrs=hs[:20] + lsh(0x2001, "1.1.1.1", "1.1.1.1", length=8) + hs[20:40]))),
        ip(hdr(3, lsr)),
        ip(hdr(3, lsr[:20])),
        ip(hdr(4, lsu(router, network, inter))),
        ip(hdr(4, lsu(ext_all, linklsa, intra, intra_zero))),
        ip(hdr(4, lsu(*hexl))),
        ip(hdr(4, lsu(grace, te, network))),
        ip(hdr(4, lsu(grace_bad, network))),
        ip(hdr(4, lsu(te_bad, network))),
        (ip(hdr(4, lsu(te))), 14 + 40 + 16 + 4 + 20 + 20),
        ip(hdr(4, lsu(router_odd, network))),
        ip(hdr(4, lsu(inter_bogus, network))),
        ip(hdr(4, lsu(ext_cut))),
        ip(hdr(4, lsu(linklsa_short))),
        ip(hdr(4, lsu(network, count=3))),
        ip(hdr(4, lsu(network, count=0))),
        ip(hdr(4, lsu(lsh(0x2002, "1.1.1.1", "1.1.1.1", length=4), network))),
        ip(hdr(4, lsu(lsh(0x2002, "1.1.1.1", "1.1.1.1", length=400)))),
        ip(hdr(4, lsu())),
        ip(hdr(5, hs)),
        ip(hdr(5, hs[:20] + lsh(0x2003, "1.1.1.1", "1.1.1.1", length=0) + hs[40:60])),
        ip(hdr(6, bytes(8))),
        ip(hdr(0, b"")),
        ip(hdr(1, hello(), ver=2)),
        ip(hdr(1, hello(), ver=4)),
        ip(hdr(1, hello(), olen=60)),
        ip(hdr(1, hello(), olen=30)),
        ip(hdr(1, hello()), dst="fe80::77:ff:fe00:1"),
        (ip(hdr(1, hello())), 14 + 40 + 10),
        (ip(hdr(1, hello())), 14 + 40 + 18),
        (ip(hdr(1, hello())), 14 + 40 + 16 + 22),
        (ip(hdr(1, hello())), 14 + 40 + 16 + 30),
        (ip(hdr(2, dd(0x07, hdrs=hs))), 14 + 40 + 16 + 12 + 30),
        (ip(hdr(2, dd(0x07, hdrs=hs))), 14 + 40 + 16 + 6),
        (ip(hdr(3, lsr)), 14 + 40 + 16 + 18),
        (ip(hdr(4, lsu(router, network))), 14 + 40 + 16 + 4 + 40),
        (ip(hdr(4, lsu(inter))), 14 + 40 + 16 + 4 + 20 + 4 + 4 + 10),
        (ip(hdr(4, lsu(ext_all))), 14 + 40 + 16 + 4 + 20 + 4 + 12 + 8),
        (ip(hdr(4, lsu(linklsa))), 14 + 40 + 16 + 4 + 20 + 10),
        (ip(hdr(4, lsu(intra))), 14 + 40 + 16 + 4 + 20 + 6),
        (ip(hdr(4, lsu(hexl[0]))), 14 + 40 + 16 + 4 + 20 + 5),
        (ip(hdr(4, lsu(network))), 14 + 40 + 16 + 2),
        (ip(hdr(5, hs)), 14 + 40 + 16 + 30),
        (ip(hdr(1, hello())), 14 + 40 + 1),
        ip(b""),
        ip(b"\x03\x01\x00"),
    ]
    write_pcap(path, frames)


def wifi(path, plain=False):
    """802.11 frames behind radiotap headers (link type 127), written to
    path: no mac80211_hwsim or monitor interface here. Radiotap fields of
    every kind tcpdump prints (rates, channels, signal, MCS, VHT, extended
    and vendor namespaces, FCS and padding flags); beacons, probes,
    authentication, (re)association, disassociation and
    deauthentication with their status and reason codes, action frames,
    control frames, data frames carrying IPv4, ARP and IPv6 through
    LLC/SNAP, QoS and four-address data, null and protected frames; and
    malformed and cut-short ones."""
    ap, sta, bc = "02:77:00:00:00:01", "02:77:00:00:00:02", "ff:ff:ff:ff:ff:ff"
    mac = lambda m: bytes.fromhex(m.replace(":", ""))

    def rt(*fields, present=None, extra=b""):
        """A radiotap header: fields (bit, alignment, bytes) in bit order."""
        bitmap = 0
        for bit, _, _ in fields:
            bitmap |= 1 << bit
        words = present if present is not None else [bitmap]
        body = b""
        off = 4 + 4 * len(words)
        for _, align, v in fields:
            padn = -off % align
            body += b"\0" * padn + v
            off += padn + len(v)
        body += extra
        return struct.pack("<BBH", 0, 0, 4 + 4 * len(words) + len(body)) + b"".join(struct.pack("<I", w) for w in words) + body

    def std(rate=2, freq=2412, cflags=0x00a0, sig=-40, flags=0):
        return rt((1, 1, bytes([flags])), (2, 1, bytes([rate])), (3, 2, struct.pack("<HH", freq, cflags)),
                  (5, 1, struct.pack("<b", sig)), (11, 1, b"\0"), (14, 2, b"\0\0"))

    def hdr(typ, sub, a1, a2, a3, flags=0, dur=0, seq=0x10, a4=None, qos=None):
        fc = typ << 2 | sub << 4 | flags << 8
        h = struct.pack("<HH", fc, dur) + mac(a1) + mac(a2) + mac(a3) + struct.pack("<H", seq)
        if a4:
            h += mac(a4)
        if qos is not None:
            h += struct.pack("<H", qos)
        return h

    el = lambda i, v: bytes([i, len(v)]) + v
    rates = el(1, bytes([0x82, 0x84, 0x8b, 0x96, 0x0c, 0x12, 0x18, 0x24]))
    bcn = lambda cap, *els: struct.pack("<QHH", 0x123456789, 100, cap) + b"".join(els)
    mg = lambda sub, body, da=bc, sa=ap, bssid=ap, flags=0, r=None: (r or std()) + hdr(0, sub, da, sa, bssid, flags) + body
    snap = lambda et, pl: b"\xaa\xaa\x03\0\0\0" + struct.pack("!H", et) + pl
    icmp = ipv4("10.77.0.2", "10.77.0.1", 1, icmp_echo(5, 1))
    arp = arp_request(sta, "10.77.0.2", "10.77.0.1")
    a6 = lambda a: socket.inet_pton(socket.AF_INET6, a)
    udp6 = struct.pack("!IHBB", 6 << 28, 12, 17, 64) + a6("fd77::2") + a6("fd77::1") + struct.pack("!HHHH", 5000, 5001, 12, 0) + b"wifi"
    auth = lambda alg, seq, st, *els: struct.pack("<HHH", alg, seq, st) + b"".join(els)
    ctl = lambda sub, rest, flags=0, dur=44: std() + struct.pack("<HH", 1 << 2 | sub << 4 | flags << 8, dur) + rest
    mcs = lambda known, fl, idx: rt((2, 1, b"\x0c"), (3, 2, struct.pack("<HH", 5180, 0x0140)), (19, 1, bytes([known, fl, idx])))
    frames = [
        mg(8, bcn(0x0401, el(0, b"corpus"), rates, el(3, b"\x01"), el(5, b"\0\1\0\0"), el(7, b"DE 1"))),
        mg(8, bcn(0x0012, el(0, b"n\x01t\xe9"), el(1, b"\x8c\x12\x98\x24"), el(3, b"\x24"), el(50, b"\x30\x48")),
           r=std(rate=12, freq=5180, cflags=0x0140, sig=-71, flags=0x02)),
        mg(8, bcn(0x0411, el(0, b"a\0b"), el(0, b"second"), el(1, b""), el(1, b"\x82"), el(3, b"\x06\x07"), el(3, b"\x0b")),
           r=std(freq=2437, cflags=0x0480)),
        mg(4, el(0, b"") + rates, da=bc, sa=sta, bssid=bc),
        mg(4, el(0, b"corpus") + el(1, b"\x02\x04"), da=ap, sa=sta),
        mg(5, bcn(0x0011, el(0, b"corpus"), rates, el(3, b"\x01")), da=sta),
        mg(5, bcn(0x0001), da=sta),
        mg(11, auth(0, 1, 0), da=ap, sa=sta),
        mg(11, auth(0, 2, 0), da=sta),
        mg(11, auth(1, 2, 0, el(16, b"challenge-text")), da=sta),
        mg(11, auth(1, 3, 15), da=sta),
        mg(11, auth(7, 4, 1), da=ap, sa=sta),
        mg(11, auth(3, 5, 300), da=ap, sa=sta),
        mg(0, struct.pack("<HH", 0x0431, 10) + el(0, b"corpus") + rates, da=ap, sa=sta),
        mg(1, struct.pack("<HHH", 0x0411, 0, 0xc001), da=sta),
        mg(1, struct.pack("<HHH", 0x0401, 17, 2), da=sta),
        mg(1, struct.pack("<HHH", 0x0401, 200, 3), da=sta),
        mg(2, struct.pack("<HH", 0x0431, 10) + mac("02:77:00:00:00:09") + el(0, b"corpus"), da=ap, sa=sta),
        mg(3, struct.pack("<HHH", 0x0401, 1, 4), da=sta),
        mg(10, struct.pack("<H", 8), da=ap, sa=sta),
        mg(12, struct.pack("<H", 3), da=sta),
        mg(12, struct.pack("<H", 99), da=sta),
        mg(12, struct.pack("<H", 66), da=sta),
        mg(10, struct.pack("<H", 5), da=ap, sa=sta),
    ] + [mg(10, struct.pack("<H", n), da=ap, sa=sta) for n in (0, 14, 15, 23, 45, 46, 52, 67)] + [
        mg(1, struct.pack("<HHH", 0x0401, n, 1), da=sta) for n in (2, 10, 18, 30, 37, 50, 76, 99, 103, 107, 108)] + [
        mg(13, bytes([c, a]) + b"\0\0", da=sta) for c, a in
        ((0, 4), (1, 1), (2, 0), (3, 0), (3, 1), (3, 2), (3, 9), (7, 0), (7, 1), (7, 5), (13, 1), (13, 10), (13, 11),
         (14, 0), (14, 1), (14, 2), (15, 0), (15, 1), (15, 5), (15, 6), (127, 9), (50, 3))] + [
        mg(9, b"", da=sta),
        mg(6, b"\1\2", da=sta),
        mg(14, b"", da=sta),
        mg(12, b"\0\0\0\0\0\0\0\0", da=sta, flags=0x40),
        mg(12, b"\0\0", da=sta, flags=0x40),
        ctl(11, mac(ap) + mac(sta)),
        ctl(12, mac(sta)),
        ctl(13, mac(sta), dur=0),
        std() + struct.pack("<HH", 1 << 2 | 10 << 4 | 0x10 << 8, 0xc001) + mac(ap) + mac(sta),
        ctl(14, mac(bc) + mac(ap)),
        ctl(15, mac(bc) + mac(ap)),
        ctl(9, mac(sta) + mac(ap) + bytes(12)),
        ctl(8, mac(sta) + mac(ap) + struct.pack("<HH", 0x0004, 0x0120)),
        ctl(7, mac(sta) + bytes(6)),
        ctl(3, mac(sta)),
        std() + hdr(2, 0, ap, sta, ap, flags=0x01, dur=44) + snap(0x0800, icmp),
        std() + hdr(2, 0, sta, ap, ap, flags=0x02) + snap(0x0806, arp),
        std() + hdr(2, 8, ap, sta, ap, flags=0x01, qos=0x0005) + snap(0x86dd, udp6),
        std() + hdr(2, 0, ap, sta, "02:77:00:00:00:03", flags=0x03, a4="02:77:00:00:00:04") + snap(0x0800, icmp),
        std() + hdr(2, 4, ap, sta, ap, flags=0x11),
        std() + hdr(2, 12, ap, sta, ap, flags=0x01, qos=0),
        std() + hdr(2, 0, ap, sta, ap, flags=0x41) + bytes([0x12, 0x34, 0x56, 0xe0]) + bytes(16),
        std() + hdr(2, 8, ap, sta, ap, flags=0x41, qos=0) + bytes([1, 0, 0, 0x20]) + bytes(16),
        std() + hdr(2, 0, ap, sta, ap, flags=0x01) + snap(0x1234, b"junk"),
        std() + hdr(2, 1, ap, sta, ap, flags=0x02) + snap(0x0800, icmp),
        std() + hdr(2, 2, ap, sta, ap, flags=0x02) + snap(0x0800, icmp),
        std() + hdr(2, 3, ap, sta, ap, flags=0x02) + snap(0x0800, icmp),
        std() + hdr(2, 10, ap, sta, ap, flags=0x02, qos=0) + snap(0x0800, icmp),
        std() + hdr(2, 0, ap, sta, ap, flags=0x3c | 0x80 >> 0, dur=314) + snap(0x0800, icmp),
        std() + struct.pack("<HH", 3 << 2, 0) + bytes(20),
        # radiotap fields of every kind
        rt((0, 8, struct.pack("<Q", 1234567)), (1, 1, b"\x4f"), (2, 1, b"\x85"), (3, 2, struct.pack("<HH", 2484, 0x0880)),
           (4, 1, b"\x03\x07"), (5, 1, b"\xb0"), (6, 1, b"\x9c"), (7, 2, struct.pack("<H", 77)), (8, 2, struct.pack("<h", 3)),
           (9, 1, b"\x06"), (10, 1, b"\x14"), (11, 1, b"\x02"), (12, 1, b"\x30"), (13, 1, b"\x05"), (14, 2, b"\1\0"))
        + hdr(0, 9, sta, ap, ap) + b"\0\0\0\0",
        rt((3, 2, struct.pack("<HH", 5745, 0x4140))) + hdr(0, 9, sta, ap, ap),
        rt((3, 2, struct.pack("<HH", 5745, 0x8140))) + hdr(0, 9, sta, ap, ap),
        rt((3, 2, struct.pack("<HH", 2412, 0x44c0))) + hdr(0, 9, sta, ap, ap),
        rt((3, 2, struct.pack("<HH", 2412, 0x80c0))) + hdr(0, 9, sta, ap, ap),
        rt((3, 2, struct.pack("<HH", 2412, 0x00d0))) + hdr(0, 9, sta, ap, ap),
        rt((3, 2, struct.pack("<HH", 5180, 0x0150)), (18, 4, struct.pack("<IHBB", 0x30140, 5200, 40, 30))) + hdr(0, 9, sta, ap, ap),
        rt((18, 4, struct.pack("<IHBB", 0x100a0, 2412, 1, 30))) + hdr(0, 9, sta, ap, ap),
        rt((18, 4, struct.pack("<IHBB", 0x40140, 5180, 36, 30))) + hdr(0, 9, sta, ap, ap),
        mcs(0x07, 0x05, 7) + hdr(0, 9, sta, ap, ap),
        mcs(0x07, 0x00, 15) + hdr(0, 9, sta, ap, ap),
        mcs(0x7f, 0x7e, 32) + hdr(0, 9, sta, ap, ap),
        mcs(0x02, 0x00, 3) + hdr(0, 9, sta, ap, ap),
        mcs(0x03, 0x02, 80) + hdr(0, 9, sta, ap, ap),
        mcs(0x3d, 0x33, 76) + hdr(0, 9, sta, ap, ap),
        mcs(0x00, 0x00, 0) + hdr(0, 9, sta, ap, ap),
        rt((21, 2, struct.pack("<HBB4BBBH", 0x0044, 0x04, 4, 0x92, 0, 0x31, 0, 0x05, 0, 0))) + hdr(0, 9, sta, ap, ap),
        rt((21, 2, struct.pack("<HBB4BBBH", 0x0040, 0x00, 27, 0, 0, 0, 0, 0, 0, 0))) + hdr(0, 9, sta, ap, ap),
        rt((20, 4, struct.pack("<IHBB", 7, 0, 0, 0)), (2, 1, b"\x02")) + hdr(0, 9, sta, ap, ap),
        rt((2, 1, b"\x02"), present=[1 << 2 | 1 << 29 | 1 << 31, 1 << 5 | 1 << 11 | 1 << 31, 1 << 5 | 1 << 11],
           extra=b"\xc0\x00\xc4\x01") + hdr(0, 9, sta, ap, ap),
        rt((2, 1, b"\x02"), present=[1 << 2 | 1 << 31, 1 << 5], extra=b"\xc0") + hdr(0, 9, sta, ap, ap),
        rt((2, 1, b"\x02"), present=[1 << 2 | 1 << 30 | 1 << 31, 1 << 0 | 1 << 29 | 1 << 31, 1 << 11],
           extra=b"\0\0\x00\x11\x22\x01\x04\x00abcd\x03") + hdr(0, 9, sta, ap, ap),
        rt((2, 1, b"\x02"), (22, 8, bytes(12))) + hdr(0, 9, sta, ap, ap),
        rt((2, 1, b"\x02"), (15, 2, b"\0\0"), (5, 1, b"\xc0")) + hdr(0, 9, sta, ap, ap),
        rt((0, 8, bytes(8)), present=[1 << 0 | 1 << 1]) + hdr(0, 9, sta, ap, ap),
        rt((1, 1, b"\x10")) + hdr(0, 12, sta, ap, ap) + struct.pack("<H", 1) + b"\xde\xad\xbe\xef",
        rt((1, 1, b"\x10")) + hdr(0, 12, sta, ap, ap)[:20],
        rt((1, 1, b"\x20")) + hdr(2, 8, ap, sta, ap, flags=0x01, qos=0) + b"\0\0" + snap(0x0800, icmp),
        rt((1, 1, b"\x30")) + hdr(2, 0, ap, sta, ap, flags=0x01) + snap(0x0800, icmp) + b"\x01\x02\x03\x04",
        # malformed and cut short
        b"\0\0\x06\0\0\0",
        struct.pack("<BBHI", 0, 0, 6, 0),
        struct.pack("<BBHI", 0, 0, 200, 0) + bytes(30),
        struct.pack("<BBHII", 0, 0, 12, 0x80000000, 0x80000000) + bytes(30),
        std(),
        std() + b"\x80",
        std() + hdr(0, 8, bc, ap, ap)[:20],
        mg(8, bcn(0x0401)[:8]),
        mg(8, bcn(0x0401, el(0, b"corpus"), el(1, b"\x82\x84"), b"\x03")),
        mg(8, bcn(0x0401, el(0, b"corpus"), el(1, b"\x82\x84"), b"\x03\x05\x01")),
        mg(8, bcn(0x0401, el(0, bytes(33)))),
        mg(8, bcn(0x0401, el(1, bytes(17)), el(0, b"after"))),
        mg(8, bcn(0x0401, el(0, b"x"), el(5, bytes(255)))),
        mg(4, el(0, b"corpus") + el(1, b"\x82\x84")[:3]),
        mg(11, auth(0, 1, 0)[:4], da=ap, sa=sta),
        mg(11, auth(1, 2, 0, el(16, bytes(254))), da=sta),
        mg(0, b"\x01", da=ap, sa=sta),
        mg(1, b"\x01\0\0", da=sta),
        mg(2, bytes(8), da=ap, sa=sta),
        mg(10, b"\x01", da=ap, sa=sta),
        mg(12, b"", da=sta),
        mg(13, b"\x03", da=sta),
        std() + hdr(2, 0, ap, sta, ap, flags=0x01)[:20],
        std() + hdr(2, 0, ap, sta, ap, flags=0x41) + b"\x12\x34",
        std() + hdr(2, 0, ap, sta, ap, flags=0x01) + b"\xaa\xaa",
        ctl(11, mac(ap)),
        (std() + hdr(2, 0, ap, sta, ap, flags=0x01) + snap(0x0800, icmp), 26 + 24 + 8 + 10),
        (mg(8, bcn(0x0401, el(0, b"corpus"), rates, el(3, b"\x01"))), 26 + 24 + 12 + 5),
    ]
    if plain:  # link type 105: the same frames without their radiotap headers
        out = []
        for fr in frames:
            fr, cut = fr if isinstance(fr, tuple) else (fr, 0)
            if len(fr) < 4 or struct.unpack("<H", fr[2:4])[0] > len(fr):
                continue
            n = struct.unpack("<H", fr[2:4])[0]
            if n == len(fr) or fr[4:8] == b"\x02\0\0\0" and fr[8] & 0x20:  # nothing left; padding only radiotap tells
                continue
            out.append((fr[n:], max(cut - n, 0)) if cut else fr[n:])
        write_pcap(path, out, linktype=105)
        return
    write_pcap(path, frames, linktype=127)


def snap(path):
    """SNAP frames under Cisco's OUI no daemon here sends (DTP, VTP
    summary, subset, request and join, UDLD, PVST+ BPDUs, unknown PIDs)
    and RFC 1042 ethertypes in SNAP (IPv4, ARP, IPv6, unknown), with
    malformed fields, 802.3 lengths other than the frame's and captures
    cut short, written to path."""
    me, cdst = "02:77:00:00:00:02", "01:00:0c:cc:cc:cc"

    def frame(oui, pid, payload, dst=cdst, ln=None, pad=0):
        llc = b"\xaa\xaa\x03" + struct.pack("!I", oui)[1:] + struct.pack("!H", pid) + payload
        return ether(dst, me, len(llc) if ln is None else ln, llc + bytes(pad))

    def t(typ, v, ln=None):
        return struct.pack("!HH", typ, len(v) + 4 if ln is None else ln) + v

    nbr = bytes.fromhex("027700000002")
    dtp = [b"\x01" + t(1, b"corpusdom\x00\x00") + t(2, b"\x03") + t(3, b"\xa5") + t(4, nbr),
           b"\x01" + t(1, b"dom") + t(5, b"\x01\x02") + t(0, b"") + t(2, b"\x81"),
           b"\x01" + t(2, b"\x03\x04"), b"\x01" + t(4, b"\x01\x02"), b"\x01" + t(1, b"x", ln=2),
           b"\x01" + t(1, b"x", ln=40), b"\x01" + t(2, b"\x03") + b"\x00\x01", b"\x02", b""]
    frames = [frame(0x0c, 0x2004, d) for d in dtp]
    frames += [(frame(0x0c, 0x2004, dtp[0]), 35), (frame(0x0c, 0x2004, dtp[0]), 27), (frame(0x0c, 0x2004, dtp[0]), 22)]
    frames.append(frame(0x0c, 0x2004, dtp[3], pad=20))

    def vtp(code, f2, dom, rest, ml=None):
        return struct.pack("!BBBB", 1, code, f2, len(dom) if ml is None else ml) + dom.ljust(32, b"\0") + rest

    summary = vtp(1, 1, b"corpusdom", struct.pack("!I", 0x2a) + socket.inet_aton("10.77.0.2") + b"930101000000" + bytes(range(16)))
    def vlan(vid, name, tlvs=b"", status=0, typ=1, ln=None):
        pn = name.ljust(4 * ((len(name) + 3) // 4), b"\0")
        body = struct.pack("!BBBHHI", status, typ, len(name), vid, 1500, 100000 + vid) + pn + tlvs
        return bytes([len(body) + 1 if ln is None else ln]) + body
    tl = lambda typ, v: struct.pack("!BBH", typ, 1, v)
    subset = vtp(2, 1, b"corpusdom", struct.pack("!I", 0x2a) + vlan(1, b"default") + vlan(10, b"corpus-ten", tl(1, 7) + tl(2, 3) +
                 tl(3, 2) + tl(4, 5) + tl(5, 9) + tl(6, 1) + tl(7, 1) + tl(8, 7) + tl(9, 7) + tl(10, 0) + tl(11, 0x1234), status=1, typ=3) +
                 vlan(1002, b"fddi", typ=2) + vlan(4000, b"abc", typ=9, status=5) + b"\0")
    vtps = [summary, subset, vtp(3, 0, b"corpusdom", struct.pack("!I", 10)), vtp(4, 0, b"corpusdom", bytes(4)),
            vtp(9, 0, b"corpusdom", bytes(4)), vtp(1, 0, b"", bytes(36), ml=0), vtp(1, 0, b"x", bytes(36), ml=40),
            vtp(2, 1, b"d", struct.pack("!I", 1) + vlan(5, b"five", ln=8)),
            vtp(2, 1, b"d", struct.pack("!I", 1) + vlan(5, b"five-long-name", ln=16)),
            vtp(2, 1, b"d", struct.pack("!I", 1) + vlan(5, b"five", b"\x01")),
            vtp(2, 1, b"d", struct.pack("!I", 1) + vlan(5, b"five", struct.pack("!BBHH", 1, 2, 3, 4))),
            vtp(2, 1, b"d", struct.pack("!I", 1) + vlan(5, b"five", struct.pack("!BB", 1, 9))),
            vtp(1, 1, b"d", b""), b"\x01\x01\x00\x04abc"]
    frames += [frame(0x0c, 0x2003, v, dst="01:00:0c:cc:cc:cc") for v in vtps]
    frames += [(frame(0x0c, 0x2003, summary), 60), (frame(0x0c, 0x2003, subset), 100), (frame(0x0c, 0x2003, subset), 83),
               (frame(0x0c, 0x2003, summary), 30)]

    def udld(op, flags, tlvs, ver=1):
        return struct.pack("!BBH", ver << 5 | op, flags, 0x1234) + tlvs
    probe = udld(1, 3, t(1, b"FOC1234X") + t(2, b"Gi0/1") + t(3, b"\x00\x00\x00\x01" + b"FOC9") + t(4, b"\x07") +
                 t(5, b"\x05") + t(6, b"switch\x00") + t(7, b"\x00\x00\x00\x2a") + t(9, b"zz"))
    udlds = [probe, udld(2, 0, t(1, b"a")), udld(3, 0xfc, b""), udld(0, 0, b"", ver=2), udld(7, 0, t(1, b"")),
             udld(1, 0, t(1, b"a", ln=30)), udld(1, 0, t(4, b"\x01\x02")), udld(1, 0, t(7, b"\x01")), udld(1, 0, b"\x00\x01"),
             b"\x21\x00"]
    frames += [frame(0x0c, 0x0111, u, dst="01:00:0c:cc:cc:cc") for u in udlds]
    frames += [(frame(0x0c, 0x0111, probe), 30), (frame(0x0c, 0x0111, probe), 44), (frame(0x0c, 0x0111, probe), 23)]

    bid = lambda prio, mac: struct.pack("!H", prio) + bytes.fromhex(mac)
    cfg = (struct.pack("!HBBB", 0, 0, 0, 0x01) + bid(0x8001, "001122334455") + struct.pack("!I", 4) + bid(0x8001, "027700000002") +
           struct.pack("!HHHHH", 0x8002, 0x100, 0x1400, 0x200, 0xf00))
    rstp = b"\x00\x00\x02\x02\x3c" + cfg[5:] + b"\x00"
    pv = "01:00:0c:cc:cc:cd"
    frames += [frame(0x0c, 0x010b, cfg + struct.pack("!HHH", 0, 2, 10), dst=pv), frame(0x0c, 0x010b, rstp + struct.pack("!HHH", 0, 2, 20), dst=pv),
               frame(0x0c, 0x010c, cfg, dst=pv), frame(0x0c, 0x010b, b"\x00\x00\x00\x80", dst=pv), frame(0x0c, 0x010b, b"\x00\x00", dst=pv),
               (frame(0x0c, 0x010b, cfg, dst=pv), 40), frame(0x0c, 0x0102, b"cisco-other"), frame(0x0c, 0x2000, b"\x02", ln=4)]

    ip = udp4("10.77.0.2", "10.77.0.1", 5000, 7, b"snap-udp")
    v6 = struct.pack("!IHBB16s16s", 0x60000000, 8, 59, 64, socket.inet_pton(socket.AF_INET6, "fd77::2"),
                     socket.inet_pton(socket.AF_INET6, "fd77::1")) + bytes(8)
    peer = "02:77:00:00:00:01"
    frames += [frame(0, 0x0800, ip, dst=peer), frame(0, 0x0806, arp_request(me, "10.77.0.2", "10.77.0.1"), dst="ff:ff:ff:ff:ff:ff"),
               frame(0, 0x86dd, v6, dst=peer), frame(0, 0x1234, b"unknown-ethertype", dst=peer), frame(0xf8, 0x0800, ip, dst=peer),
               frame(0x00000e, 0x0001, b"other-oui", dst=peer), frame(0x0080c2, 0x0007, bytes(10), dst=peer),
               frame(0, 0x0800, ip, dst=peer, pad=10), frame(0, 0x0800, ip, dst=peer, ln=100),
               (frame(0, 0x0800, ip, dst=peer), 30), (frame(0, 0x0806, arp_request(me, "10.77.0.2", "10.77.0.1")), 25),
               (frame(0x0c, 0x2004, dtp[0]), 19), (frame(0x0c, 0x2004, dtp[0]), 17),
               frame(0x0080c2, 0x0007, b"\0\0" + ether(peer, me, 0x0800, ip), dst=peer),
               frame(0x0080c2, 0x0001, b"\0\0" + ether("ff:ff:ff:ff:ff:ff", me, 0x0806, arp_request(me, "10.77.0.2", "10.77.0.1")) + b"\xde\xad\xbe\xef", dst=peer),
               frame(0x0080c2, 0x0007, b"\0\0" + ether(peer, me, 0x9999, b"inner-unknown"), dst=peer),
               frame(0x0080c2, 0x000e, cfg, dst=peer), frame(0x0080c2, 0x0007, b"\0", dst=peer),
               (frame(0x0080c2, 0x0007, b"\0\0" + ether(peer, me, 0x0800, ip), dst=peer), 50)]

    def llc(dsap, ssap, ctrl, payload=b"", ln=None):  # 802.2 frames SNAP does not cover
        h = bytes([dsap, ssap]) + (bytes([ctrl]) if ctrl & 3 == 3 else struct.pack("<H", ctrl))
        return ether(peer, me, len(h + payload) if ln is None else ln, h + payload)
    frames += [llc(0xf0, 0xf0, 0x03, b"netbios"), llc(0x04, 0x05, 0xe3, b"test-data"), llc(0x42, 0x42, 0x13),
               llc(0x8e, 0x8f, 0xaf, b"\x81\x01\x00"), llc(0x00, 0x01, 0xbf, b"\x81\x01"), llc(0x00, 0x00, 0xaf),
               llc(0x7e, 0x7e, 0xaf, b"\x82\x01\x02"), llc(0x12, 0x34, 0x0002 | 5 << 1 | 9 << 9, b"info-frame"),
               llc(0x12, 0x12, 0x0001 | 2 << 2 | 7 << 9 | 0x100), llc(0x13, 0x4e, 0x0001 | 3 << 2), llc(0x0e, 0x0f, 0x0100 | 4 << 9),
               llc(0x42, 0x43, 0x03, cfg), llc(0x42, 0x42, 0x03, cfg[:2]), llc(0x42, 0x42, 0x03, b"\x00\x01\x00\x00"),
               llc(0xaa, 0xaa, 0x13, b"\x00\x00\x0c\x20\x00"), llc(0xaa, 0xaa, 0x00, b"\x00\x00\x0c\x20\x00"),
               llc(0x06, 0x06, 0x6f), llc(0x06, 0x06, 0x03, b"x", ln=2), llc(0x06, 0x06, 0x02, b"", ln=3),
               (llc(0x06, 0x06, 0x02, b"abc"), 17), (llc(0xf0, 0xf0, 0x03, b"netbios"), 15)]

    def mstp(ver=3, mstis=2, v1=0, v3=None, tail=b""):  # MSTP and SPB BPDUs
        body = (bytes([0x7c]) + bid(0x8000, "001122334455") + struct.pack("!I", 20000) + bid(0x8000, "027700000002") +
                struct.pack("!HHHHH", 0x8001, 0x100, 0x1400, 0x200, 0xf00) + bytes([v1]))
        conf = b"\x00" + b"corpus-region".ljust(32, b"\0") + struct.pack("!H", 3) + bytes(range(16))
        cist = struct.pack("!I", 200000) + bid(0x7000, "027700000002") + b"\x14"
        msti = b"".join(struct.pack("!BH", 0x7e if i else 0x2c, 0x8000 | (10 + i)) + bytes.fromhex("0011223344aa") +
                        struct.pack("!IBBB", 2000 * (i + 1), 0x80, 0x90, 20 - i) for i in range(mstis))
        v3len = len(conf) + len(cist) + len(msti) if v3 is None else v3
        return b"\x00\x00" + bytes([ver, 2]) + body + struct.pack("!H", v3len) + conf + cist + msti + tail
    spb = struct.pack("!H", 85) + b"\x00" + b"aux".ljust(32, b"\0") + struct.pack("!H", 1) + bytes(16) + bytes(34)
    stp = "01:80:c2:00:00:00"
    frames += [ether(stp, me, 3 + len(x), b"\x42\x42\x03" + x) for x in
               [mstp(), mstp(mstis=0), mstp(mstis=1, v3=70), mstp(v1=1), mstp(v3=200), mstp(mstis=0)[:100],
                mstp(ver=4, mstis=0, tail=spb), mstp(ver=4, mstis=1, tail=spb[:40]), mstp(ver=4, mstis=0)]]
    frames += [(ether(stp, me, 3 + len(mstp()), b"\x42\x42\x03" + mstp()), k) for k in (40, 70, 100, 120, 150)]
    frames += [frame(0x0080c2, 0x0007, b"\0\0" + llc(0x42, 0x42, 0x03, cfg), dst=peer),  # 802.3 inside RFC 2684
               frame(0x0080c2, 0x0007, b"\0\0" + llc(0x12, 0x34, 0x0002, b"inner-i"), dst=peer)]
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
    elif sys.argv[1] == "hsrp":
        hsrp(sys.argv[2])
    elif sys.argv[1] == "mpls":
        mpls(sys.argv[2])
    elif sys.argv[1] == "ipsec":
        ipsec(sys.argv[2])
    elif sys.argv[1] == "ospf":
        ospf(sys.argv[2])
    elif sys.argv[1] == "bgp":
        bgp(sys.argv[2])
    elif sys.argv[1] == "pim":
        pim(sys.argv[2])
    elif sys.argv[1] in ("eap", "radius", "sctp", "snap"):
        globals()[sys.argv[1]](sys.argv[2])
    elif sys.argv[1] == "ospf6":
        ospf6(sys.argv[2])
    elif sys.argv[1] == "wifi":
        wifi(sys.argv[2])
    elif sys.argv[1] == "wifiplain":
        wifi(sys.argv[2], plain=True)
    else:
        main(*sys.argv[1:5])
