#!/usr/bin/env python3
"""mutate.py OUT SEED MODE: malformed captures from the corpus one level
up, for sniff's TestCorpusMatchesTcpdump. Each Ethernet packet of each
corpus pcap is written three times: MODE trunc cuts records at random
captured lengths (as a small snapshot length does, the original length
kept); flip changes 1-3 random bytes after the Ethernet header. Run by
hand, then write tcpdump's text:
  for m in trunc flip; do ./mutate.py $m.pcap 1 $m
    tcpdump -n -r $m.pcap >$m.n.out; tcpdump -n -v -r $m.pcap >$m.v.out
    tcpdump -n -e -r $m.pcap >$m.e.out; done
(TZ=UTC)."""
import glob
import os
import random
import struct
import sys

out_path, seed, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
random.seed(seed)
here = os.path.dirname(os.path.abspath(__file__))
out = open(out_path, "wb")
out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
for f in sorted(glob.glob(os.path.join(here, "..", "*.pcap"))):
    d = open(f, "rb").read()
    magic = struct.unpack("<I", d[:4])[0]
    if magic not in (0xa1b2c3d4, 0xa1b23c4d) or struct.unpack("<I", d[20:24])[0] != 1:
        continue
    i = 24
    while i + 16 <= len(d):
        s, frac, cl, wl = struct.unpack("<IIII", d[i:i + 16])
        data = bytearray(d[i + 16:i + 16 + cl])
        i += 16 + cl
        if magic == 0xa1b23c4d:
            frac //= 1000
        for _ in range(3):
            p = bytearray(data)
            if mode == "trunc":
                p = p[:random.randint(14, len(p))]
            else:
                for _ in range(random.randint(1, 3)):
                    j = random.randint(14, len(p) - 1) if len(p) > 14 else 0
                    p[j] = random.randint(0, 255)
            out.write(struct.pack("<IIII", s, frac, len(p), wl) + p)
