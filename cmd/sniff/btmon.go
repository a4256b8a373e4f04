package main

import (
	"encoding/binary"
	"fmt"

	"github.com/gopacket/gopacket/layers"
)

// linkTypeBTMon is LINKTYPE_BLUETOOTH_LINUX_MONITOR (pcap-linktype(7)):
// each packet starts with struct pcap_bluetooth_linux_monitor_header,
// adapter_id then opcode, both big-endian; gopacket has no name for it.
const linkTypeBTMon layers.LinkType = 254

// btMonitorDevice is the -i name of the Bluetooth monitor channel, libpcap's.
const btMonitorDevice = "bluetooth-monitor"

// hciNoIndex is HCI_DEV_NONE: a monitor packet about no controller.
const hciNoIndex = 0xffff

// btMonOpcodes names the HCI_MON_* opcodes of struct hci_mon_hdr
// (include/net/bluetooth/hci_mon.h).
var btMonOpcodes = []string{
	"NEW_INDEX", "DEL_INDEX", "COMMAND_PKT", "EVENT_PKT", "ACL_TX_PKT",
	"ACL_RX_PKT", "SCO_TX_PKT", "SCO_RX_PKT", "OPEN_INDEX", "CLOSE_INDEX",
	"INDEX_INFO", "VENDOR_DIAG", "SYSTEM_NOTE", "USER_LOGGING", "CTRL_OPEN",
	"CTRL_CLOSE", "CTRL_COMMAND", "CTRL_EVENT", "ISO_TX_PKT", "ISO_RX_PKT",
}

// btMonPcapHeader turns the kernel's struct hci_mon_hdr (little-endian
// opcode, index, len) at the start of mon into the 4-byte pcap header
// (big-endian adapter_id, opcode) in dst. ok is false for a packet shorter
// than the header.
func btMonPcapHeader(dst *[4]byte, mon []byte) (payload []byte, ok bool) {
	if len(mon) < 6 {
		return nil, false
	}
	binary.BigEndian.PutUint16(dst[0:], binary.LittleEndian.Uint16(mon[2:]))
	binary.BigEndian.PutUint16(dst[2:], binary.LittleEndian.Uint16(mon[0:]))
	return mon[6:], true
}

// btMonText is the one-line text of a LINKTYPE_BLUETOOTH_LINUX_MONITOR
// packet: "hci0 COMMAND_PKT opcode 0x1009 plen 0, length 3", with the HCI
// opcode or event code for commands and events, and the payload length.
func btMonText(p []byte, f map[string]any) string {
	if len(p) < 4 {
		return fmt.Sprintf("BT-MON [|bt-mon] length %d", len(p))
	}
	idx, op, payload := binary.BigEndian.Uint16(p), binary.BigEndian.Uint16(p[2:]), p[4:]
	dev := "hci-none"
	if idx != hciNoIndex {
		dev = fmt.Sprintf("hci%d", idx)
		f["adapter"] = int(idx)
	}
	name := fmt.Sprintf("opcode-%d", op)
	if int(op) < len(btMonOpcodes) {
		name = btMonOpcodes[op]
	}
	f["proto"], f["mon_opcode"] = "BT-MON", name
	detail := ""
	switch {
	case op == 2 && len(payload) >= 3: // HCI command: opcode, parameter length
		c := binary.LittleEndian.Uint16(payload)
		f["hci_opcode"] = int(c)
		detail = fmt.Sprintf(" opcode 0x%04x plen %d", c, payload[2])
	case op == 3 && len(payload) >= 2: // HCI event: code, parameter length
		f["hci_event"] = int(payload[0])
		detail = fmt.Sprintf(" event 0x%02x plen %d", payload[0], payload[1])
	}
	return fmt.Sprintf("%s %s%s, length %d", dev, name, detail, len(payload))
}

func printBTMon(c *pctx, data []byte) {
	c.b.WriteString(btMonText(data, c.f))
	c.s.payload = data[min(4, len(data)):]
}
