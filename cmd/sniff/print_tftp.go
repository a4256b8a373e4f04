package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
)

// TFTP (tcpdump's print-tftp.c; gopacket has no layer): the request to
// port 69; the transfer on other ports prints as UDP, as in tcpdump.

var tftpOps = []string{1: "RRQ", 2: "WRQ", 3: "DATA", 4: "ACK", 5: "ERROR", 6: "OACK"}

var tftpErrors = []string{"EUNDEF", "ENOTFOUND", "EACCESS", "ENOSPACE", "EBADOP", "EBADID", "EEXISTS", "ENOUSER"}

func printTFTP(c *pctx, p []byte) {
	b := c.b
	n := min(c.length, len(p))
	fmt.Fprintf(b, "TFTP, length %d", c.length)
	if n < 2 {
		b.WriteString(" [|tftp]")
		return
	}
	op := binary.BigEndian.Uint16(p)
	if int(op) >= len(tftpOps) || tftpOps[op] == "" {
		fmt.Fprintf(b, ", tftp-#%d", op)
		return
	}
	b.WriteString(", " + tftpOps[op])
	p = p[2:n]
	switch op {
	case 1, 2, 6:
		if op != 6 {
			if len(p) == 0 {
				b.WriteString(" [|tftp]")
				return
			}
			k := quotedZ(b, p)
			if k == 0 {
				return
			}
			p = p[k:]
			if len(p) == 0 {
				b.WriteString(" [|tftp]")
				return
			}
			b.WriteByte(' ')
			if k = printZ(b, p); k == 0 {
				b.WriteString(" [|tftp]")
				return
			}
			p = p[k:]
		}
		for len(p) > 0 {
			if p[0] != 0 {
				b.WriteByte(' ')
			}
			k := printZ(b, p)
			if k == 0 {
				b.WriteString(" [|tftp]")
				return
			}
			p = p[k:]
		}
	case 3, 4:
		if len(p) < 2 {
			b.WriteString(" [|tftp]")
			return
		}
		fmt.Fprintf(b, " block %d", binary.BigEndian.Uint16(p))
	case 5:
		if len(p) < 2 {
			b.WriteString(" [|tftp]")
			return
		}
		if e := binary.BigEndian.Uint16(p); int(e) < len(tftpErrors) {
			b.WriteString(" " + tftpErrors[e])
		} else {
			fmt.Fprintf(b, " tftp-err-#%d \"", e)
		}
		p = p[2:]
		if len(p) == 0 {
			b.WriteString(" [|tftp]")
			return
		}
		quotedZ(b, p)
	}
}

// quotedZ prints the NUL-terminated string at p in quotes after a space
// and returns its length with the NUL; 0, with tcpdump's mark, when p
// has no NUL.
func quotedZ(b *strings.Builder, p []byte) int {
	b.WriteString(" \"")
	k := printZ(b, p)
	b.WriteByte('"')
	if k == 0 {
		b.WriteString(" [|tftp]")
	}
	return k
}

// printZ prints the NUL-terminated string at p (tcpdump's nd_printztn)
// and returns its length with the NUL, 0 when p has no NUL.
func printZ(b *strings.Builder, p []byte) int {
	i := bytes.IndexByte(p, 0)
	if i < 0 {
		fnPrint(b, p)
		return 0
	}
	fnPrint(b, p[:i])
	return i + 1
}
