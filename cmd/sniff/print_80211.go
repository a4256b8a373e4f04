package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/bits"
	"net"
	"strconv"
	"strings"

	"github.com/gopacket/gopacket/layers"
)

// IEEE 802.11 with and without a radiotap header (tcpdump 4.99's
// print-802_11.c, link types 127 and 105): the radiotap fields, then
// with -e the 802.11 header's addresses (and with -v its flags and
// duration), then the frame: management frames with their SSID, rates,
// channel, status and reason codes, control frames, data frames through
// LLC/SNAP to the ethertype's printer, protected frames' IV. gopacket's
// Dot11 layers reject malformed frames tcpdump prints: read here through
// ndBuf. Not done: the mesh header (tcpdump's -H), AVS and Prism headers.

// le16 and le32 read little-endian fields (GET_LE_U_2, GET_LE_U_4).
func (p ndBuf) le16(o int) uint32 { p.need(o, 2); return uint32(binary.LittleEndian.Uint16(p[o:])) }

func (p ndBuf) le32(o int) uint32 { p.need(o, 4); return binary.LittleEndian.Uint32(p[o:]) }

// mac is GET_ETHERADDR_STRING with -n.
func (p ndBuf) mac(o int) string { return net.HardwareAddr(p.bytes(o, 6)).String() }

// printRadiotap is ieee802_11_radio_print.
func printRadiotap(c *pctx, data []byte) {
	proto := "802.11_radio"
	defer ndCatch(c, &proto)
	p, b := ndBuf(data), c.b
	caplen := len(data)
	c.s.payload = nil // -x: what follows the link headers tcpdump read
	if caplen < 8 {
		b.WriteString(" [|" + proto + "]")
		return
	}
	hlen := int(p.le16(2))
	if hlen < 8 || caplen < hlen {
		b.WriteString(" [|" + proto + "]")
		return
	}
	last := 4
	for last+4 <= hlen && p.le32(last)&0x80000000 != 0 {
		last += 4
	}
	if last+4 > hlen {
		b.WriteString(" [|" + proto + "]")
		return
	}
	rt := &radiotap{c: c, p: p[:hlen], off: last + 4}
	bit0, vendor, skip := 0, false, 0
	for w := 4; w <= last; w += 4 {
		present := p.le32(w)
		if vendor {
			if !rt.advance(skip) {
				break
			}
			skip = 0
		} else if !rt.namespace(present, bit0) {
			break
		}
		switch present & (1<<29 | 1<<30) {
		case 0:
			bit0 += 32
		case 1 << 29:
			bit0, vendor, skip = 0, false, 0
		case 1 << 30:
			bit0, vendor = 0, true
			if !rt.align(2) || !rt.has(6) {
				b.WriteString(" [|" + proto + "]")
				break
			}
			skip = int(binary.LittleEndian.Uint16(rt.p[rt.off+4:]))
			rt.off += 6
		}
	}
	pad := rt.flags&0x20 != 0
	fcs := 0
	if rt.flags&0x10 != 0 {
		fcs = 4
	}
	proto = "802.11"
	dot11(c, p[hlen:], c.length-hlen, pad, fcs)
}

// print80211 is ieee802_11_if_print: 802.11 without a radio header.
func print80211(c *pctx, data []byte) {
	proto := "802.11"
	defer ndCatch(c, &proto)
	dot11(c, ndBuf(data), c.length, false, 0)
}

// radiotap is tcpdump's cpack state over the radiotap header: fields are
// aligned to their size from the header's start.
type radiotap struct {
	c     *pctx
	p     ndBuf
	off   int
	flags uint8
}

func (r *radiotap) align(n int) bool {
	o := (r.off + n - 1) &^ (n - 1)
	if o+n > len(r.p) {
		return false
	}
	r.off = o
	return true
}

func (r *radiotap) has(n int) bool { return r.off+n <= len(r.p) }

func (r *radiotap) advance(n int) bool {
	if r.off+n > len(r.p) {
		return false
	}
	r.off += n
	return true
}

// field reads an n-byte little-endian field, aligned; false when the
// header ends first.
func (r *radiotap) field(n int) (uint64, bool) {
	if !r.align(n) {
		return 0, false
	}
	var v uint64
	for i := n - 1; i >= 0; i-- {
		v = v<<8 | uint64(r.p[r.off+i])
	}
	r.off += n
	return v, true
}

// namespace is print_in_radiotap_namespace; false on a fatal error.
func (r *radiotap) namespace(present uint32, bit0 int) bool {
	for pr := present; pr != 0; pr &= pr - 1 {
		bitno := bits.TrailingZeros32(pr)
		if bitno >= 29 {
			break
		}
		if !r.print(bit0+bitno, present) {
			return false
		}
	}
	return true
}

var htBandwidths = [4]string{"20 MHz", "40 MHz", "20 MHz (L)", "20 MHz (U)"}

