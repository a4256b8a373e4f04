package main

import (
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// NTP (tcpdump's print-ntp.c and ntp.c). gopacket's NTP layer decodes
// the header but tcpdump's -v text needs the raw timestamps, so the
// message is read here.

var ntpModes = []string{"Unspecified", "Symmetric Active", "Symmetric Passive", "Client", "Server",
	"Broadcast", "Control Message", "Reserved"}

func printNTP(c *pctx, p []byte) {
	b := c.b
	if len(p) < 1 {
		b.WriteString(" [|ntp]")
		return
	}
	mode := p[0] & 7
	fmt.Fprintf(b, "NTPv%d, %s, length %d", p[0]>>3&7, ntpModes[mode], c.length)
	if !c.verbose || mode == 6 || mode == 7 {
		return
	}
	if c.length < 48 {
		b.WriteString(" (invalid)")
		return
	}
	if len(p) < 48 {
		b.WriteString(" [|ntp]")
		return
	}
	b.WriteByte('\n')
	li := p[0] & 0xc0
	liName := map[byte]string{0: "", 0x40: "+1s", 0x80: "-1s", 0xc0: "clock unsynchronized"}[li]
	stratum := p[1]
	sName := "reserved"
	switch {
	case stratum == 0:
		sName = "unspecified"
	case stratum == 1:
		sName = "primary reference"
	case stratum <= 15:
		sName = "secondary reference"
	}
	fmt.Fprintf(b, "\tLeap indicator: %s (%d), Stratum %d (%s)", liName, li, stratum, sName)
	poll := int8(p[2])
	fmt.Fprintf(b, ", poll %d", poll)
	switch {
	case poll <= -32 || poll >= 32:
	case poll >= 0:
		fmt.Fprintf(b, " (%ds)", uint32(1)<<poll)
	default:
		fmt.Fprintf(b, " (1/%ds)", uint32(1)<<-poll)
	}
	fmt.Fprintf(b, ", precision %d", int8(p[3]))
	b.WriteString("\n\tRoot Delay: ")
	ntpShort(b, p[4:])
	b.WriteString(", Root dispersion: ")
	ntpShort(b, p[8:])
	b.WriteString(", Reference-ID: ")
	switch stratum {
	case 0:
		b.WriteString("(unspec)")
	case 1:
		fnPrint(b, []byte(strings.TrimRight(string(p[12:16]), "\x00")))
	default:
		fmt.Fprintf(b, "0x%08x", binary.BigEndian.Uint32(p[12:]))
	}
	for _, ts := range []struct {
		name string
		off  int
	}{{"Reference Timestamp:  ", 16}, {"Originator Timestamp: ", 24}, {"Receive Timestamp:    ", 32}, {"Transmit Timestamp:   ", 40}} {
		b.WriteString("\n\t  " + ts.name)
		ntpTime(b, p[ts.off:])
	}
	b.WriteString("\n\t    Originator - Receive Timestamp:  ")
	ntpDelta(b, p[24:], p[32:])
	b.WriteString("\n\t    Originator - Transmit Timestamp: ")
	ntpDelta(b, p[24:], p[40:])
	switch n := c.length; {
	case n == 52 && len(p) >= 52:
		fmt.Fprintf(b, "\n\tKey id: %d", binary.BigEndian.Uint32(p[48:]))
	case (n == 68 || n == 72) && len(p) >= n:
		fmt.Fprintf(b, "\n\tKey id: %d", binary.BigEndian.Uint32(p[48:]))
		b.WriteString("\n\tAuthentication: ")
		for i := 52; i < n; i += 4 {
			fmt.Fprintf(b, "%08x", binary.BigEndian.Uint32(p[i:]))
		}
	case n > 48:
		fmt.Fprintf(b, "\n\t(%d more bytes after the header)", n-48)
	}
}

// ntpShort is a 16.16 fixed-point number (tcpdump's p_sfix).
func ntpShort(b *strings.Builder, p []byte) {
	i, f := binary.BigEndian.Uint16(p), binary.BigEndian.Uint16(p[2:])
	fmt.Fprintf(b, "%d.%06d", i, uint32(float64(f)/65536.0*1000000.0))
}

// ntpEpoch is the NTP era 0 time of the Unix epoch (JAN_1970).
const ntpEpoch = 2208988800

// ntpTime is a 32.32 timestamp and, when not zero, its UTC date
// (tcpdump's p_ntp_time).
func ntpTime(b *strings.Builder, p []byte) {
	i, uf := binary.BigEndian.Uint32(p), binary.BigEndian.Uint32(p[4:])
	f := uint32(float64(uf) / 4294967296.0 * 1000000000.0)
	fmt.Fprintf(b, "%d.%09d", i, f)
	if i != 0 {
		t := time.Unix(int64(i)-ntpEpoch, 0).UTC()
		b.WriteString(" (" + t.Format("2006-01-02T15:04:05Z") + ")")
	}
}

// ntpDelta is the signed difference of two timestamps (tcpdump's
// p_ntp_delta); against a zero origin it is the timestamp itself.
func ntpDelta(b *strings.Builder, origin, p []byte) {
	ou, ouf := binary.BigEndian.Uint32(origin), binary.BigEndian.Uint32(origin[4:])
	u, uf := binary.BigEndian.Uint32(p), binary.BigEndian.Uint32(p[4:])
	if ou == 0 && ouf == 0 {
		ntpTime(b, p)
		return
	}
	i := int32(u - ou)
	var f uint32
	neg := false
	switch {
	case i > 0:
		f = uf - ouf
		if ouf > uf {
			i--
		}
	case i < 0:
		neg = true
		f = ouf - uf
		if uf > ouf {
			i++
		}
		i = -i
	default:
		if uf > ouf {
			f = uf - ouf
		} else {
			neg = true
			f = ouf - uf
		}
	}
	sign := "+"
	if neg {
		sign = "-"
	}
	fmt.Fprintf(b, "%s%d.%09d", sign, uint32(i), uint32(float64(f)/4294967296.0*1000000000.0))
}
