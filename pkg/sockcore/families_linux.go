package sockcore

import (
	"encoding/binary"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// Constants golang.org/x/sys/unix lacks.
const (
	// SOL_SCTP is the SCTP option level (linux/socket.h).
	SOL_SCTP = 132

	// IOCTL_VM_SOCKETS_GET_LOCAL_CID is _IO(7, 0xb9) on /dev/vsock
	// (linux/vm_sockets.h): the CID of this machine.
	IOCTL_VM_SOCKETS_GET_LOCAL_CID = 0x7b9
)

// familyOptions are the socket options of TIPC, RDS and SCTP with their
// levels, added to ConstantByName and SockoptByName. The TIPC values are
// x/sys/unix's; the RDS ones are linux/rds.h's, the SCTP ones linux/sctp.h's.
var familyOptions = map[string]struct{ level, opt int }{
	"TIPC_IMPORTANCE":       {unix.SOL_TIPC, unix.TIPC_IMPORTANCE},
	"TIPC_SRC_DROPPABLE":    {unix.SOL_TIPC, unix.TIPC_SRC_DROPPABLE},
	"TIPC_DEST_DROPPABLE":   {unix.SOL_TIPC, unix.TIPC_DEST_DROPPABLE},
	"TIPC_CONN_TIMEOUT":     {unix.SOL_TIPC, unix.TIPC_CONN_TIMEOUT},
	"TIPC_NODE_RECVQ_DEPTH": {unix.SOL_TIPC, unix.TIPC_NODE_RECVQ_DEPTH},
	"TIPC_SOCK_RECVQ_DEPTH": {unix.SOL_TIPC, unix.TIPC_SOCK_RECVQ_DEPTH},
	"TIPC_MCAST_BROADCAST":  {unix.SOL_TIPC, unix.TIPC_MCAST_BROADCAST},
	"TIPC_MCAST_REPLICAST":  {unix.SOL_TIPC, unix.TIPC_MCAST_REPLICAST},
	"TIPC_GROUP_JOIN":       {unix.SOL_TIPC, unix.TIPC_GROUP_JOIN},
	"TIPC_GROUP_LEAVE":      {unix.SOL_TIPC, unix.TIPC_GROUP_LEAVE},
	"TIPC_SOCK_RECVQ_USED":  {unix.SOL_TIPC, unix.TIPC_SOCK_RECVQ_USED},
	"TIPC_NODELAY":          {unix.SOL_TIPC, unix.TIPC_NODELAY},

	"RDS_CANCEL_SENT_TO":        {unix.SOL_RDS, 1},
	"RDS_GET_MR":                {unix.SOL_RDS, 2},
	"RDS_FREE_MR":               {unix.SOL_RDS, 3},
	"RDS_RECVERR":               {unix.SOL_RDS, 5},
	"RDS_CONG_MONITOR":          {unix.SOL_RDS, 6},
	"RDS_GET_MR_FOR_DEST":       {unix.SOL_RDS, 7},
	"SO_RDS_TRANSPORT":          {unix.SOL_RDS, 8},
	"SO_RDS_MSG_RXPATH_LATENCY": {unix.SOL_RDS, 10},

	"SCTP_RTOINFO":               {SOL_SCTP, 0},
	"SCTP_ASSOCINFO":             {SOL_SCTP, 1},
	"SCTP_INITMSG":               {SOL_SCTP, 2},
	"SCTP_NODELAY":               {SOL_SCTP, 3},
	"SCTP_AUTOCLOSE":             {SOL_SCTP, 4},
	"SCTP_SET_PEER_PRIMARY_ADDR": {SOL_SCTP, 5},
	"SCTP_PRIMARY_ADDR":          {SOL_SCTP, 6},
	"SCTP_ADAPTATION_LAYER":      {SOL_SCTP, 7},
	"SCTP_DISABLE_FRAGMENTS":     {SOL_SCTP, 8},
	"SCTP_PEER_ADDR_PARAMS":      {SOL_SCTP, 9},
	"SCTP_DEFAULT_SEND_PARAM":    {SOL_SCTP, 10},
	"SCTP_EVENTS":                {SOL_SCTP, 11},
	"SCTP_I_WANT_MAPPED_V4_ADDR": {SOL_SCTP, 12},
	"SCTP_MAXSEG":                {SOL_SCTP, 13},
	"SCTP_STATUS":                {SOL_SCTP, 14},
	"SCTP_GET_PEER_ADDR_INFO":    {SOL_SCTP, 15},

	// The generated table leaves out names with MAX and _MIN, which are
	// options here (linux/vm_sockets.h: 64-bit values at level AF_VSOCK).
	"SO_VM_SOCKETS_BUFFER_MIN_SIZE": {unix.AF_VSOCK, unix.SO_VM_SOCKETS_BUFFER_MIN_SIZE},
	"SO_VM_SOCKETS_BUFFER_MAX_SIZE": {unix.AF_VSOCK, unix.SO_VM_SOCKETS_BUFFER_MAX_SIZE},
}

// familyConstants are address constants of these families by name.
var familyConstants = map[string]int{
	"TIPC_ADDR_NAMESEQ": unix.TIPC_ADDR_NAMESEQ, "TIPC_ADDR_NAME": unix.TIPC_ADDR_NAME, "TIPC_ADDR_ID": unix.TIPC_ADDR_ID,
	"TIPC_ZONE_SCOPE": unix.TIPC_ZONE_SCOPE, "TIPC_CLUSTER_SCOPE": unix.TIPC_CLUSTER_SCOPE, "TIPC_NODE_SCOPE": unix.TIPC_NODE_SCOPE,
	"TIPC_LOW_IMPORTANCE": unix.TIPC_LOW_IMPORTANCE, "TIPC_MEDIUM_IMPORTANCE": unix.TIPC_MEDIUM_IMPORTANCE,
	"TIPC_HIGH_IMPORTANCE": unix.TIPC_HIGH_IMPORTANCE, "TIPC_CRITICAL_IMPORTANCE": unix.TIPC_CRITICAL_IMPORTANCE,
	"TIPC_CFG_SRV": unix.TIPC_CFG_SRV, "TIPC_TOP_SRV": unix.TIPC_TOP_SRV,
	"VMADDR_CID_ANY": unix.VMADDR_CID_ANY, "VMADDR_CID_HYPERVISOR": unix.VMADDR_CID_HYPERVISOR,
	"VMADDR_CID_LOCAL": unix.VMADDR_CID_LOCAL, "VMADDR_CID_HOST": unix.VMADDR_CID_HOST,
	"VMADDR_PORT_ANY":                unix.VMADDR_PORT_ANY,
	"IOCTL_VM_SOCKETS_GET_LOCAL_CID": IOCTL_VM_SOCKETS_GET_LOCAL_CID,
	"SOL_SCTP":                       SOL_SCTP,
}

func init() {
	for name, o := range familyOptions {
		unixConstants[name] = o.opt
		sockoptLevels[name] = o.level
	}
	for name, v := range familyConstants {
		unixConstants[name] = v
	}
}

// GetsockoptUint64 reads a 64-bit option such as SO_VM_SOCKETS_BUFFER_SIZE
// at level AF_VSOCK.
func (s *Socket) GetsockoptUint64(level, opt int) (uint64, error) {
	b, err := s.GetsockoptBytes(level, opt, 8)
	if err != nil {
		return 0, err
	}
	if len(b) != 8 {
		return 0, fmt.Errorf("sockcore: getsockopt(%d, %d) returned %d bytes, not 8", level, opt, len(b))
	}
	return binary.NativeEndian.Uint64(b), nil
}

// SetsockoptUint64 sets a 64-bit option such as SO_VM_SOCKETS_BUFFER_SIZE.
func (s *Socket) SetsockoptUint64(level, opt int, v uint64) error {
	return s.SetsockoptBytes(level, opt, binary.NativeEndian.AppendUint64(nil, v))
}

// VSockLocalCID returns this machine's VSOCK context ID: the
// IOCTL_VM_SOCKETS_GET_LOCAL_CID ioctl on /dev/vsock, as Python's
// fcntl.ioctl(open("/dev/vsock"), IOCTL_VM_SOCKETS_GET_LOCAL_CID, …).
func VSockLocalCID() (uint32, error) {
	f, err := os.Open("/dev/vsock")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	rc, err := f.SyscallConn()
	if err != nil {
		return 0, err
	}
	var cid uint32
	var ioErr error
	if err := rc.Control(func(fd uintptr) {
		cid, ioErr = unix.IoctlGetUint32(int(fd), IOCTL_VM_SOCKETS_GET_LOCAL_CID)
	}); err != nil {
		return 0, err
	}
	if ioErr != nil {
		return 0, os.NewSyscallError("ioctl IOCTL_VM_SOCKETS_GET_LOCAL_CID", ioErr)
	}
	return cid, nil
}