// print is print_radiotap_field; false when the field is cut short or
// unknown (its size unknown, the rest cannot be read).
func (r *radiotap) print(bit int, present uint32) bool {
	b := r.c.b
	var sizes []int
	if bit >= 0 && bit < len(radiotapSizes) {
		sizes = radiotapSizes[bit]
	}
	if sizes == nil {
		fmt.Fprintf(b, "[bit %d] ", bit)
		return false
	}
	var v [10]uint64
	for i, n := range sizes {
		x, ok := r.field(n)
		if !ok {
			b.WriteString(" [|802.11_radio]")
			return false
		}
		v[i] = x
	}
	switch bit {
	case 0:
		writeUint(b, v[0])
		b.WriteString("us tsft ")
	case 1:
		f := uint8(v[0])
		r.flags = f
		for _, n := range []struct {
			bit  uint8
			name string
		}{{0x01, "cfp "}, {0x02, "short preamble "}, {0x04, "wep "}, {0x08, "fragmented "}, {0x40, "bad-fcs "}} {
			if f&n.bit != 0 {
				b.WriteString(n.name)
			}
		}
	case 2:
		if v[0] >= 0x80 && v[0] <= 0x8f {
			b.WriteString("MCS ")
			writeUint(b, v[0]&0x7f)
			b.WriteByte(' ')
		} else {
			// %2.1f: the width never pads "0.5" and longer
			writeFloat1(b, .5*float64(v[0]))
			b.WriteString(" Mb/s ")
		}
	case 3:
		if present&(1<<18) == 0 {
			chanInfo(b, uint16(v[0]), uint32(v[1]), present)
		}
	case 4:
		fmt.Fprintf(b, "fhset %d fhpat %d ", v[0], v[1])
	case 5:
		writeInt(b, int64(int8(v[0])))
		b.WriteString("dBm signal ")
	case 6:
		writeInt(b, int64(int8(v[0])))
		b.WriteString("dBm noise ")
	case 7:
		fmt.Fprintf(b, "%d sq ", v[0])
	case 8:
		fmt.Fprintf(b, "%d tx power ", -int(int16(v[0])))
	case 9:
		fmt.Fprintf(b, "%ddB tx attenuation ", -int(int8(v[0])))
	case 10:
		fmt.Fprintf(b, "%ddBm tx power ", int8(v[0]))
	case 11:
		b.WriteString("antenna ")
		writeUint(b, v[0])
		b.WriteByte(' ')
	case 12:
		writeUint(b, v[0])
		b.WriteString("dB signal ")
	case 13:
		writeUint(b, v[0])
		b.WriteString("dB noise ")
	case 18:
		chanInfo(b, uint16(v[1]), uint32(v[0]), present)
	case 19:
		known, flags, mcs := v[0], v[1], v[2]
		if known&0x02 != 0 {
			var rate float32
			if mcs <= 76 && known&(0x01|0x04) != 0 {
				w, gi := 0, 0
				if flags&0x03 == 1 {
					w = 1
				}
				if flags&0x04 != 0 {
					gi = 1
				}
				rate = htRates[mcs][w][gi]
			}
			if rate != 0 {
				fmt.Fprintf(b, "%s Mb/s MCS %d ", strconv.FormatFloat(float64(rate), 'f', 1, 64), mcs)
			} else {
				fmt.Fprintf(b, "MCS %d ", mcs)
			}
		}
		if known&0x01 != 0 {
			b.WriteString(htBandwidths[flags&0x03] + " ")
		}
		if known&0x04 != 0 {
			b.WriteString(pick(flags&0x04 != 0, "short GI ", "long GI "))
		}
		if known&0x08 != 0 {
			b.WriteString(pick(flags&0x08 != 0, "greenfield ", "mixed "))
		}
		if known&0x10 != 0 {
			b.WriteString(pick(flags&0x10 != 0, "LDPC FEC ", "BCC FEC "))
		}
		if known&0x20 != 0 {
			fmt.Fprintf(b, "RX-STBC%d ", (flags&0x60)>>5)
		}
	case 21:
		known, flags, bw, coding := v[0], v[1], v[2], v[7]
		for i := 0; i < 4; i++ {
			nss, mcs := v[3+i]&0x0f, (v[3+i]&0xf0)>>4
			if nss == 0 {
				continue
			}
			fmt.Fprintf(b, "User %d MCS %d ", i, mcs)
			b.WriteString(pick(coding&(1<<i) != 0, "LDPC FEC ", "BCC FEC "))
		}
		if known&0x40 != 0 {
			b.WriteString(vhtBandwidth(int(bw&0x1f)) + " ")
		}
		if known&0x04 != 0 {
			b.WriteString(pick(flags&0x04 != 0, "short GI ", "long GI "))
		}
	}
	return true
}

// radiotapSizes: the sizes of each part of a radiotap field, in order, by
// its bit; nil for a field whose size sniff does not know.
var radiotapSizes = [...][]int{0: {8}, 1: {1}, 2: {1}, 3: {2, 2}, 4: {1, 1}, 5: {1}, 6: {1}, 7: {2}, 8: {2}, 9: {1},
	10: {1}, 11: {1}, 12: {1}, 13: {1}, 14: {2}, 18: {4, 2, 1, 1}, 19: {1, 1, 1}, 20: {4, 2, 1, 1},
	21: {2, 1, 1, 1, 1, 1, 1, 1, 1, 2}}

// pick is a if cond, else b.
func pick(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}

// writeUint, writeInt and writeFloat1 write %d and %.1f without fmt.
func writeUint(b *strings.Builder, v uint64) {
	var buf [20]byte
	b.Write(strconv.AppendUint(buf[:0], v, 10))
}

func writeInt(b *strings.Builder, v int64) {
	var buf [20]byte
	b.Write(strconv.AppendInt(buf[:0], v, 10))
}

func writeFloat1(b *strings.Builder, v float64) {
	var buf [32]byte
	b.Write(strconv.AppendFloat(buf[:0], v, 'f', 1, 64))
}

func vhtBandwidth(i int) string {
	names := []string{"20 MHz", "40 MHz", "20 MHz (L)", "20 MHz (U)", "80 MHz", "80 MHz (L)", "80 MHz (U)",
		"80 MHz (LL)", "80 MHz (LU)", "80 MHz (UL)", "80 MHz (UU)", "160 MHz", "160 MHz (L)", "160 MHz (U)",
		"160 MHz (LL)", "160 MHz (LU)", "160 MHz (UL)", "160 MHz (UU)", "160 MHz (LLL)", "160 MHz (LLU)",
		"160 MHz (LUL)", "160 MHz (UUU)", "160 MHz (ULL)", "160 MHz (ULU)", "160 MHz (UUL)", "160 MHz (UUU)"}
	if i < len(names) {
		return names[i]
	}
	return fmt.Sprintf("unknown (%d)", i)
}

