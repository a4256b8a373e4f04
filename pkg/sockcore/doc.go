// Package sockcore is the BSD socket surface of Python's socket module, in Go,
// for Linux. Names follow Python's in Go style; every family has its own
// address type; waits in timeout and non-blocking mode, and every call
// given a context, go through Go's runtime poller, never parking an OS
// thread in a blocking system call; blocking mode waits in the kernel, as
// Python's does.
//
// A Socket is in one of Python's three modes: blocking (no timeout), timeout
// (each call waits at most the timeout) or non-blocking (calls that would
// block return EAGAIN at once). New sockets take the process-wide default
// set by SetDefaultTimeout. See Socket for how each mode waits.
//
// # Differences from Python kept on purpose
//
//   - Detach returns a descriptor of the same open socket with another
//     number than Fileno (the lowest free one, as dup(2)): the runtime
//     poller lets go of a descriptor only by closing it. Its mode and
//     close-on-exec flag are kept. (A Socket made by FromFD on a
//     descriptor another *os.File already holds in the poller gives the
//     number back unchanged.)
//   - SetTimeout(Forever) is a fourth setting: timeout mode without a
//     deadline, waiting through the poller where blocking mode waits in
//     the kernel. Python has no such mode.
//   - The Context variants (AcceptContext, RecvContext, …) wait through the
//     poller in blocking mode too, so that the context can end them.
//   - In timeout and non-blocking mode sockcore does not depend on
//     O_NONBLOCK, which another process sharing the open file description
//     may clear: receives and sends pass MSG_DONTWAIT, accept waits for
//     readiness first, connect sets the flag for its call. Python would
//     wait in the kernel there. (SendFile has no such flag: with O_NONBLOCK
//     cleared under it, sendfile(2) waits in the kernel.)
//   - Integer arguments are Go ints: those CPython passes to C as int are
//     refused with ErrRange outside the int32 range, before the system
//     call, where CPython raises OverflowError (or TypeError).
//   - RecvMMsg (no Python counterpart) in blocking mode waits for the first
//     datagram only (MSG_WAITFORONE), as in timeout mode.
//   - A Socket on a descriptor that the poller holds through another
//     *os.File (os.Stdin on an inherited non-blocking socket) registers a
//     duplicate: that Socket alone holds two descriptors.
//
// TestCPythonSocketTests compares the rest against python3, case by case,
// each named after the test of CPython's Lib/test/test_socket.py it mirrors.
//
// # Overview
//
// `pkg/sockcore` is the socket surface of Python's `socket` module in Go:
// `New`, `FromFD`, `Pair`, a `Socket` with Python's three timeout modes
// (blocking, timeout, non-blocking) driven by Go's runtime poller, one address
// type per family, `SendMsg`/`RecvMsg` with ancillary data parsed by sockcore
// itself, descriptor passing, `CreateConnection`, `CreateServer`, and the name
// services (`GetAddrInfo`, `GetNameInfo`, …). It never prints, parses flags or
// exits.
//
// Each `Socket` holds one descriptor, the one `Fileno` returns, registered
// with Go's poller. As in Python, blocking mode (`SetBlocking(true)`, a
// timeout of None, the default) clears `O_NONBLOCK` and waits in the kernel,
// honouring `SO_RCVTIMEO`/`SO_SNDTIMEO`, a waiting call occupying a thread;
// timeout and non-blocking modes set it and wait through the poller, holding
// none. `SetTimeout(sockcore.Forever)` is timeout mode without a deadline:
// the tools run every socket that way. Every call that can wait has a
// context variant (`AcceptContext`, `ConnectContext`, `RecvContext`,
// `SendAllContext`, `RecvMsgContext`, …; `Resolver.Context` for the name
// services) that waits through the poller in any mode and ends with the
// context. Calls waiting through the poller never depend on `O_NONBLOCK`
// (`MSG_DONTWAIT`, readiness before `accept4`), so a process sharing the
// descriptor may clear it. Integer arguments that CPython range-checks fail
// with `ErrRange` before the system call. The differences from Python kept on
// purpose are listed in the package documentation (`go doc sockcore`):
// `Detach` returns a duplicate's number, not `Fileno`'s.
//
// # Address families
//
//	| family | protocols/types | address type | tested on (kernels) |
//	|---|---|---|---|
//	| `AF_INET`, `AF_INET6` | `SOCK_STREAM` (TCP, `IPPROTO_MPTCP`), `SOCK_DGRAM` (UDP, `IPPROTO_UDPLITE`), `SOCK_RAW`; dual-stack with `IPV6_V6ONLY` set explicitly | `InetAddr{IP, Port}`, `Inet6Addr{IP, Port, FlowInfo, ScopeID}` (`%iface` scopes) | host kernel (unit and namespace tiers), differential against python3 |
//	| `AF_UNIX` | `SOCK_STREAM`, `SOCK_DGRAM`, `SOCK_SEQPACKET`; `SCM_RIGHTS`, `SCM_CREDENTIALS` | `UnixAddr{Name}`: path, or abstract name as exact bytes (leading NUL), autobind on empty name | host kernel |
//	| `AF_PACKET` | `SOCK_RAW`, `SOCK_DGRAM`; membership, `PACKET_STATISTICS`, classic BPF attach/lock, aux data, fanout, TPACKET_V3 ring | `PacketAddr{Ifname, Ifindex, Proto, PktType, HAType, Addr}` | host kernel (namespaces over veth); vcan capture in the VM on 6.1 and 6.12 |
//	| `AF_CAN` | `CAN_RAW` (filters, error filter, loopback, own messages, FD frames, join filters), `CAN_BCM`, `CAN_ISOTP`, `CAN_J1939`; `SO_TIMESTAMP(NS)` | `CANAddr` (raw/BCM interface; ISO-TP rx/tx ids; J1939 name, PGN, address) | VM: 6.1, 6.12 |
//	| `AF_ALG` | hash (incl. hmac), skcipher, aead, rng; `SendMsgAFALG` with Python's control layout | `ALGAddr{Type, Name, Feat, Mask}` | VM: 6.1, 6.12 |
//	| `AF_NETLINK` | NETLINK_ROUTE, NETLINK_GENERIC and any other NETLINK_* by number; SOCK_RAW and SOCK_DGRAM | `NetlinkAddr{PID, Groups uint32}` (Python's `(pid, groups)`) | host kernel (6.18), VM: Debian 6.1 and 6.12 |
//	| `AF_TIPC` | `SOCK_RDM`, `SOCK_SEQPACKET`, `SOCK_STREAM`; `TIPC_IMPORTANCE`, `TIPC_CONN_TIMEOUT`, … at `SOL_TIPC` | `TIPCAddr{AddrType, V1, V2, V3, Scope}`: Python's `(addr_type, v1, v2, v3[, scope])` for `TIPC_ADDR_NAMESEQ`, `TIPC_ADDR_NAME`, `TIPC_ADDR_ID` | VM: 6.1, 6.12 |
//	| `AF_RDS` | `SOCK_SEQPACKET` over loopback and `rds_tcp` (`SO_RDS_TRANSPORT`); `RDS_RECVERR`, … at `SOL_RDS` | `InetAddr`, `Inet6Addr` | VM: 6.1, 6.12 |
//	| `AF_VSOCK` | `SOCK_STREAM` over `vsock_loopback` (`VMADDR_CID_LOCAL`); 64-bit `SO_VM_SOCKETS_BUFFER_SIZE`/`_MIN_SIZE`/`_MAX_SIZE` at level `AF_VSOCK` (`GetsockoptUint64`, `SetsockoptUint64`); `VSockLocalCID()` (`IOCTL_VM_SOCKETS_GET_LOCAL_CID` on `/dev/vsock`) | `VSockAddr{CID, Port, Flags}` | VM: 6.1, 6.12 |
//	| `AF_QIPCRTR` | `SOCK_DGRAM`; port 0 until bind, autobind on connect or first send | `QIPCRTRAddr{Node, Port}` | VM: 6.1, 6.12 |
//	| `AF_INET`, `AF_INET6` with `IPPROTO_SCTP` | one-to-one (`SOCK_STREAM`), one-to-many (`SOCK_SEQPACKET`); `SCTP_NODELAY`, `SCTP_INITMSG`, … at `SOL_SCTP` | `InetAddr`, `Inet6Addr` | VM: 6.1, 6.12 |
//	| `AF_BLUETOOTH` | L2CAP, RFCOMM, SCO, HCI (raw, user, monitor, control channels); `HCI_FILTER`, `HCI_DATA_DIR`, `HCI_TIME_STAMP` | `L2CAPAddr` (Python's `(bdaddr, psm[, cid[, bdaddr_type]])`, `NewL2CAPAddr` takes 2, 3 or 4 fields), `RFCOMMAddr` `(bdaddr, channel)`, `SCOAddr` `bdaddr`, `HCIAddr` `(dev[, channel])` with `HCI_CHANNEL_RAW/USER/MONITOR/CONTROL/LOGGING` and `HCI_DEV_NONE`; `BDAddr` in "AA:BB:CC:DD:EE:FF" order (reversed on the wire), `BDADDR_ANY`, `BDADDR_LOCAL` (BlueZ's bytes; Python's string for it is the reverse); a decoded sockaddr's protocol comes from its length (L2CAP 14, RFCOMM 10, SCO 8, HCI 6 bytes), `DecodeBluetoothSockaddr(b, proto)` when the protocol is known; `HCIFilter` for `HCI_FILTER`, `HCI_DATA_DIR`/`HCI_TIME_STAMP` read back with `ParseHCIControl`, `HCIDevUp`/`HCIDevDown` | VM: 6.1, 6.12 (a vhci controller the test plays (it answers the kernel's init sequence and HCI commands), HCIDEVUP, an HCI raw socket with a filter on Read BD_ADDR's Command Complete plus direction and timestamp control messages, the monitor channel seeing the command and its event, bind/SockName round trips for L2CAP with 2, 3 (cid) and 4 (ATT, LE public) fields, L2CAP datagram, RFCOMM and SCO; `sniff -i bluetooth-monitor` capturing the controller's bring-up, read by tcpdump) |
//	| any other family | whatever `New` opens | `RawAddr{Fam, Data}` (decoded and encoded byte for byte) | unit tests |
//
// AF_NETLINK: `Bind(&NetlinkAddr{})` lets the kernel assign the port id, which
// `SockName` returns as `(pid, 0)`. The options are plain `SetsockoptInt` at
// level `unix.SOL_NETLINK`: `NETLINK_ADD_MEMBERSHIP` / `NETLINK_DROP_MEMBERSHIP`
// (a group number such as `unix.RTNLGRP_IPV4_IFADDR`), `NETLINK_EXT_ACK`
// (errors carry the kernel's message and the offending attribute's offset) and
// `NETLINK_GET_STRICT_CHK`. `NetlinkExchange(s, req)` sends one request and
// collects its replies (a dump up to `NLMSG_DONE`, or up to the ACK), returning
// an `NLMSG_ERROR` as `*nlmsg.Error`, which unwraps to the errno:
// `netlink: numerical result out of range: Attribute failed policy validation
// (at offset 44 of the request)`. Messages are built and parsed with
// `pkg/nlmsg`, a pure codec: `nlmsghdr` framing of a datagram holding several
// messages, `NLMSG_DONE`, `NLMSG_ERROR` with the extended ACK attributes
// (`NLMSGERR_ATTR_MSG`, `_OFFS`, `_MISS_TYPE`), attributes (rtattr/nlattr)
// nested or not with their 4-byte alignment, and an `Encoder` for requests.
// The tests (bind and `SockName`, an `RTM_GETLINK` dump listing lo, a generic
// netlink `CTRL_CMD_GETFAMILY` for `nlctrl`, an `RTM_NEWLINK` with a bad
// `IFLA_MTU` decoded through the extended ACK, an `RTM_NEWADDR` notification
// received through group membership in a test namespace) live in
// `internal/nltest` and run in the unit, host and VM tiers alike.
//
// The option names work with `SockoptByName` and `ConstantByName`. Where the
// kernel lacks a family, `New` returns a `*NotSupportedError` naming the
// module: `AF_TIPC is not available in this kernel (load the tipc module)`.
// Sockets of `AF_RDS` and `AF_QIPCRTR` send without `MSG_NOSIGNAL`, which
// their `sendmsg` refuses. The tests are in `integration/vm/families`
// (`VMTEST_PACKAGES=./integration/vm/families scripts/vmtest.sh`), with
// CPython's TIPC vectors: a server on `(TIPC_ADDR_NAMESEQ, 2000, 200, 210)`
// answers `(TIPC_ADDR_NAME, 2000, 205, 0)`.
package sockcore
