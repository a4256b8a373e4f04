package main

import (
	"fmt"
	"net"
	"strings"
	"time"
)

// RADIUS on UDP 1645/1812 (authentication), 1646/1813 (accounting), 1700
// and 3799 (dynamic authorization), either end (tcpdump 4.99's
// print-radius.c): the code, id and length; with -v the authenticator and
// every attribute, vendor-specific ones by vendor, EAP-Message through
// eapPrint; -vv adds a hex dump of each attribute. gopacket's RADIUS layer
// rejects what tcpdump prints in part, so the fields are read here.

var radiusCodes = map[byte]string{1: "Access-Request", 2: "Access-Accept", 3: "Access-Reject", 4: "Accounting-Request",
	5: "Accounting-Response", 11: "Access-Challenge", 12: "Status-Server", 13: "Status-Client", 40: "Disconnect-Request",
	41: "Disconnect-ACK", 42: "Disconnect-NAK", 43: "CoA-Request", 44: "CoA-ACK", 45: "CoA-NAK", 255: "Reserved"}

// radiusAttr is a row of tcpdump's attr_type: the attribute's name, its
// printer, and the names of its values from first on.
type radiusAttr struct {
	name   string
	print  func(c *pctx, f ndBuf, n int, typ byte)
	values []string
	first  uint32
}

var (
	radServTypes = []string{"Login", "Framed", "Callback Login", "Callback Framed", "Outbound", "Administrative",
		"NAS Prompt", "Authenticate Only", "Callback NAS Prompt", "Call Check", "Callback Administrative", "Voice", "Fax",
		"Modem Relay", "IAPP-Register", "IAPP-AP-Check", "Authorize Only", "Framed-Management", "Additional-Authorization"}
	radFramedProto = []string{"PPP", "SLIP", "ARAP", "Gandalf proprietary", "Xylogics IPX/SLIP", "X.75 Synchronous", "GPRS PDP Context"}
	radRouting     = []string{"None", "Send", "Listen", "Send&Listen"}
	radCompression = []string{"None", "VJ TCP/IP", "IPX", "Stac-LZS"}
	radLoginServ   = []string{"Telnet", "Rlogin", "TCP Clear", "PortMaster(proprietary)", "LAT", "X.25-PAD", "X.25-T3POS",
		"Unassigned", "TCP Clear Quiet"}
	radTermAction = []string{"Default", "RADIUS-Request"}
	radIngress    = []string{"Enabled", "Disabled"}
	radPortTypes  = []string{"Async", "Sync", "ISDN Sync", "ISDN Async V.120", "ISDN Async V.110", "Virtual", "PIAFS",
		"HDLC Clear Channel", "X.25", "X.75", "G.3 Fax", "SDSL", "ADSL-CAP", "ADSL-DMT", "ISDN-DSL", "Ethernet", "xDSL",
		"Cable", "Wireless - Other", "Wireless - IEEE 802.11", "Token-Ring", "FDDI", "Wireless - CDMA200",
		"Wireless - UMTS", "Wireless - 1X-EV", "IAPP", "FTTP", "Wireless - IEEE 802.16", "Wireless - IEEE 802.20",
		"Wireless - IEEE 802.22", "PPPoA", "PPPoEoA", "PPPoEoE", "PPPoEoVLAN", "PPPoEoQinQ", "xPON", "Wireless - XGP",
		"WiMAX Pre-Release 8 IWK Function", "WIMAX-WIFI-IWK", "WIMAX-SFF", "WIMAX-HA-LMA", "WIMAX-DHCP", "WIMAX-LBS",
		"WIMAX-WVS"}
	radAcctStatus = []string{"Start", "Stop", "Interim-Update", "Unassigned", "Unassigned", "Unassigned", "Accounting-On",
		"Accounting-Off", "Tunnel-Start", "Tunnel-Stop", "Tunnel-Reject", "Tunnel-Link-Start", "Tunnel-Link-Stop",
		"Tunnel-Link-Reject", "Failed"}
	radAcctAuth = []string{"RADIUS", "Local", "Remote", "Diameter"}
	radAcctTerm = []string{"User Request", "Lost Carrier", "Lost Service", "Idle Timeout", "Session Timeout",
		"Admin Reset", "Admin Reboot", "Port Error", "NAS Error", "NAS Request", "NAS Reboot", "Port Unneeded",
		"Port Preempted", "Port Suspended", "Service Unavailable", "Callback", "User Error", "Host Request",
		"Supplicant Restart", "Reauthentication Failure", "Port Reinitialized", "Port Administratively Disabled",
		"Lost Power"}
	radTunnelType = []string{"PPTP", "L2F", "L2TP", "ATMP", "VTP", "AH", "IP-IP", "MIN-IP-IP", "ESP", "GRE", "DVS",
		"IP-in-IP Tunneling", "VLAN"}
	radTunnelMedium = []string{"IPv4", "IPv6", "NSAP", "HDLC", "BBN 1822", "802", "E.163", "E.164", "F.69", "X.121",
		"IPX", "Appletalk", "Decnet IV", "Banyan Vines", "E.164 with NSAP subaddress"}
	radARAPZone = []string{"Only access to dfl zone", "Use zone filter inc.", "Not used", "Use zone filter exc."}
	radPrompt   = []string{"No Echo", "Echo"}
)