// chanInfo is print_chaninfo.
func chanInfo(b *strings.Builder, freq uint16, flags, present uint32) {
	writeUint(b, uint64(freq))
	b.WriteString(" MHz")
	is := func(m uint32) bool { return flags&m == m }
	if present&(1<<19) != 0 {
		b.WriteString(" 11n")
	} else {
		if is(0x0080 | 0x0800) {
			b.WriteString(" FHSS")
		}
		// the name, then a half or quarter rate channel's width
		width := func(name string) {
			b.WriteString(name)
			switch {
			case flags&0x4000 != 0:
				b.WriteString("/10Mhz")
			case flags&0x8000 != 0:
				b.WriteString("/5Mhz")
			}
		}
		if is(0x0100 | 0x0040) {
			width(" 11a")
		}
		if is(0x0080|0x0040) || is(0x0080|0x0400) {
			width(" 11g")
		} else if is(0x0080 | 0x0020) {
			b.WriteString(" 11b")
		}
		if flags&0x0010 != 0 {
			b.WriteString(" Turbo")
		}
	}
	switch {
	case flags&0x10000 != 0:
		b.WriteString(" ht/20")
	case flags&0x40000 != 0:
		b.WriteString(" ht/40-")
	case flags&0x20000 != 0:
		b.WriteString(" ht/40+")
	}
	b.WriteString(" ")
}

// htRates is ieee80211_float_htrates: the rate of an MCS index at 20 and
// 40 MHz, with the long and the short guard interval.
var htRates = [77][2][2]float32{
	{{6.5, 7.2}, {13.5, 15.0}}, {{13.0, 14.4}, {27.0, 30.0}}, {{19.5, 21.7}, {40.5, 45.0}},
	{{26.0, 28.9}, {54.0, 60.0}}, {{39.0, 43.3}, {81.0, 90.0}}, {{52.0, 57.8}, {108.0, 120.0}},
	{{58.5, 65.0}, {121.5, 135.0}}, {{65.0, 72.2}, {135.0, 150.0}}, {{13.0, 14.4}, {27.0, 30.0}},
	{{26.0, 28.9}, {54.0, 60.0}}, {{39.0, 43.3}, {81.0, 90.0}}, {{52.0, 57.8}, {108.0, 120.0}},
	{{78.0, 86.7}, {162.0, 180.0}}, {{104.0, 115.6}, {216.0, 240.0}}, {{117.0, 130.0}, {243.0, 270.0}},
	{{130.0, 144.4}, {270.0, 300.0}}, {{19.5, 21.7}, {40.5, 45.0}}, {{39.0, 43.3}, {81.0, 90.0}},
	{{58.5, 65.0}, {121.5, 135.0}}, {{78.0, 86.7}, {162.0, 180.0}}, {{117.0, 130.0}, {243.0, 270.0}},
	{{156.0, 173.3}, {324.0, 360.0}}, {{175.5, 195.0}, {364.5, 405.0}}, {{195.0, 216.7}, {405.0, 450.0}},
	{{26.0, 28.9}, {54.0, 60.0}}, {{52.0, 57.8}, {108.0, 120.0}}, {{78.0, 86.7}, {162.0, 180.0}},
	{{104.0, 115.6}, {216.0, 240.0}}, {{156.0, 173.3}, {324.0, 360.0}}, {{208.0, 231.1}, {432.0, 480.0}},
	{{234.0, 260.0}, {486.0, 540.0}}, {{260.0, 288.9}, {540.0, 600.0}}, {{0.0, 0.0}, {6.0, 6.7}},
	{{39.0, 43.3}, {81.0, 90.0}}, {{52.0, 57.8}, {108.0, 120.0}}, {{65.0, 72.2}, {135.0, 150.0}},
	{{58.5, 65.0}, {121.5, 135.0}}, {{78.0, 86.7}, {162.0, 180.0}}, {{97.5, 108.3}, {202.5, 225.0}},
	{{52.0, 57.8}, {108.0, 120.0}}, {{65.0, 72.2}, {135.0, 150.0}}, {{65.0, 72.2}, {135.0, 150.0}},
	{{78.0, 86.7}, {162.0, 180.0}}, {{91.0, 101.1}, {189.0, 210.0}}, {{91.0, 101.1}, {189.0, 210.0}},
	{{104.0, 115.6}, {216.0, 240.0}}, {{78.0, 86.7}, {162.0, 180.0}}, {{97.5, 108.3}, {202.5, 225.0}},
	{{97.5, 108.3}, {202.5, 225.0}}, {{117.0, 130.0}, {243.0, 270.0}}, {{136.5, 151.7}, {283.5, 315.0}},
	{{136.5, 151.7}, {283.5, 315.0}}, {{156.0, 173.3}, {324.0, 360.0}}, {{65.0, 72.2}, {135.0, 150.0}},
	{{78.0, 86.7}, {162.0, 180.0}}, {{91.0, 101.1}, {189.0, 210.0}}, {{78.0, 86.7}, {162.0, 180.0}},
	{{91.0, 101.1}, {189.0, 210.0}}, {{104.0, 115.6}, {216.0, 240.0}}, {{117.0, 130.0}, {243.0, 270.0}},
	{{104.0, 115.6}, {216.0, 240.0}}, {{117.0, 130.0}, {243.0, 270.0}}, {{130.0, 144.4}, {270.0, 300.0}},
	{{130.0, 144.4}, {270.0, 300.0}}, {{143.0, 158.9}, {297.0, 330.0}}, {{97.5, 108.3}, {202.5, 225.0}},
	{{117.0, 130.0}, {243.0, 270.0}}, {{136.5, 151.7}, {283.5, 315.0}}, {{117.0, 130.0}, {243.0, 270.0}},
	{{136.5, 151.7}, {283.5, 315.0}}, {{156.0, 173.3}, {324.0, 360.0}}, {{175.5, 195.0}, {364.5, 405.0}},
	{{156.0, 173.3}, {324.0, 360.0}}, {{175.5, 195.0}, {364.5, 405.0}}, {{195.0, 216.7}, {405.0, 450.0}},
	{{195.0, 216.7}, {405.0, 450.0}}, {{214.5, 238.3}, {445.5, 495.0}},
}

