#!/usr/bin/env python3
"""bench/mkmixed.py [-l LINKTYPE] OUT MIN FILE...: one pcap of ordinary mixed traffic for
bench/sniff.sh's "decode ordinary traffic" row: the records of every
Ethernet (link type 1, or LINKTYPE) pcap FILE, concatenated in turn, the
whole repeated until OUT holds MIN packets. Other link types are
left out, and so are pcapng files. Time stamps are rewritten to rise 1 ms a packet from
the first file's first one, so the output reads as one capture."""
import struct
import sys


def records(path, want_lt):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return None, []
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return None, []
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    snap, lt = struct.unpack(e + "II", data[16:24])
    if lt & 0xFFFF != want_lt:
        return None, []
    out, off, first = [], 24, None
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack(e + "IIII", data[off:off + 16])
        if off + 16 + incl > len(data):
            break
        if first is None:
            first = sec
        out.append((incl, orig, data[off + 16:off + 16 + incl]))
        off += 16 + incl
    return first, out


def main():
    args, lt = sys.argv[1:], 1
    if args[:1] == ["-l"]:
        lt, args = int(args[1]), args[2:]
    if len(args) < 3:
        sys.exit("usage: mkmixed.py [-l LINKTYPE] OUT MIN FILE...")
    out, want = args[0], int(args[1])
    recs, start = [], None
    for p in args[2:]:
        first, r = records(p, lt)
        if r and start is None:
            start = first
        recs += r
    if not recs:
        sys.exit("mkmixed.py: no pcap records of link type %d in the files given" % lt)
    n = 0
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, lt))
        while n < want:
            buf = []
            for incl, orig, data in recs:
                if n == want:
                    break
                sec, usec = start + n // 1000, (n % 1000) * 1000
                buf.append(struct.pack("<IIII", sec, usec, incl, orig))
                buf.append(data)
                n += 1
            f.write(b"".join(buf))
    print(n)


main()