var radiusErrorCauses = map[uint32]string{201: "Residual Session Context Removed", 202: "Invalid EAP Packet (Ignored)",
	401: "Unsupported Attribute", 402: "Missing Attribute", 403: "NAS Identification Mismatch", 404: "Invalid Request",
	405: "Unsupported Service", 406: "Unsupported Extension", 407: "Invalid Attribute Value",
	501: "Administratively Prohibited", 502: "Request Not Routable (Proxy)", 503: "Session Context Not Found",
	504: "Session Context Not Removable", 505: "Other Proxy Processing Error", 506: "Resources Unavailable",
	507: "Request Initiated", 508: "Multiple Session Selection Unsupported", 509: "Location Info Required"}

var radiusMIP6Features = []struct {
	v    uint64
	name string
}{{1, "MIP6_INTEGRATED"}, {2, "LOCAL_HOME_AGENT_ASSIGNMENT"}, {0x0000010000000000, "PMIP6_SUPPORTED"},
	{0x0000020000000000, "IP4_HOA_SUPPORTED"}, {0x0000040000000000, "LOCAL_MAG_ROUTING_SUPPORTED"},
	{0x0000080000000000, "ASSIGN_LOCAL_IP"}, {0x0000100000000000, "MIP4_SUPPORTED"},
	{0x0000200000000000, "OPTIMIZED_IDLE_MODE_MOBILITY"}, {0x0000400000000000, "GTPv2_SUPPORTED"},
	{0x0000800000000000, "IP4_TRANSPORT_SUPPORTED"}, {0x0001000000000000, "IP4_HOA_ONLY_SUPPORTED"},
	{0x0002000000000000, "INTER_MAG_ROUTING_SUPPORTED"}}

// smiNames is tcpdump's smi_values: SMI network management private
// enterprise codes, as vendor-specific attributes name them.
var smiNames = map[uint32]string{0: "IETF (reserved)", 5: "ACC", 9: "Cisco", 11: "Hewlett Packard", 42: "Sun Microsystems",
	61: "Merit", 166: "Shiva", 193: "Ericsson AB", 255: "Cisco VPN 5000", 307: "Livingston", 311: "Microsoft",
	429: "3Com", 529: "Ascend", 1584: "Bay Networks", 1991: "Foundry", 2180: "Versanet", 2352: "Redback",
	2636: "Juniper Networks", 2637: "Aptis", 3076: "Cisco VPN 3000", 3085: "CoSine Communications", 3199: "Shasta",
	3224: "Netscreen", 3309: "Nomadix", 4329: "Siemens", 4491: "CableLabs", 4874: "Unisphere Networks",
	5263: "Cisco BBSM", 5535: "3rd Generation Partnership Project 2 (3GPP2)", 5925: "ipUnplugged",
	5948: "Issanni Communications", 6618: "Quintum", 6728: "Interlink", 8744: "Colubris", 10415: "3GPP",
	10529: "Gemtek-Systems", 11862: "Columbia University", 14122: "Wi-Fi Alliance"}