var dot11AuthAlgs = []string{"Open System", "Shared Key", "EAP"}

var dot11Status = []string{"Successful", "Unspecified failure",
	"TDLS wakeup schedule rejected but alternative schedule provided", "TDLS wakeup schedule rejected", "Reserved",
	"Security disabled", "Unacceptable lifetime", "Not in same BSS", "Reserved", "Reserved",
	"Cannot Support all requested capabilities in the Capability Information field",
	"Reassociation denied due to inability to confirm that association exists",
	"Association denied due to reason outside the scope of this standard",
	"Responding STA does not support the specified authentication algorithm",
	"Received an Authentication frame with authentication transaction sequence number out of expected sequence",
	"Authentication rejected because of challenge failure",
	"Authentication rejected due to timeout waiting for next frame in sequence",
	"Association denied because AP is unable to handle additional associated STAs",
	"Association denied due to requesting STA not supporting all of the data rates in the BSSBasicRateSet parameter, the Basic HT-MCS Set field of the HT Operation parameter, or the Basic VHT-MCS and NSS Set field in the VHT Operation parameter",
	"Association denied due to requesting STA not supporting the short preamble option", "Reserved", "Reserved",
	"Association request rejected because Spectrum Management capability is required",
	"Association request rejected because the information in the Power Capability element is unacceptable",
	"Association request rejected because the information in the Supported Channels element is unacceptable",
	"Association denied due to requesting STA not supporting the Short Slot Time option", "Reserved",
	"Association denied because the requested STA does not support HT features", "R0KH unreachable",
	"Association denied because the requesting STA does not support the phased coexistence operation (PCO) transition time required by the AP",
	"Association request rejected temporarily; try again later", "Robust management frame policy violation",
	"Unspecified, QoS-related failure",
	"Association denied because QoS AP or PCP has insufficient bandwidth to handle another QoS STA",
	"Association denied due to excessive frame loss rates and/or poor conditions on current operating channel",
	"Association (with QoS BSS) denied because the requesting STA does not support the QoS facility", "Reserved",
	"The request has been declined", "The request has not been successful as one or more parameters have invalid values",
	"The allocation or TS has not been created because the request cannot be honored; however, a suggested TSPEC/DMG TSPEC is provided so that the initiating STA can attempt to set another allocation or TS with the suggested changes to the TSPEC/DMG TSPEC",
	"Invalid element, i.e., an element defined in this standard for which the content does not meet the specifications in Clause 9",
	"Invalid group cipher", "Invalid pairwise cipher", "Invalid AKMP", "Unsupported RSNE version",
	"Invalid RSNE capabilities", "Cipher suite rejected because of security policy",
	"The TS or allocation has not been created; however, the HC or PCP might be capable of creating a TS or allocation, in response to a request, after the time indicated in the TS Delay element",
	"Direct Link is not allowed in the BSS by policy", "The Destination STA is not present within this BSS",
	"The Destination STA is not a QoS STA", "Association denied because the listen interval is too large",
	"Invalid FT Action frame count", "Invalid pairwise master key identifier (PMKID)", "Invalid MDE", "Invalid FTE",
	"Requested TCLAS processing is not supported by the AP or PCP",
	"The AP or PCP has insufficient TCLAS processing resources to satisfy the request",
	"The TS has not been created because the request cannot be honored; however, the HC or PCP suggests that the STA transition to a different BSS to set up the TS",
	"GAS Advertisement Protocol not supported", "No outstanding GAS request",
	"GAS Response not received from the Advertisement Server", "STA timed out waiting for GAS Query Response",
	"LARGE GAS Response is larger than query response length limit",
	"Request refused because home network does not support request",
	"Advertisement Server in the network is not currently reachable", "Reserved",
	"Request refused due to permissions received via SSPN interface",
	"Request refused because the AP or PCP does not support unauthenticated access", "Reserved", "Reserved",
	"Reserved", "Invalid contents of RSNE", "U-APSD coexistence is not supported",
	"Requested U-APSD coexistence mode is not supported",
	"Requested Interval/Duration value cannot be supported with U-APSD coexistence",
	"Authentication is rejected because an Anti-Clogging Token is required",
	"Authentication is rejected because the offered finite cyclic group is not supported",
	"The TBTT adjustment request has not been successful because the STA could not find an alternative TBTT",
	"Transmission failure", "Requested TCLAS Not Supported", "TCLAS Resources Exhausted",
	"Rejected with Suggested BSS transition", "Reject with recommended schedule",
	"Reject because no wakeup schedule specified", "Success, the destination STA is in power save mode",
	"FST pending, in process of admitting FST session", "Performing FST now",
	"FST pending, gap(s) in block ack window", "Reject because of U-PID setting", "Reserved", "Reserved",
	"(Re)Association refused for some external reason", "(Re)Association refused because of memory limits at the AP",
	"(Re)Association refused because emergency services are not supported at the AP",
	"GAS query response not yet received",
	"Reject since the request is for transition to a frequency band subject to DSE procedures and FST Initiator is a dependent STA",
	"Requested TCLAS processing has been terminated by the AP",
	"The TS schedule conflicts with an existing schedule; an alternative schedule is provided",
	"The association has been denied; however, one or more Multi-band elements are included that can be used by the receiving STA to join the BSS",
	"The request failed due to a reservation conflict", "The request failed due to exceeded MAF limit",
	"The request failed due to exceeded MCCA track limit",
	"Association denied because the information in theSpectrum Management field is unacceptable",
	"Association denied because the requesting STA does not support VHT features", "Enablement denied",
	"Enablement denied due to restriction from an authorized GDB", "Authorization deenabled"}

