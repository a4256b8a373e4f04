package main

import (
	"sync/atomic"
)

type dropReason int

const (
	dropNone      dropReason = iota
	dropLowPort              // source port below 1024
	dropBroadcast            // broadcast or unspecified source
	dropMulticast            // multicast source
	dropRate                 // per-source rate limit
	dropOversize             // longer than --max-datagram
	dropNoAddress            // unnamed source (unbound UNIX client)
	dropSendError            // the echo could not be sent
	dropRcvbuf               // dropped by the kernel: the receive buffer was full (SO_RXQ_OVFL)
	numDropReasons
)

var dropNames = [numDropReasons]string{
	dropLowPort: "drop_low_port", dropBroadcast: "drop_broadcast", dropMulticast: "drop_multicast",
	dropRate: "drop_rate", dropOversize: "drop_oversize", dropNoAddress: "drop_no_address", dropSendError: "drop_send_error",
	dropRcvbuf: "drop_rcvbuf",
}

// stats are the counters SIGUSR1 and --stats-interval log.
type stats struct {
	accepted, refused, acceptErrors atomic.Uint64
	bytesIn, bytesOut               atomic.Uint64
	dgramsIn, dgramsOut             atomic.Uint64
	drops                           [numDropReasons]atomic.Uint64
}

func (s *stats) drop(r dropReason) { s.drops[r].Add(1) }

// logStats logs every counter as one line.
func (srv *server) logStats(msg string) {
	srv.mu.Lock()
	open := len(srv.conns)
	srv.mu.Unlock()
	st := &srv.st
	args := []any{
		"connections", st.accepted.Load(), "open", open, "refused", st.refused.Load(),
		"bytes_in", st.bytesIn.Load(), "bytes_out", st.bytesOut.Load(),
		"datagrams_in", st.dgramsIn.Load(), "datagrams_out", st.dgramsOut.Load(),
	}
	for r := dropLowPort; r < numDropReasons; r++ {
		args = append(args, dropNames[r], st.drops[r].Load())
	}
	srv.log.Info(msg, args...)
}