var radiusAttrs [130]radiusAttr

func init() {
	s, num, addr := radString, radNum, radAddr
	radiusAttrs = [130]radiusAttr{
		1: {"User-Name", s, nil, 0}, 2: {"User-Password", nil, nil, 0}, 3: {"CHAP-Password", nil, nil, 0},
		4: {"NAS-IP-Address", addr, nil, 0}, 5: {"NAS-Port", num, nil, 0}, 6: {"Service-Type", num, radServTypes, 1},
		7: {"Framed-Protocol", num, radFramedProto, 1}, 8: {"Framed-IP-Address", addr, nil, 0},
		9: {"Framed-IP-Netmask", addr, nil, 0}, 10: {"Framed-Routing", num, radRouting, 0}, 11: {"Filter-Id", s, nil, 0},
		12: {"Framed-MTU", num, nil, 0}, 13: {"Framed-Compression", num, radCompression, 0},
		14: {"Login-IP-Host", addr, nil, 0}, 15: {"Login-Service", num, radLoginServ, 0}, 16: {"Login-TCP-Port", num, nil, 0},
		17: {"Unassigned", nil, nil, 0}, 18: {"Reply-Message", s, nil, 0}, 19: {"Callback-Number", s, nil, 0},
		20: {"Callback-Id", s, nil, 0}, 21: {"Unassigned", nil, nil, 0}, 22: {"Framed-Route", s, nil, 0},
		23: {"Framed-IPX-Network", num, nil, 0}, 24: {"State", s, nil, 0}, 25: {"Class", s, nil, 0},
		26: {"Vendor-Specific", radVendor, nil, 0}, 27: {"Session-Timeout", num, nil, 0}, 28: {"Idle-Timeout", num, nil, 0},
		29: {"Termination-Action", num, radTermAction, 0}, 30: {"Called-Station-Id", s, nil, 0},
		31: {"Calling-Station-Id", s, nil, 0}, 32: {"NAS-Identifier", s, nil, 0}, 33: {"Proxy-State", s, nil, 0},
		34: {"Login-LAT-Service", s, nil, 0}, 35: {"Login-LAT-Node", s, nil, 0}, 36: {"Login-LAT-Group", s, nil, 0},
		37: {"Framed-AppleTalk-Link", num, nil, 0}, 38: {"Framed-AppleTalk-Network", num, nil, 0},
		39: {"Framed-AppleTalk-Zone", s, nil, 0}, 40: {"Acct-Status-Type", num, radAcctStatus, 1},
		41: {"Acct-Delay-Time", num, nil, 0}, 42: {"Acct-Input-Octets", num, nil, 0}, 43: {"Acct-Output-Octets", num, nil, 0},
		44: {"Acct-Session-Id", s, nil, 0}, 45: {"Acct-Authentic", num, radAcctAuth, 1}, 46: {"Acct-Session-Time", num, nil, 0},
		47: {"Acct-Input-Packets", num, nil, 0}, 48: {"Acct-Output-Packets", num, nil, 0},
		49: {"Acct-Terminate-Cause", num, radAcctTerm, 1}, 50: {"Acct-Multi-Session-Id", s, nil, 0},
		51: {"Acct-Link-Count", num, nil, 0}, 52: {"Acct-Input-Gigawords", num, nil, 0},
		53: {"Acct-Output-Gigawords", num, nil, 0}, 54: {"Unassigned", nil, nil, 0}, 55: {"Event-Timestamp", radTime, nil, 0},
		56: {"Egress-VLANID", num, nil, 0}, 57: {"Ingress-Filters", num, radIngress, 1}, 58: {"Egress-VLAN-Name", s, nil, 0},
		59: {"User-Priority-Table", nil, nil, 0}, 60: {"CHAP-Challenge", s, nil, 0},
		61: {"NAS-Port-Type", num, radPortTypes, 0}, 62: {"Port-Limit", num, nil, 0}, 63: {"Login-LAT-Port", s, nil, 0},
		64: {"Tunnel-Type", num, radTunnelType, 1}, 65: {"Tunnel-Medium-Type", num, radTunnelMedium, 1},
		66: {"Tunnel-Client-Endpoint", s, nil, 0}, 67: {"Tunnel-Server-Endpoint", s, nil, 0},
		68: {"Acct-Tunnel-Connection", s, nil, 0}, 69: {"Tunnel-Password", s, nil, 0},
		70: {"ARAP-Password", radStrange, nil, 0}, 71: {"ARAP-Features", radStrange, nil, 0},
		72: {"ARAP-Zone-Access", num, radARAPZone, 1}, 73: {"ARAP-Security", s, nil, 0},
		74: {"ARAP-Security-Data", s, nil, 0}, 75: {"Password-Retry", num, nil, 0}, 76: {"Prompt", num, radPrompt, 0},
		77: {"Connect-Info", s, nil, 0}, 78: {"Configuration-Token", s, nil, 0}, 79: {"EAP-Message", s, nil, 0},
		80: {"Message-Authenticator", s, nil, 0}, 81: {"Tunnel-Private-Group-ID", s, nil, 0},
		82: {"Tunnel-Assignment-ID", s, nil, 0}, 83: {"Tunnel-Preference", num, nil, 0},
		84: {"ARAP-Challenge-Response", radStrange, nil, 0}, 85: {"Acct-Interim-Interval", num, nil, 0},
		86: {"Acct-Tunnel-Packets-Lost", num, nil, 0}, 87: {"NAS-Port-Id", s, nil, 0}, 88: {"Framed-Pool", s, nil, 0},
		89: {"CUI", s, nil, 0}, 90: {"Tunnel-Client-Auth-ID", s, nil, 0}, 91: {"Tunnel-Server-Auth-ID", s, nil, 0},
		92: {"NAS-Filter-Rule", s, nil, 0}, 93: {"Unassigned", nil, nil, 0}, 94: {"Originating-Line-Info", nil, nil, 0},
		95: {"NAS-IPv6-Address", radAddr6, nil, 0}, 96: {"Framed-Interface-ID", nil, nil, 0},
		97: {"Framed-IPv6-Prefix", radPrefix6, nil, 0}, 98: {"Login-IPv6-Host", radAddr6, nil, 0},
		99: {"Framed-IPv6-Route", s, nil, 0}, 100: {"Framed-IPv6-Pool", s, nil, 0}, 101: {"Error-Cause", radStrange, nil, 0},
		102: {"EAP-Key-Name", nil, nil, 0}, 103: {"Digest-Response", s, nil, 0}, 104: {"Digest-Realm", s, nil, 0},
		105: {"Digest-Nonce", s, nil, 0}, 106: {"Digest-Response-Auth", s, nil, 0}, 107: {"Digest-Nextnonce", s, nil, 0},
		108: {"Digest-Method", s, nil, 0}, 109: {"Digest-URI", s, nil, 0}, 110: {"Digest-Qop", s, nil, 0},
		111: {"Digest-Algorithm", s, nil, 0}, 112: {"Digest-Entity-Body-Hash", s, nil, 0}, 113: {"Digest-CNonce", s, nil, 0},
		114: {"Digest-Nonce-Count", s, nil, 0}, 115: {"Digest-Username", s, nil, 0}, 116: {"Digest-Opaque", s, nil, 0},
		117: {"Digest-Auth-Param", s, nil, 0}, 118: {"Digest-AKA-Auts", s, nil, 0}, 119: {"Digest-Domain", s, nil, 0},
		120: {"Digest-Stale", s, nil, 0}, 121: {"Digest-HA1", s, nil, 0}, 122: {"SIP-AOR", s, nil, 0},
		123: {"Delegated-IPv6-Prefix", radPrefix6, nil, 0}, 124: {"MIP6-Feature-Vector", radVector64, nil, 0},
		125: {"MIP6-Home-Link-Prefix", radHomeLinkPrefix, nil, 0}, 126: {"Operator-Name", radOperatorName, nil, 0},
		127: {"Location-Information", radLocationInfo, nil, 0}, 128: {"Location-Data", radLocationData, nil, 0},
		129: {"Basic-Location-Policy-Rules", radLocationRules, nil, 0},
	}
}

