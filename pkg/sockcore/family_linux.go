package sockcore

import "golang.org/x/sys/unix"

// familyInfo is everything sockcore knows about one address family. Adding a
// family is one row of families plus the file of its address type.
type familyInfo struct {
	name string // "AF_INET", as FamilyName returns it

	// decode parses the family's raw sockaddr. It is nil only where the
	// family's sockets use another family's sockaddrs (addrOf).
	decode func(b []byte) (Addr, error)
	addrOf int // the family whose sockaddrs this family's sockets use (AF_RDS: AF_INET)

	// fix says what to load or enable when socket(2) answers EAFNOSUPPORT;
	// builtin marks the families every Linux kernel has.
	fix     string
	builtin bool

	// bindErr turns bind(2)'s errors into typed ones (AF_ALG: ENOENT means
	// the algorithm is missing); nil keeps the SyscallError.
	bindErr func(err error, a Addr) error
}

// families is the one table of address families: FamilyName, DecodeSockaddr,
// New's NotSupportedError and Bind read it. TestFamilyTableComplete checks
// that every row decodes, hints and round-trips.
var families = map[int]familyInfo{
	unix.AF_UNSPEC:    {name: "AF_UNSPEC", decode: decodeUnspec, builtin: true},
	unix.AF_UNIX:      {name: "AF_UNIX", decode: decodeUnix, builtin: true},
	unix.AF_INET:      {name: "AF_INET", decode: decodeInet, builtin: true},
	unix.AF_INET6:     {name: "AF_INET6", decode: decodeInet6, fix: "load the ipv6 module or remove ipv6.disable=1 from the kernel command line"},
	unix.AF_NETLINK:   {name: "AF_NETLINK", decode: decodeNetlink, builtin: true},
	unix.AF_PACKET:    {name: "AF_PACKET", decode: decodePacket, fix: "load the af_packet module"},
	unix.AF_CAN:       {name: "AF_CAN", decode: decodeCAN, fix: "load the can and can_raw modules"},
	unix.AF_ALG:       {name: "AF_ALG", decode: decodeALG, fix: "load the af_alg and algif_hash modules", bindErr: wrapALGBindErr},
	unix.AF_TIPC:      {name: "AF_TIPC", decode: decodeTIPC, fix: "load the tipc module"},
	unix.AF_RDS:       {name: "AF_RDS", addrOf: unix.AF_INET, fix: "load the rds and rds_tcp modules"},
	unix.AF_VSOCK:     {name: "AF_VSOCK", decode: decodeVSock, fix: "load the vsock module, and vsock_loopback for local use"},
	unix.AF_QIPCRTR:   {name: "AF_QIPCRTR", decode: decodeQIPCRTR, fix: "load the qrtr module"},
	unix.AF_BLUETOOTH: {name: "AF_BLUETOOTH", decode: decodeBluetooth, fix: "load the bluetooth module"},
}

// familyProtoHints name the module of one protocol of a family, where the
// family's own module is not enough (AF_CAN's CAN_ISOTP needs can_isotp).
var familyProtoHints = map[[2]int]struct{ name, fix string }{
	{unix.AF_CAN, unix.CAN_BCM}:   {"CAN_BCM", "load the can_bcm module"},
	{unix.AF_CAN, unix.CAN_ISOTP}: {"CAN_ISOTP", "load the can_isotp module"},
	{unix.AF_CAN, unix.CAN_J1939}: {"CAN_J1939", "load the can_j1939 module"},
}

// decodeUnspec keeps an AF_UNSPEC sockaddr (a disconnected peer) as RawAddr.
func decodeUnspec(b []byte) (Addr, error) {
	return &RawAddr{Fam: unix.AF_UNSPEC, Data: append([]byte(nil), b[2:]...)}, nil
}
