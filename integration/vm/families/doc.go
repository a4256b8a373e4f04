// Package families runs pkg/sockcore over the address families the host
// kernel lacks (TIPC, RDS, VSOCK over vsock_loopback, QIPCRTR, SCTP) inside
// the kernel VM (make vmtest), and echod/echocat over TIPC and SCTP.
package families