var dot11Reasons = []string{"Reserved", "Unspecified reason", "Previous authentication no longer valid",
	"Deauthenticated because sending STA is leaving (or has left) IBSS or ESS", "Disassociated due to inactivity",
	"Disassociated because AP is unable to handle all currently  associated STAs",
	"Class 2 frame received from nonauthenticated STA", "Class 3 frame received from nonassociated STA",
	"Disassociated because sending STA is leaving (or has left) BSS",
	"STA requesting (re)association is not authenticated with responding STA",
	"Disassociated because the information in the Power Capability element is unacceptable",
	"Disassociated because the information in the Supported Channels element is unacceptable",
	"Disassociated due to BSS transition management",
	"Invalid element, i.e., an element defined in this standard for which the content does not meet the specifications in Clause 9",
	"Message integrity code (MIC) failure", "4-Way Handshake timeout", "Group key handshake timeout",
	"Information element in 4-Way Handshake different from (Re)AssociationRequest/Probe Response/Beacon frame",
	"Invalid group cipher", "Invalid pairwise cipher", "Invalid AKMP", "Unsupported RSNE version",
	"Invalid RSNE capabilities", "IEEE 802.1X authentication failed",
	"Cipher suite rejected because of the security policy",
	"TDLS direct-link teardown due to TDLS peer STA unreachable via the TDLS direct link",
	"TDLS direct-link teardown for unspecified reason", "Disassociated because session terminated by SSP request",
	"Disassociated because of lack of SSP roaming agreement",
	"Requested service rejected because of SSP cipher suite or AKM requirement",
	"Requested service not authorized in this location",
	"TS deleted because QoS AP lacks sufficient bandwidth for this QoS STA due to a change in BSS service characteristics or operational mode (e.g. an HT BSS change from 40 MHz channel to 20 MHz channel)",
	"Disassociated for unspecified, QoS-related reason",
	"Disassociated because QoS AP lacks sufficient bandwidth for this QoS STA",
	"Disassociated because of excessive number of frames that need to be acknowledged, but are not acknowledged due to AP transmissions and/or poor channel conditions",
	"Disassociated because STA is transmitting outside the limits of its TXOPs",
	"Requested from peer STA as the STA is leaving the BSS (or resetting)",
	"Requested from peer STA as it does not want to use the mechanism",
	"Requested from peer STA as the STA received frames using the mechanism for which a set up is required",
	"Requested from peer STA due to time out", "Reserved", "Reserved", "Reserved", "Reserved", "Reserved",
	"Peer STA does not support the requested cipher suite",
	"In a DLS Teardown frame: The teardown was initiated by the DLS peer. In a Disassociation frame: Disassociated because authorized access limit reached",
	"In a DLS Teardown frame: The teardown was initiated by the AP. In a Disassociation frame: Disassociated due to external service requirements",
	"Invalid FT Action frame count", "Invalid pairwise master key identifier (PMKID)", "Invalid MDE", "Invalid FTE",
	"Mesh peering canceled for unknown reasons", "The mesh STA has reached the supported maximum number of peer mesh STAs",
	"The received information violates the Mesh Configuration policy configured in the mesh STA profile",
	"The mesh STA has received a Mesh Peering Close frame requesting to close the mesh peering",
	"The mesh STA has resent dot11MeshMaxRetries Mesh Peering Open frames, without receiving a Mesh Peering Confirm frame",
	"The confirmTimer for the mesh peering instance times out",
	"The mesh STA fails to unwrap the GTK or the values in the wrapped contents do not match",
	"The mesh STA receives inconsistent information about the mesh parameters between mesh peering Management frames",
	"The mesh STA fails the authenticated mesh peering exchange because due to failure in selecting either the pairwise ciphersuite or group ciphersuite",
	"The mesh STA does not have proxy information for this external destination",
	"The mesh STA does not have forwarding information for this destination",
	"The mesh STA determines that the link to the next hop of an active path in its forwarding information is no longer usable",
	"The Deauthentication frame was sent because the MAC address of the STA already exists in the mesh BSS",
	"The mesh STA performs channel switch to meet regulatory requirements",
	"The mesh STA performs channel switching with unspecified reason"}

func listName(l []string, i uint32, def string) string {
	if int(i) < len(l) {
		return l[i]
	}
	return def
}

var dot11MgmtNames = map[uint32]string{0: "Assoc Request", 1: "Assoc Response", 2: "ReAssoc Request", 3: "ReAssoc Response",
	4: "Probe Request", 5: "Probe Response", 8: "Beacon", 9: "ATIM", 10: "Disassociation", 11: "Authentication",
	12: "DeAuthentication", 13: "Action"}

var dot11CtrlNames = map[uint32]string{7: "Control Wrapper", 8: "BAR", 9: "BA", 10: "Power Save-Poll", 11: "Request-To-Send",
	12: "Clear-To-Send", 13: "Acknowledgment", 14: "CF-End", 15: "CF-End+CF-Ack"}

// dot11CtrlLen is each control subtype's header length.
var dot11CtrlLen = map[uint32]int{7: 16, 8: 20, 9: 10, 10: 16, 11: 16, 12: 10, 13: 10, 14: 16, 15: 16}