func printRADIUS(c *pctx, p []byte) {
	c.f["proto"] = "RADIUS"
	b := c.b
	proto := "radius"
	defer ndCatch(c, &proto)
	f := ndBuf(p)
	f.need(0, 20)
	n := int(f.u16(2))
	if n < 20 {
		panic(ndTrunc{})
	}
	n = min(n, c.length)
	code := byte(f.u8(0))
	if !c.verbose {
		fmt.Fprintf(b, "RADIUS, %s (%d), id: 0x%02x length: %d", tokOr(radiusCodes, code, "Unknown Command"), code, f.u8(1), n)
		return
	}
	fmt.Fprintf(b, "RADIUS, length: %d\n\t%s (%d), id: 0x%02x, Authenticator: %x", n,
		tokOr(radiusCodes, code, "Unknown Command"), code, f.u8(1), p[4:20])
	if n > 20 {
		radiusAttrsPrint(c, f[20:], n-20)
	}
}

func radiusAttrsPrint(c *pctx, f ndBuf, length int) {
	b := c.b
	for length > 0 {
		if length < 2 {
			panic(ndTrunc{})
		}
		typ, n := byte(f.u8(0)), int(f.u8(1))
		name := "Unknown"
		if typ != 0 && int(typ) < len(radiusAttrs) {
			name = radiusAttrs[typ].name
		}
		fmt.Fprintf(b, "\n\t  %s Attribute (%d), length: %d", name, typ, n)
		if n < 2 {
			b.WriteString(" (bogus, must be >= 2)")
			return
		}
		if n > length {
			b.WriteString(" (bogus, goes past end of packet)")
			return
		}
		b.WriteString(", Value: ")
		if int(typ) < len(radiusAttrs) && n > 2 && radiusAttrs[typ].print != nil {
			radiusAttrs[typ].print(c, f[2:], n-2, typ)
		}
		if c.d.vv {
			f.need(2, 0)
			if len(f) < n {
				// tcpdump's print_unknown_data: what there is, then the mark.
				hexLines(b, f[2:], "\n\t    ")
				panic(ndTrunc{})
			} else {
				hexLines(b, f[2:n], "\n\t    ")
			}
		}
		length -= n
		f = f[min(n, len(f)):]
	}
}

