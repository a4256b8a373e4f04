package main

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sockcore/sockcore/internal/testenv"
)

func TestBTMonPcapHeader(t *testing.T) {
	tests := []struct {
		name    string
		mon     []byte // struct hci_mon_hdr and payload, as the kernel gives them
		hdr     [4]byte
		payload []byte
		ok      bool
	}{
		{"command on hci0", []byte{2, 0, 0, 0, 3, 0, 0x09, 0x10, 0}, [4]byte{0, 0, 0, 2}, []byte{0x09, 0x10, 0}, true},
		{"note on no controller", []byte{12, 0, 0xff, 0xff, 2, 0, 'h', 'i'}, [4]byte{0xff, 0xff, 0, 12}, []byte("hi"), true},
		{"index 0x0102 opcode 0x0304", []byte{4, 3, 2, 1, 0, 0}, [4]byte{1, 2, 3, 4}, []byte{}, true},
		{"short", []byte{2, 0, 0, 0, 3}, [4]byte{}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hdr [4]byte
			payload, ok := btMonPcapHeader(&hdr, tt.mon)
			if ok != tt.ok || hdr != tt.hdr || !bytes.Equal(payload, tt.payload) {
				t.Errorf("btMonPcapHeader(% x) = % x, % x, %v; want % x, % x, %v", tt.mon, hdr, payload, ok, tt.hdr, tt.payload, tt.ok)
			}
		})
	}
}

func TestBTMonText(t *testing.T) {
	tests := []struct {
		name   string
		data   []byte // pcap header and payload
		text   string
		fields map[string]any
	}{
		{"Read BD_ADDR command", []byte{0, 0, 0, 2, 0x09, 0x10, 0}, "hci0 COMMAND_PKT opcode 0x1009 plen 0, length 3",
			map[string]any{"adapter": 0, "proto": "BT-MON", "mon_opcode": "COMMAND_PKT", "hci_opcode": 0x1009}},
		{"Command Complete event", []byte{0, 1, 0, 3, 0x0e, 4, 1, 0x09, 0x10, 0}, "hci1 EVENT_PKT event 0x0e plen 4, length 6",
			map[string]any{"adapter": 1, "proto": "BT-MON", "mon_opcode": "EVENT_PKT", "hci_event": 0x0e}},
		{"new index", append([]byte{0, 0, 0, 0}, make([]byte, 16)...), "hci0 NEW_INDEX, length 16",
			map[string]any{"adapter": 0, "proto": "BT-MON", "mon_opcode": "NEW_INDEX"}},
		{"system note", []byte{0xff, 0xff, 0, 12, 'h', 'i'}, "hci-none SYSTEM_NOTE, length 2",
			map[string]any{"proto": "BT-MON", "mon_opcode": "SYSTEM_NOTE"}},
		{"unknown opcode", []byte{0, 0, 0, 99}, "hci0 opcode-99, length 0",
			map[string]any{"adapter": 0, "proto": "BT-MON", "mon_opcode": "opcode-99"}},
		{"truncated command", []byte{0, 0, 0, 2, 0x09}, "hci0 COMMAND_PKT, length 1",
			map[string]any{"adapter": 0, "proto": "BT-MON", "mon_opcode": "COMMAND_PKT"}},
		{"no header", []byte{0, 0}, "BT-MON [|bt-mon] length 2", map[string]any{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := map[string]any{}
			if got := btMonText(tt.data, f); got != tt.text {
				t.Errorf("text = %q, want %q", got, tt.text)
			}
			if diff := cmp.Diff(tt.fields, f); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

// TestBTMonitorUnsupported runs where the kernel has no AF_BLUETOOTH (the
// host tier): one clear line and exit code 6.
func TestBTMonitorUnsupported(t *testing.T) {
	if hasBluetooth() {
		testenv.Skip(t, "this kernel has AF_BLUETOOTH: the VM tier (integration/vm/sniff) captures on it")
	}
	var out, errb bytes.Buffer
	err := run(t.Context(), []string{"sniff", "-i", "bluetooth-monitor", "-c", "1"}, nil, &out, &errb)
	if got := exitCode(err); got != 6 {
		t.Errorf("exit code %d (%v), want 6", got, err)
	}
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("AF_BLUETOOTH is not available")) {
		t.Errorf("error %v does not say AF_BLUETOOTH is missing", err)
	}
}