// dot11 is ieee802_11_print: p the frame from its 802.11 header on,
// length its length on the wire, fcs the bytes of FCS it ends with.
func dot11(c *pctx, p ndBuf, length int, pad bool, fcs int) {
	b := c.b
	c.s.payload = nil
	if length < fcs {
		b.WriteString(" [|802.11]")
		return
	}
	length -= fcs
	if len(p) > length {
		cut := len(p) - max(length, 0)
		p = p[:len(p)-cut]
		// -x shows the FCS the printers do not see.
		defer func() {
			if s := c.s.payload; s != nil && cap(s)-len(s) == cap(p)-len(p) {
				c.s.payload = s[:len(s)+cut]
			}
		}()
	}
	if len(p) < 2 {
		b.WriteString(" [|802.11]")
		return
	}
	fc := p.le16(0)
	typ, sub := fc>>2&3, fc>>4&0xf
	c.s.payload = p
	var hdrlen int
	switch typ {
	case 0:
		hdrlen = 24
	case 1:
		if hdrlen = dot11CtrlLen[sub]; hdrlen == 0 {
			fmt.Fprintf(b, "unknown 802.11 ctrl frame subtype (%d)", sub)
			return
		}
	case 2:
		hdrlen = 24
		if fc&0x0300 == 0x0300 {
			hdrlen = 30
		}
		if sub&8 != 0 {
			hdrlen += 2
		}
	default:
		fmt.Fprintf(b, "unknown 802.11 frame type (%d)", typ)
		return
	}
	if pad {
		hdrlen = (hdrlen + 3) &^ 3
	}
	if len(p) < hdrlen {
		c.s.payload = nil
		b.WriteString(" [|802.11]")
		return
	}
	c.s.payload = p[hdrlen:]
	if c.link {
		dot11Header(c, fc, p)
	}
	if c.fields && typ != 1 {
		src, dst := dot11Addrs(fc)
		c.f["src_mac"], c.f["dst_mac"] = p.mac(src), p.mac(dst)
	}
	body := p[hdrlen:]
	length -= hdrlen
	switch typ {
	case 0:
		b.WriteString(tok(dot11MgmtNames, sub, "Unhandled Management subtype(%x)"))
		if !dot11Mgmt(c, fc, p[10:16], body, length) {
			b.WriteString(" [|802.11]")
		}
	case 1:
		b.WriteString(tok(dot11CtrlNames, sub, "Unknown Ctrl Subtype"))
		if !c.link {
			switch sub {
			case 8:
				fmt.Fprintf(b, " RA:%s TA:%s CTL(%x) SEQ(%d) ", p.mac(4), p.mac(10), p.le16(16), p.le16(18))
			case 9, 12, 13, 14, 15:
				fmt.Fprintf(b, " RA:%s ", p.mac(4))
			case 11:
				fmt.Fprintf(b, " TA:%s ", p.mac(10))
			}
		}
		if sub == 10 {
			fmt.Fprintf(b, " AID(%x)", p.le16(2))
		}
	case 2:
		if sub&4 != 0 {
			return // no data
		}
		if fc&0x4000 != 0 {
			b.WriteString("Data")
			if !wepPrint(b, body) {
				b.WriteString(" [|802.11]")
			}
			return
		}
		c.length = length
		dot11LLC(c, fc, p, body)
	}
}

// dot11LLC is llc_print from a data frame: SNAP with an ethertype to its
// printer; what tcpdump has no printer for (an unknown ethertype, an LLC
// header cut short) with the frame's addresses and a hex dump.
func dot11LLC(c *pctx, fc uint32, hdr, body ndBuf) {
	b := c.b
	if len(body) < 3 {
		c.s.payload = nil
		b.WriteString(" [|llc]")
		dot11Hex(b, body)
		return
	}
	if body[0] == 0xaa && body[1] == 0xaa && body[2] == 0x03 { // SNAP: snap_print
		if len(body) < 8 {
			c.s.payload = nil
			if c.link {
				b.WriteString("LLC, dsap SNAP (0xaa) Individual, ssap SNAP (0xaa) Command, ctrl 0x03: ")
			}
			b.WriteString(" [|snap]")
			return
		}
		oui := uint32(body[3])<<16 | uint32(body[4])<<8 | uint32(body[5])
		pid := uint32(binary.BigEndian.Uint16(body[6:]))
		kind, name := "pid", tokOr(snapPIDNames[oui], uint16(pid), "Unknown")
		sp := ciscoSpace
		if oui == 0 {
			kind, name, sp = "ethertype", ethertypeName(layers.EthernetType(pid)), etherSpace
		}
		_, known := printerIndex[printerKey{sp, pid}]
		known = known && (oui == 0 || oui == 0x00000c)
		if c.link {
			fmt.Fprintf(b, "LLC, dsap SNAP (0xaa) Individual, ssap SNAP (0xaa) Command, ctrl 0x03: "+
				"oui %s (0x%06x), %s %s (0x%04x), length %d: ", ouiName(oui), oui, kind, name, pid, c.length-8)
		} else if !known {
			src, dst := dot11Addrs(fc)
			fmt.Fprintf(b, "%s > %s SNAP, ", hdr.mac(src), hdr.mac(dst))
			if oui != 0 {
				fmt.Fprintf(b, "oui %s (0x%06x), ", ouiName(oui), oui)
			}
			fmt.Fprintf(b, "%s %s (0x%04x), length %d: ", kind, name, pid, c.length-8)
		}
		c.s.payload = body[8:]
		if !known {
			if !c.d.hexOut { // ndo_suppress_default_print
				dot11Hex(b, body)
			}
			return
		}
		c.length -= 8
		c.named = true
		c.llcCtrl = 0x03
		c.next(sp, pid, body[8:])
		return
	}
	printLLC(c, body)
}