// radString is tcpdump's print_attr_string: tags and salts of tunnel
// attributes, EAP-Message as EAP, the rest as printable ASCII to the
// first NUL.
func radString(c *pctx, f ndBuf, n int, typ byte) {
	b := c.b
	if radShort(b, f, n) {
		return
	}
	switch typ {
	case 69:
		if n < 3 {
			b.WriteString(" [|radius]")
			return
		}
		radTag(b, byte(f.u8(0)), true)
		fmt.Fprintf(b, "Salt %d ", f.u16(1))
		f, n = f[3:], n-3
	case 66, 67, 81, 82, 90, 91:
		if f.u8(0) <= 0x1f {
			radTag(b, byte(f.u8(0)), false)
			f, n = f[1:], n-1
		}
	case 58:
		fmt.Fprintf(b, "%s (0x%02x) ", radTagged(byte(f.u8(0))), f.u8(0))
		f, n = f[1:], n-1
	case 79:
		eapPrint(c, f, n)
		return
	}
	for _, ch := range f[:n] {
		if ch == 0 {
			break
		}
		if ch < 0x20 || ch > 0x7e {
			ch = '.'
		}
		b.WriteByte(ch)
	}
}

// radTag writes a tunnel attribute's tag; with valid, a tag above 0x1f is
// unused too.
func radTag(b *strings.Builder, t byte, valid bool) {
	if t == 0 || valid && t > 0x1f {
		b.WriteString("Tag[Unused] ")
		return
	}
	fmt.Fprintf(b, "Tag[%d] ", t)
}

func radTagged(t byte) string {
	switch t {
	case 0x31:
		return "Tagged"
	case 0x32:
		return "Untagged"
	}
	return "Unknown tag"
}

