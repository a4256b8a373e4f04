package main

import (
	"fmt"
	"strings"
)

// SNMP v1 and v2c (tcpdump's print-snmp.c, built without libsmi: object
// identifiers print as numbers). gopacket has no SNMP layer; the BER
// reader is here.

// berElem is one BER element: its class (0 universal, 1 application, 2
// context), whether it is constructed, its tag and its contents.
type berElem struct {
	class, tag  byte
	constructed bool
	data        []byte
}

// berNext reads the element at p and returns it and what follows.
func berNext(p []byte) (e berElem, rest []byte, ok bool) {
	if len(p) < 2 {
		return e, nil, false
	}
	e.class, e.constructed, e.tag = p[0]>>6, p[0]&0x20 != 0, p[0]&0x1f
	if e.tag == 0x1f {
		return e, nil, false // multi-byte tags: not in SNMP
	}
	n, i := int(p[1]), 2
	if n&0x80 != 0 {
		k := n & 0x7f
		if k == 0 || k > 3 || len(p) < 2+k {
			return e, nil, false
		}
		n = 0
		for _, x := range p[2 : 2+k] {
			n = n<<8 | int(x)
		}
		i += k
	}
	if len(p)-i < n {
		return e, nil, false
	}
	e.data = p[i : i+n]
	return e, p[i+n:], true
}

func berInt(d []byte) int64 {
	var v int64
	for i, x := range d {
		if i == 0 && x&0x80 != 0 {
			v = -1
		}
		v = v<<8 | int64(x)
	}
	return v
}

func berUint(d []byte) uint64 {
	var v uint64
	for _, x := range d {
		v = v<<8 | uint64(x)
	}
	return v
}

func berOID(b *strings.Builder, d []byte) {
	first := true
	var v uint64
	for _, x := range d {
		v = v<<7 | uint64(x&0x7f)
		if x&0x80 != 0 {
			continue
		}
		if first {
			fmt.Fprintf(b, ".%d.%d", v/40, v%40)
			first = false
		} else {
			fmt.Fprintf(b, ".%d", v)
		}
		v = 0
	}
}

// berValue prints a varbind's value as tcpdump's asn1_print does.
func berValue(b *strings.Builder, e berElem) {
	switch {
	case e.class == 0 && e.tag == 2:
		fmt.Fprintf(b, "%d", berInt(e.data))
	case e.class == 0 && e.tag == 4:
		printable := true
		for _, x := range e.data {
			if x < 0x20 || x >= 0x7f {
				printable = false
				break
			}
		}
		if printable {
			b.WriteByte('"')
			b.Write(e.data)
			b.WriteByte('"')
			return
		}
		for i, x := range e.data {
			if i > 0 {
				b.WriteByte('_')
			}
			fmt.Fprintf(b, "%.2x", x)
		}
	case e.class == 0 && e.tag == 5:
		b.WriteString("NULL")
	case e.class == 0 && e.tag == 6:
		berOID(b, e.data)
	case e.class == 1 && e.tag == 0 && len(e.data) == 4: // IpAddress
		fmt.Fprintf(b, "%d.%d.%d.%d", e.data[0], e.data[1], e.data[2], e.data[3])
	case e.class == 1 && (e.tag >= 1 && e.tag <= 3 || e.tag == 6): // Counter, Gauge, TimeTicks, Counter64
		fmt.Fprintf(b, "%d", berUint(e.data))
	case e.class == 2 && !e.constructed && e.tag <= 2:
		b.WriteString([]string{"[noSuchObject]", "[noSuchInstance]", "[endOfMibView]"}[e.tag])
	default:
		fmt.Fprintf(b, "[%d bytes]", len(e.data))
	}
}

var snmpPDUs = []string{"GetRequest", "GetNextRequest", "GetResponse", "SetRequest", "Trap", "GetBulk", "Inform", "V2Trap", "Report"}

var snmpErrors = []string{"noError", "tooBig", "noSuchName", "badValue", "readOnly", "genErr", "noAccess",
	"wrongType", "wrongLength", "wrongEncoding", "wrongValue", "noCreation", "inconsistentValue",
	"resourceUnavailable", "commitFailed", "undoFailed", "authorizationError", "notWritable", "inconsistentName"}