// dot11Hex is ND_DEFAULTPRINT: the bytes in hex and ASCII on lines of
// their own.
func dot11Hex(b *strings.Builder, p []byte) {
	if len(p) == 0 {
		return
	}
	b.WriteString("\n")
	b.Write(bytes.TrimSuffix(appendHex(nil, p, true), []byte("\n")))
}

// dot11Addrs is get_data_src_dst_mac (management frames: SA and DA, as
// no DS bits): where the source and destination addresses are.
func dot11Addrs(fc uint32) (src, dst int) {
	src, dst = 10, 4
	if fc>>2&3 != 2 {
		return src, dst
	}
	switch fc & 0x0300 {
	case 0x0200:
		src = 16
	case 0x0100:
		dst = 16
	case 0x0300:
		src, dst = 24, 16
	}
	return src, dst
}

// wepPrint is wep_print: the IV, pad and key ID of a protected frame.
func wepPrint(b *strings.Builder, p ndBuf) bool {
	if !p.has(0, 4) {
		return false
	}
	iv := p.le32(0)
	// " IV:%3x Pad %x KeyID %x"
	var buf [8]byte
	h := strconv.AppendUint(buf[:0], uint64(iv&0xffffff), 16)
	b.WriteString(" IV:")
	for i := len(h); i < 3; i++ {
		b.WriteByte(' ')
	}
	b.Write(h)
	b.WriteString(" Pad ")
	b.Write(strconv.AppendUint(buf[:0], uint64(iv>>24&0x3f), 16))
	b.WriteString(" KeyID ")
	b.Write(strconv.AppendUint(buf[:0], uint64(iv>>30&3), 16))
	return true
}

// dot11Header is ieee_802_11_hdr_print, for -e.
func dot11Header(c *pctx, fc uint32, p ndBuf) {
	b := c.b
	typ, sub := fc>>2&3, fc>>4&0xf
	if c.verbose {
		for _, f := range []struct {
			bit  uint32
			name string
		}{{0x2000, "More Data "}, {0x0400, "More Fragments "}, {0x1000, "Pwr Mgmt "}, {0x0800, "Retry "},
			{0x8000, "Strictly Ordered "}, {0x4000, "Protected "}} {
			if fc&f.bit != 0 {
				b.WriteString(f.name)
			}
		}
		if typ != 1 || sub != 10 {
			fmt.Fprintf(b, "%dus ", p.le16(2))
		}
	}
	switch typ {
	case 0:
		fmt.Fprintf(b, "BSSID:%s DA:%s SA:%s ", p.mac(16), p.mac(4), p.mac(10))
	case 1:
		switch sub {
		case 8:
			fmt.Fprintf(b, " RA:%s TA:%s CTL(%x) SEQ(%d) ", p.mac(4), p.mac(10), p.le16(16), p.le16(18))
		case 9, 12, 13:
			fmt.Fprintf(b, "RA:%s ", p.mac(4))
		case 10:
			fmt.Fprintf(b, "BSSID:%s TA:%s ", p.mac(4), p.mac(10))
		case 11:
			fmt.Fprintf(b, "RA:%s TA:%s ", p.mac(4), p.mac(10))
		case 14, 15:
			fmt.Fprintf(b, "RA:%s BSSID:%s ", p.mac(4), p.mac(10))
		}
	case 2:
		if sub&(1|2|8) != 0 {
			b.WriteString("CF ")
			switch {
			case sub&1 != 0 && sub&2 != 0:
				b.WriteString("Ack/Poll")
			case sub&1 != 0:
				b.WriteString("Ack")
			case sub&2 != 0:
				b.WriteString("Poll")
			}
			if sub&8 != 0 {
				b.WriteString("+QoS")
			}
			b.WriteString(" ")
		}
		switch fc & 0x0300 {
		case 0:
			fmt.Fprintf(b, "DA:%s SA:%s BSSID:%s ", p.mac(4), p.mac(10), p.mac(16))
		case 0x0200:
			fmt.Fprintf(b, "DA:%s BSSID:%s SA:%s ", p.mac(4), p.mac(10), p.mac(16))
		case 0x0100:
			fmt.Fprintf(b, "BSSID:%s SA:%s DA:%s ", p.mac(4), p.mac(10), p.mac(16))
		default:
			fmt.Fprintf(b, "RA:%s TA:%s DA:%s SA:%s ", p.mac(4), p.mac(10), p.mac(16), p.mac(24))
		}
	}
}

// mgmtBody is what parse_elements keeps of a management frame's elements:
// the first of each.
type mgmtBody struct {
	ssid, rates []byte
	ssidOK      bool
	ratesOK     bool
	ch          uint8
	dsOK        bool
	cap         uint32
}

// parse is parse_elements: false when an element is cut short or too
// long for tcpdump's buffers.
func (m *mgmtBody) parse(p ndBuf, off, length int) bool {
	for length != 0 {
		if !p.has(off, 2) || length < 2 {
			return false
		}
		el := int(p[off+1])
		if !p.has(off+2, el) || length < el+2 {
			return false
		}
		v := p[off+2 : off+2+el]
		switch p[off] {
		case 0:
			if el > 32 {
				return false
			}
			if !m.ssidOK {
				m.ssid, m.ssidOK = v, true
			}
		case 16:
			if el > 253 {
				return false
			}
		case 1:
			if el > 16 {
				return false
			}
			if !m.ratesOK && el != 0 {
				m.rates, m.ratesOK = v, true
			}
		case 3:
			if el == 1 && !m.dsOK {
				m.ch, m.dsOK = v[0], true
			}
		case 5:
			if el > 3 && el-3 > 251 {
				return false
			}
		}
		off += 2 + el
		length -= 2 + el
	}
	return true
}

func (m *mgmtBody) printSSID(b *strings.Builder) {
	if !m.ssidOK {
		return
	}
	s := m.ssid
	for i, ch := range s {
		if ch == 0 {
			s = s[:i]
			break
		}
	}
	b.WriteString(" (")
	fnPrint(b, s)
	b.WriteString(")")
}