func radVendor(c *pctx, f ndBuf, n int, _ byte) {
	b := c.b
	if n < 4 {
		b.WriteString(" [|radius]")
		return
	}
	id := f.u32(0)
	fmt.Fprintf(b, "Vendor: %s (%d)", tokOr(smiNames, id, "Unknown"), id)
	o, n := 4, n-4
	for n >= 2 {
		vt, vl := f.u8(o), int(f.u8(o+1))
		if vl < 2 {
			fmt.Fprintf(b, "\n\t    Vendor Attribute: %d, Length: %d (bogus, must be >= 2)", vt, vl)
			return
		}
		if vl > n {
			fmt.Fprintf(b, "\n\t    Vendor Attribute: %d, Length: %d (bogus, goes past end of vendor-specific attribute)", vt, vl)
			return
		}
		o, vl, n = o+2, vl-2, n-2
		if o+vl > len(f) {
			b.WriteString(" [|radius]")
			return
		}
		v := f[o : o+vl]
		fmt.Fprintf(b, "\n\t    Vendor Attribute: %d, Length: %d, Value: ", vt, vl)
		for _, ch := range v {
			if ch < 0x20 || ch > 0x7e {
				ch = '.'
			}
			b.WriteByte(ch)
		}
		o, n = o+vl, n-vl
	}
}

func radNum(c *pctx, f ndBuf, n int, typ byte) {
	b := c.b
	if n != 4 {
		fmt.Fprintf(b, "ERROR: length %d != 4", n)
		return
	}
	a := radiusAttrs[typ]
	if len(a.values) > 0 {
		var v uint32
		if typ == 64 || typ == 65 {
			radTag(b, byte(f.u8(0)), false)
			v = f.u24(1)
		} else {
			v = f.u32(0)
		}
		if v >= a.first && v-a.first < uint32(len(a.values)) {
			b.WriteString(a.values[v-a.first])
		} else {
			fmt.Fprintf(b, "#%d", v)
		}
		return
	}
	v := f.u32(0)
	switch typ {
	case 23:
		if v == 0xfffffffe {
			b.WriteString("NAS Select")
		} else {
			fmt.Fprintf(b, "%d", v)
		}
	case 27, 28, 41, 46, 85:
		switch {
		case v < 60:
			fmt.Fprintf(b, "%02d secs", v)
		case v < 3600:
			fmt.Fprintf(b, "%02d:%02d min", v/60, v%60)
		default:
			fmt.Fprintf(b, "%02d:%02d:%02d hours", v/3600, v%3600/60, v%60)
		}
	case 37:
		if v != 0 {
			fmt.Fprintf(b, "%d", v)
		} else {
			b.WriteString("Unnumbered")
		}
	case 38:
		if v != 0 {
			fmt.Fprintf(b, "%d", v)
		} else {
			b.WriteString("NAS assigned")
		}
	case 83:
		radTag(b, byte(f.u8(0)), false)
		fmt.Fprintf(b, "%d", f.u24(1))
	case 56:
		fmt.Fprintf(b, "%s (0x%02x) %d", radTagged(byte(f.u8(0))), f.u8(0), f.u24(1))
	default:
		fmt.Fprintf(b, "%d", v)
	}
}

func radAddr(c *pctx, f ndBuf, n int, typ byte) {
	if n != 4 {
		fmt.Fprintf(c.b, "ERROR: length %d != 4", n)
		return
	}
	v := f.u32(0)
	switch {
	case (typ == 8 || typ == 14) && v == 0xffffffff:
		c.b.WriteString("User Selected")
	case (typ == 8 || typ == 14) && v == 0xfffffffe:
		c.b.WriteString("NAS Select")
	default:
		c.b.WriteString(net.IP(f[:4]).String())
	}
}

func radAddr6(c *pctx, f ndBuf, n int, _ byte) {
	if n != 16 {
		fmt.Fprintf(c.b, "ERROR: length %d != 16", n)
		return
	}
	c.b.WriteString(net.IP(f.bytes(0, 16)).String())
}