func snmpError(v int64) string {
	if v >= 0 && int(v) < len(snmpErrors) {
		return snmpErrors[v]
	}
	return fmt.Sprintf("err=%d", v)
}

func printSNMP(c *pctx, p []byte) {
	b := c.b
	b.WriteByte(' ')
	msg, _, ok := berNext(p[:min(len(p), c.length)])
	if !ok || msg.tag != 16 {
		b.WriteString(" [|snmp]")
		return
	}
	ver, rest, ok := berNext(msg.data)
	if !ok || ver.tag != 2 {
		b.WriteString(" [|snmp]")
		return
	}
	v := berInt(ver.data)
	if v != 0 && v != 1 {
		fmt.Fprintf(b, "[version = %d]", v)
		return
	}
	if c.verbose {
		b.WriteString([]string{"{ SNMPv1 ", "{ SNMPv2c "}[v])
	}
	comm, rest, ok := berNext(rest)
	if !ok || comm.tag != 4 {
		b.WriteString(" [|snmp]")
		return
	}
	if string(comm.data) != "public" {
		b.WriteString(`C="`)
		fnPrint(b, comm.data)
		b.WriteString(`" `)
	}
	pdu, _, ok := berNext(rest)
	if !ok || pdu.class != 2 || int(pdu.tag) >= len(snmpPDUs) {
		b.WriteString(" [|snmp]")
		return
	}
	if c.verbose {
		b.WriteString("{ ")
	}
	id := pdu.tag
	fmt.Fprintf(b, "%s(%d) ", snmpPDUs[id], len(pdu.data))
	if id == 4 { // a v1 trap has other fields
		if c.verbose {
			b.WriteString(" } } ")
		}
		return
	}
	var f [3]berElem
	q := pdu.data
	for i := range f {
		if f[i], q, ok = berNext(q); !ok || f[i].tag != 2 {
			b.WriteString(" [|snmp]")
			return
		}
	}
	if c.verbose {
		fmt.Fprintf(b, "R=%d ", berInt(f[0].data))
	}
	get := id == 0 || id == 1 || id == 3
	errStatus, errIndex := berInt(f[1].data), berInt(f[2].data)
	switch {
	case get && errStatus != 0:
		fmt.Fprintf(b, "[errorStatus(%s)!=0]", snmpError(errStatus))
	case id == 5:
		fmt.Fprintf(b, " N=%d", errStatus)
	case errStatus != 0:
		fmt.Fprintf(b, " %s", snmpError(errStatus))
	}
	switch {
	case get && errIndex != 0:
		fmt.Fprintf(b, "[errorIndex(%d)!=0]", errIndex)
	case id == 5:
		fmt.Fprintf(b, " M=%d", errIndex)
	case errIndex != 0 && errStatus == 0:
		fmt.Fprintf(b, "[errorIndex(%d) w/o errorStatus]", errIndex)
	case errIndex != 0:
		fmt.Fprintf(b, "@%d", errIndex)
	case errStatus != 0:
		b.WriteString("[errorIndex==0]")
	}
	list, _, ok := berNext(q)
	if !ok || list.tag != 16 {
		b.WriteString(" [|snmp]")
		return
	}
	for vbs := list.data; len(vbs) > 0; {
		var vb, name, val berElem
		if vb, vbs, ok = berNext(vbs); !ok {
			b.WriteString(" [|snmp]")
			return
		}
		var r []byte
		if name, r, ok = berNext(vb.data); !ok || name.tag != 6 {
			b.WriteString(" [|snmp]")
			return
		}
		b.WriteByte(' ')
		berOID(b, name.data)
		if id != 0 && id != 1 && id != 5 {
			if val, _, ok = berNext(r); !ok {
				b.WriteString(" [|snmp]")
				return
			}
			b.WriteByte('=')
			berValue(b, val)
		}
	}
	if c.verbose {
		b.WriteString(" } } ")
	}
}