func (m *mgmtBody) printRates(b *strings.Builder) {
	if !m.ratesOK {
		return
	}
	sep := " ["
	for _, r := range m.rates {
		b.WriteString(sep)
		writeFloat1(b, .5*float64(r&0x7f)) // %2.1f: "0.5" and longer
		if r&0x80 != 0 {
			b.WriteString("*")
		}
		sep = " "
	}
	b.WriteString(" Mbit]")
}

func (m *mgmtBody) printChannel(b *strings.Builder) {
	if m.dsOK {
		b.WriteString(" CH: ")
		writeInt(b, int64(m.ch))
	}
	if m.cap&0x10 != 0 {
		b.WriteString(", PRIVACY")
	}
}

// dot11Mgmt is mgmt_body_print after the subtype's name; false when
// tcpdump ends it with [|802.11].
func dot11Mgmt(c *pctx, fc uint32, src []byte, p ndBuf, length int) bool {
	b := c.b
	if fc&0x4000 != 0 {
		return wepPrint(b, p)
	}
	m := &mgmtBody{}
	fixed := func(n int) bool { return p.has(0, n) && length >= n }
	srcName := net.HardwareAddr(src).String()
	switch fc >> 4 & 0xf {
	case 0: // assoc request
		if !fixed(4) {
			return false
		}
		m.cap = p.le16(0)
		ok := m.parse(p, 4, length-4)
		m.printSSID(b)
		m.printRates(b)
		return ok
	case 1, 3: // (re)assoc response
		if !fixed(6) {
			return false
		}
		m.cap = p.le16(0)
		status, aid := p.le16(2), p.le16(4)
		ok := m.parse(p, 6, length-6)
		priv := ""
		if m.cap&0x10 != 0 {
			priv = " PRIVACY "
		}
		fmt.Fprintf(b, " AID(%x) :%s: %s", uint16(aid<<2)>>2, priv, listName(dot11Status, status, "n/a"))
		return ok
	case 2: // reassoc request
		if !fixed(10) {
			return false
		}
		m.cap = p.le16(0)
		ok := m.parse(p, 10, length-10)
		m.printSSID(b)
		fmt.Fprintf(b, " AP : %s", p.mac(4))
		return ok
	case 4: // probe request
		ok := m.parse(p, 0, length)
		m.printSSID(b)
		m.printRates(b)
		return ok
	case 5, 8: // probe response, beacon
		if !fixed(12) {
			return false
		}
		m.cap = p.le16(10)
		ok := m.parse(p, 12, length-12)
		m.printSSID(b)
		m.printRates(b)
		if fc>>4&0xf == 8 {
			b.WriteString(pick(m.cap&1 != 0, " ESS", " IBSS"))
		}
		m.printChannel(b)
		return ok
	case 10: // disassociation
		if !fixed(2) {
			return false
		}
		fmt.Fprintf(b, ": %s", listName(dot11Reasons, p.le16(0), "Reserved"))
	case 11: // authentication
		if !fixed(6) {
			return false
		}
		alg, seq, status := p.le16(0), p.le16(2), p.le16(4)
		ok := m.parse(p, 6, length-6)
		st := ""
		if seq%2 == 1 {
			st = listName(dot11Status, status, "n/a")
		}
		if alg == 1 && (seq == 2 || seq == 3) {
			fmt.Fprintf(b, " (%s)-%x [Challenge Text] %s", listName(dot11AuthAlgs, alg, "Reserved"), seq, st)
		} else {
			fmt.Fprintf(b, " (%s)-%x: %s", listName(dot11AuthAlgs, alg, "Reserved"), seq, st)
		}
		return ok
	case 12: // deauthentication
		if !fixed(2) {
			return false
		}
		reason := listName(dot11Reasons, p.le16(0), "Reserved")
		if c.link {
			fmt.Fprintf(b, ": %s", reason)
		} else {
			fmt.Fprintf(b, " (%s): %s", srcName, reason)
		}
	case 13: // action
		if !fixed(2) {
			return false
		}
		if c.link {
			b.WriteString(": ")
		} else {
			fmt.Fprintf(b, " (%s): ", srcName)
		}
		cat, act := p.u8(0), p.u8(1)
		pick := func(names ...string) string {
			if int(act) < len(names) && names[act] != "" {
				return names[act]
			}
			return fmt.Sprintf("Act#%d", act)
		}
		switch cat {
		case 0:
			fmt.Fprintf(b, "Spectrum Management Act#%d", act)
		case 1:
			fmt.Fprintf(b, "QoS Act#%d", act)
		case 2:
			fmt.Fprintf(b, "DLS Act#%d", act)
		case 3:
			b.WriteString("BA " + pick("ADDBA Request", "ADDBA Response", "DELBA"))
		case 7:
			b.WriteString("HT " + pick("TxChWidth", "MIMOPwrSave"))
		case 13:
			b.WriteString("MeshAction " + pick("MeshLink", "HWMP", "Gate Announcement", "Congestion Control",
				"MCCA Setup Request", "MCCA Setup Reply", "MCCA Advertisement Request", "MCCA Advertisement",
				"MCCA Teardown", "TBTT Adjustment Request", "TBTT Adjustment Response"))
		case 14:
			b.WriteString("MultiohopAction " + pick("Proxy Update", "Proxy Update Confirmation"))
		case 15:
			b.WriteString("SelfprotectAction " + pick("", "Peering Open", "Peering Confirm", "Peering Close",
				"Group Key Inform", "Group Key Acknowledge"))
		case 127:
			fmt.Fprintf(b, "Vendor Act#%d", act)
		default:
			fmt.Fprintf(b, "Reserved(%d) Act#%d", cat, act)
		}
	}
	return true
}
