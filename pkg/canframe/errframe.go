package canframe

import (
	"strconv"
	"strings"
)

// Error classes in the id of an error frame (linux/can/error.h).
const (
	ErrClassTxTimeout = 0x001 // CAN_ERR_TX_TIMEOUT
	ErrClassLostArb   = 0x002 // CAN_ERR_LOSTARB, bit number in data[0]
	ErrClassCtrl      = 0x004 // CAN_ERR_CRTL, details in data[1]
	ErrClassProt      = 0x008 // CAN_ERR_PROT, type in data[2], location in data[3]
	ErrClassTrx       = 0x010 // CAN_ERR_TRX, status in data[4]
	ErrClassAck       = 0x020 // CAN_ERR_ACK
	ErrClassBusOff    = 0x040 // CAN_ERR_BUSOFF
	ErrClassBusError  = 0x080 // CAN_ERR_BUSERROR
	ErrClassRestarted = 0x100 // CAN_ERR_RESTARTED
	ErrClassCnt       = 0x200 // CAN_ERR_CNT: tx counter in data[6], rx in data[7]
)

var errClassNames = []struct {
	bit  uint32
	name string
}{
	{ErrClassTxTimeout, "tx-timeout"},
	{ErrClassLostArb, "lost-arbitration"},
	{ErrClassCtrl, "controller-problem"},
	{ErrClassProt, "protocol-violation"},
	{ErrClassTrx, "transceiver-status"},
	{ErrClassAck, "no-acknowledgement-on-tx"},
	{ErrClassBusOff, "bus-off"},
	{ErrClassBusError, "bus-error"},
	{ErrClassRestarted, "restarted-after-bus-off"},
	{ErrClassCnt, "error-counter"},
}

// Controller status bits in data[1] (CAN_ERR_CRTL_*).
var ctrlNames = []struct {
	bit  byte
	name string
}{
	{0x01, "rx-overflow"}, {0x02, "tx-overflow"}, {0x04, "rx-error-warning"}, {0x08, "tx-error-warning"},
	{0x10, "rx-error-passive"}, {0x20, "tx-error-passive"}, {0x40, "back-to-error-active"},
}

// Protocol violation types in data[2] (CAN_ERR_PROT_*).
var protNames = []struct {
	bit  byte
	name string
}{
	{0x01, "single-bit-error"}, {0x02, "frame-format-error"}, {0x04, "bit-stuffing-error"},
	{0x08, "unable-to-send-dominant-bit"}, {0x10, "unable-to-send-recessive-bit"},
	{0x20, "bus-overload"}, {0x40, "active-error"}, {0x80, "error-on-tx"},
}

// DescribeError decodes an error frame the way candump -e does, as one line:
// "controller-problem{rx-error-warning},bus-off". It returns "" for a frame
// that is not an error frame.
func DescribeError(f *Frame) string {
	if !f.Err {
		return ""
	}
	data := func(i int) byte {
		if i < len(f.Data) {
			return f.Data[i]
		}
		return 0
	}
	var parts []string
	for _, c := range errClassNames {
		if f.ID&c.bit == 0 {
			continue
		}
		s := c.name
		switch c.bit {
		case ErrClassLostArb:
			if d := data(0); d != 0 {
				s += "{at bit " + strconv.Itoa(int(d)) + "}"
			}
		case ErrClassCtrl:
			s += bitNames(data(1), ctrlNames)
		case ErrClassProt:
			s += bitNames(data(2), protNames)
		case ErrClassCnt:
			s += "{tx " + strconv.Itoa(int(data(6))) + ", rx " + strconv.Itoa(int(data(7))) + "}"
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return "unknown-error-class"
	}
	return strings.Join(parts, ",")
}

func bitNames(v byte, names []struct {
	bit  byte
	name string
}) string {
	var out []string
	for _, n := range names {
		if v&n.bit != 0 {
			out = append(out, n.name)
		}
	}
	if len(out) == 0 {
		return ""
	}
	return "{" + strings.Join(out, ",") + "}"
}