func radPrefix6(c *pctx, f ndBuf, n int, _ byte) {
	b := c.b
	if n < 2 || n > 18 {
		fmt.Fprintf(b, "ERROR: length %d not in range (2..18)", n)
		return
	}
	if radShort(b, f, n) {
		return
	}
	plen := int(f.u8(1))
	if plen > 128 {
		fmt.Fprintf(b, "ERROR: netmask %d not in range (0..128)", plen)
		return
	}
	a := make(net.IP, 16)
	copy(a, f[2:n])
	fmt.Fprintf(b, "%s/%d", a, plen)
	if plen > 8*(n-2) {
		b.WriteString(" (inconsistent prefix length)")
	}
}

func radHomeLinkPrefix(c *pctx, f ndBuf, n int, _ byte) {
	b := c.b
	if n != 17 {
		fmt.Fprintf(b, "ERROR: length %d != 17", n)
		return
	}
	if radShort(b, f, n) {
		return
	}
	if f.u8(0) > 128 {
		fmt.Fprintf(b, "ERROR: netmask %d not in range (0..128)", f.u8(0))
		return
	}
	fmt.Fprintf(b, "%s/%d", net.IP(f[1:17]), f.u8(0))
}

func radOperatorName(c *pctx, f ndBuf, n int, _ byte) {
	b := c.b
	if radShort(b, f, n) {
		return
	}
	if n < 2 {
		fmt.Fprintf(b, "ERROR: length %d < 2", n)
		return
	}
	ns := byte(f.u8(0))
	name := map[byte]string{0x30: "TADIG", 0x31: "REALM", 0x32: "E212", 0x33: "ICC"}[ns]
	if name == "" {
		name = fmt.Sprintf("unknown namespace %d", ns)
	}
	fmt.Fprintf(b, "[%s] ", name)
	fnPrint(b, f[1:n])
}

func radLocationInfo(c *pctx, f ndBuf, n int, _ byte) {
	b := c.b
	if radShort(b, f, n) {
		return
	}
	if n < 21 {
		fmt.Fprintf(b, "ERROR: length %d < 21", n)
		return
	}
	code, entity := byte(f.u8(2)), byte(f.u8(3))
	cs := map[byte]string{0: "Civic", 1: "Geospatial"}[code]
	if cs == "" {
		cs = fmt.Sprintf("Unknown (%d)", code)
	}
	es := map[byte]string{0: "User", 1: "RADIUS"}[entity]
	if es == "" {
		es = fmt.Sprintf("Unknown (%d)", entity)
	}
	fmt.Fprintf(b, "index %d, code %s, entity %s, sighting time %s, time to live %s, method \"", f.u16(0), cs, es,
		ntpTimeString(f[4:12]), ntpTimeString(f[12:20]))
	fnPrint(b, f[20:n])
	b.WriteByte('"')
}

func radLocationData(c *pctx, f ndBuf, n int, _ byte) {
	b := c.b
	if radShort(b, f, n) {
		return
	}
	if n < 3 {
		fmt.Fprintf(b, "ERROR: length %d < 3", n)
		return
	}
	fmt.Fprintf(b, "index %d, location", f.u16(0))
	hexASCIILines(b, f[2:n], "\n\t    ")
}

func radLocationRules(c *pctx, f ndBuf, n int, _ byte) {
	b := c.b
	if radShort(b, f, n) {
		return
	}
	if n < 10 {
		fmt.Fprintf(b, "ERROR: length %d < 10", n)
		return
	}
	names := []bitName{{0x0001, "MBZ-15"}, {0x0002, "MBZ-14"}, {0x0004, "MBZ-13"}, {0x0008, "MBZ-12"}, {0x0010, "MBZ-11"},
		{0x0020, "MBZ-10"}, {0x0040, "MBZ-9"}, {0x0080, "MBZ-8"}, {0x0100, "MBZ-7"}, {0x0200, "MBZ-6"}, {0x0400, "MBZ-5"},
		{0x0800, "MBZ-4"}, {0x1000, "MBZ-3"}, {0x2000, "MBZ-2"}, {0x4000, "MBZ-1"}, {0x8000, "Retransmission Allowed"}}
	fmt.Fprintf(b, "flags [%s], retention expires %s", flagNames(uint32(f.u16(0)), names), ntpTimeString(f[2:10]))
	if n > 10 {
		b.WriteString(", note well \"")
		fnPrint(b, f[10:n])
		b.WriteByte('"')
	}
}

