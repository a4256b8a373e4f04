package main

import (
	"bytes"
	"fmt"
	"strings"
)

// IEEE 802.1X EAPOL (ethertype 0x888e) and the EAP packets it carries
// (tcpdump 4.99's print-eap.c): the frame type, version and length; with
// -v the EAP code, id, length and type, with the identity, notification,
// NAK's types, TLS/TTLS/FAST flags and SIM/AKA subtype. RADIUS's
// EAP-Message attributes are printed with eapPrint too. gopacket's EAPOL
// and EAP layers reject what tcpdump prints in part, so the fields are
// read here.

var eapolTypes = map[byte]string{0: "EAP packet", 1: "EAPOL start", 2: "EAPOL logoff", 3: "EAPOL key", 4: "Encapsulated ASF alert"}

var eapCodes = map[byte]string{1: "Request", 2: "Response", 3: "Success", 4: "Failure"}

var eapTypes = map[byte]string{0: "No proposed", 1: "Identity", 2: "Notification", 3: "Nak", 4: "MD5-challenge",
	5: "OTP", 6: "GTC", 13: "TLS", 18: "SIM", 21: "TTLS", 23: "AKA", 43: "FAST", 254: "Expanded types", 255: "Experimental"}

var eapTLSFlags = []bitName{{0x80, "L bit"}, {0x40, "More fragments bit"}, {0x20, "Start bit"}}

var eapAKASubtypes = map[byte]string{1: "Challenge", 2: "Auth reject", 4: "Sync failure", 5: "Identity", 10: "Start",
	11: "Challenge", 12: "Notification", 13: "Reauth", 14: "Client error"}

func printEAPOL(c *pctx, p []byte) {
	c.f["proto"] = "EAPOL"
	proto := "eap"
	defer ndCatch(c, &proto)
	f := ndBuf(p)
	f.need(0, 4)
	typ := byte(f.u8(1))
	fmt.Fprintf(c.b, "%s (%d) v%d, len %d", tokOr(eapolTypes, typ, "unknown"), typ, f.u8(0), f.u16(2))
	if !c.verbose || typ != 0 {
		return
	}
	n := int(f.u16(2))
	if n == 0 {
		panic(ndTrunc{})
	}
	c.b.WriteString(", ")
	eapPrint(c, f[4:], n)
}

// eapPrint prints an EAP packet of length bytes (tcpdump's eap_print),
// under the caller's ndCatch; a read past the capture is marked with the
// caller's protocol, as tcpdump 4.99.3's eap_print leaves it.
func eapPrint(c *pctx, f ndBuf, length int) {
	b := c.b
	code := byte(f.u8(0))
	n := int(f.u16(2))
	if n != length {
		b.WriteString("EAP fragment?")
		return
	}
	fmt.Fprintf(b, "%s (%d), id %d, len %d", tokOr(eapCodes, code, "unknown"), code, f.u8(1), n)
	if n < 4 {
		b.WriteString(" (too short for EAP header)")
		return
	}
	f.need(0, n)
	if code != 1 && code != 2 {
		return
	}
	if n < 5 {
		b.WriteString(" (too short for EAP request/response)")
		return
	}
	typ := byte(f.u8(4))
	fmt.Fprintf(b, "\n\t\t Type %s (%d)", tokOr(eapTypes, typ, "unknown"), typ)
	tlsFlags := func(what string) bool {
		if n < 6 {
			fmt.Fprintf(b, " (too short for EAP %s request/response)", what)
			return false
		}
		fl := f.u8(5)
		switch typ {
		case 21:
			fmt.Fprintf(b, " TTLSv%d", fl&7)
		case 43:
			fmt.Fprintf(b, " FASTv%d", fl&7)
		}
		fmt.Fprintf(b, " flags [%s] 0x%02x", flagNames(uint32(fl), eapTLSFlags), fl)
		if fl&0x80 != 0 {
			if n < 10 {
				fmt.Fprintf(b, " (too short for EAP %s request/response with length)", what)
				return false
			}
			fmt.Fprintf(b, ", len %d", f.u32(6))
		}
		return true
	}
	switch typ {
	case 1:
		if n > 5 {
			b.WriteString(", Identity: ")
			printJNP(b, f[5:n])
		}
	case 2:
		if n < 6 {
			b.WriteString(" (too short for EAP Notification request/response)")
			return
		}
		b.WriteString(", Notification: ")
		printJNP(b, f[5:n])
	case 3:
		if n < 6 {
			b.WriteString(" (too short for EAP Legacy NAK request/response)")
			return
		}
		sep := ""
		for _, t := range f[5:n] {
			fmt.Fprintf(b, "%s %s (%d)", sep, tokOr(eapTypes, t, "unknown"), t)
			sep = ","
		}
	case 13, 21:
		tlsFlags("TLS/TTLS")
	case 43:
		tlsFlags("FAST")
	case 18, 23:
		if n < 6 {
			b.WriteString(" (too short for EAP SIM/AKA request/response)")
			return
		}
		st := byte(f.u8(5))
		fmt.Fprintf(b, " subtype [%s] 0x%02x", tokOr(eapAKASubtypes, st, "unknown"), st)
	}
}

// printJNP writes a NUL-padded string as tcpdump's nd_printjnp: up to the
// first NUL, each byte as fn_print_char does.
func printJNP(b *strings.Builder, d []byte) {
	if i := bytes.IndexByte(d, 0); i >= 0 {
		d = d[:i]
	}
	fnPrint(b, d)
}
