package main

import "fmt"

// SOME/IP on UDP port 30490 (tcpdump 4.99's print-someip.c): the header's
// fields on one line, which tcpdump ends with a newline of its own (an
// empty line after each packet). gopacket has no SOME/IP layer.

var someipTypes = map[uint32]string{0x00: "REQUEST", 0x01: "REQUEST_NO_RETURN", 0x02: "NOTIFICATION",
	0x80: "RESPONSE", 0x81: "ERROR", 0x20: "TP_REQUEST", 0x21: "TP_REQUEST_NO_RETURN",
	0x22: "TP_NOTIFICATION", 0xa0: "TP_RESPONSE", 0xa1: "TP_ERROR"}

var someipCodes = map[uint32]string{0x00: "E_OK", 0x01: "E_NOT_OK", 0x02: "E_UNKNOWN_SERVICE",
	0x03: "E_UNKNOWN_METHOD", 0x04: "E_NOT_READY", 0x05: "E_NOT_REACHABLE", 0x06: "E_TIMEOUT",
	0x07: "E_WRONG_PROTOCOL_VERSION", 0x08: "E_WRONG_INTERFACE_VERSION", 0x09: "E_MALFORMED_MESSAGE",
	0x0a: "E_WRONG_MESSAGE_TYPE", 0x0b: "E_E2E_REPEATED", 0x0c: "E_E2E_WRONG_SEQUENCE", 0x0d: "E_E2E",
	0x0e: "E_E2E_NOT_AVAILABLE", 0x0f: "E_E2E_NO_NEW_DATA"}

func printSOMEIP(c *pctx, p []byte) {
	b := c.b
	c.f["proto"] = "SOMEIP"
	proto := "someip"
	defer ndCatch(c, &proto)
	f := ndBuf(p)
	b.WriteString("SOMEIP")
	if c.length < 16 {
		b.WriteString(" (invalid)")
		return
	}
	id := f.u32(0)
	kind := "method"
	if id&0x8000 != 0 {
		kind = "event"
	}
	fmt.Fprintf(b, ", service %d, %s %d", id>>16, kind, id&0x7fff)
	fmt.Fprintf(b, ", len %d", f.u32(4))
	fmt.Fprintf(b, ", client %d, session %d", f.u16(8), f.u16(10))
	fmt.Fprintf(b, ", pver %d", f.u8(12))
	fmt.Fprintf(b, ", iver %d", f.u8(13))
	fmt.Fprintf(b, ", msgtype %s", tok(someipTypes, f.u8(14), "Unknown"))
	fmt.Fprintf(b, ", retcode %s\n", tok(someipCodes, f.u8(15), "Unknown"))
}