func radTime(c *pctx, f ndBuf, n int, _ byte) {
	if n != 4 {
		fmt.Fprintf(c.b, "ERROR: length %d != 4", n)
		return
	}
	c.b.WriteString(time.Unix(int64(f.u32(0)), 0).Format("Mon Jan _2 15:04:05 2006"))
}

func radVector64(c *pctx, f ndBuf, n int, _ byte) {
	b := c.b
	if n != 8 {
		fmt.Fprintf(b, "ERROR: length %d != 8", n)
		return
	}
	v := f.u64(0)
	b.WriteByte('[')
	sep := ""
	for _, m := range radiusMIP6Features {
		if v&m.v != 0 {
			b.WriteString(sep + m.name)
			sep = ", "
		}
	}
	b.WriteByte(']')
}

// radStrange is tcpdump's print_attr_strange: ARAP's passwords, features
// and challenge response in hex, Error-Cause by name.
func radStrange(c *pctx, f ndBuf, n int, typ byte) {
	b := c.b
	hex := func(o, k int) { fmt.Fprintf(b, "%X", f.bytes(o, k)) }
	switch typ {
	case 70:
		if n != 16 {
			fmt.Fprintf(b, "ERROR: length %d != 16", n)
			return
		}
		b.WriteString("User_challenge (")
		hex(0, 8)
		b.WriteString(") User_resp(")
		hex(8, 8)
		b.WriteString(")")
	case 71:
		if n != 14 {
			fmt.Fprintf(b, "ERROR: length %d != 14", n)
			return
		}
		if f.u8(0) != 0 {
			b.WriteString("User can change password")
		} else {
			b.WriteString("User cannot change password")
		}
		fmt.Fprintf(b, ", Min password length: %d, created at: ", f.u8(1))
		hex(2, 4)
		b.WriteString(", expires in: ")
		hex(6, 4)
		b.WriteString(", Current Time: ")
		hex(10, 4)
	case 84:
		if n < 8 {
			fmt.Fprintf(b, "ERROR: length %d != 8", n)
			return
		}
		hex(0, 8)
	case 101:
		if n != 4 {
			fmt.Fprintf(b, "Error: length %d != 4", n)
			return
		}
		v := f.u32(0)
		fmt.Fprintf(b, "Error cause %d: %s", v, tokOr(radiusErrorCauses, v, fmt.Sprintf("Error-Cause %d not known", v)))
	}
}

// hexASCIILines is tcpdump's hex_and_ascii_print: 16 bytes a line after
// indent, their offset, hex in pairs padded to 40 columns, then the bytes
// isgraph shows.
func hexASCIILines(b *strings.Builder, d []byte, indent string) {
	for off := 0; off < len(d); off += 16 {
		row := d[off:min(off+16, len(d))]
		var hx, asc strings.Builder
		for i := 0; i < len(row); i += 2 {
			if i+1 < len(row) {
				fmt.Fprintf(&hx, " %02x%02x", row[i], row[i+1])
			} else {
				fmt.Fprintf(&hx, " %02x", row[i])
			}
		}
		for _, ch := range row {
			if ch <= 0x20 || ch >= 0x7f {
				ch = '.'
			}
			asc.WriteByte(ch)
		}
		fmt.Fprintf(b, "%s0x%04x: %-40s  %s", indent, off, hx.String(), asc.String())
	}
}

// ntpTimeString is ntpTime's text.
func ntpTimeString(p []byte) string {
	var b strings.Builder
	ntpTime(&b, p)
	return b.String()
}

// radShort writes tcpdump's mark when fewer than n bytes were captured
// (its ND_TCHECK_LEN, after which the next attribute is printed).
func radShort(b *strings.Builder, f ndBuf, n int) bool {
	if n <= len(f) {
		return false
	}
	b.WriteString(" [|radius]")
	return true
}
