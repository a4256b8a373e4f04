package main

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/gopacket/gopacket/layers"
)

// SocketCAN frames (tcpdump has no printer; the format is sniff's, as
// candump's).

func printCAN(c *pctx, data []byte) {
	c.b.WriteString(canText(data, c.f))
}

// canText decodes a LINKTYPE_CAN_SOCKETCAN frame (identifier in network
// order, as libpcap writes it).
func canText(p []byte, f map[string]any) string {
	if len(p) < 8 {
		return fmt.Sprintf("CAN [|can] length %d", len(p))
	}
	id := binary.BigEndian.Uint32(p)
	n := min(int(p[4]), len(p)-8)
	kind := "CAN"
	if p[5]&0x04 != 0 || n > 8 {
		kind = "CANFD"
	}
	f["can_id"], f["proto"] = id&0x1fffffff, kind
	var b strings.Builder
	switch {
	case id&0x80000000 != 0:
		fmt.Fprintf(&b, "%s id 0x%08x (EFF)", kind, id&0x1fffffff)
	default:
		fmt.Fprintf(&b, "%s id 0x%03x", kind, id&0x7ff)
	}
	if id&0x40000000 != 0 {
		b.WriteString(" RTR")
	}
	if id&0x20000000 != 0 {
		b.WriteString(" ERR")
	}
	fmt.Fprintf(&b, " [%d] %s", n, strings.ToUpper(hex.EncodeToString(p[8:8+n])))
	return b.String()
}

// linkTypeCAN is LINKTYPE_CAN_SOCKETCAN (pcap-linktype(7)); gopacket has no
// name for it.
const linkTypeCAN layers.LinkType = 227
