package main

// mode is the path a stream connection is served on. The reactor and the
// goroutine of stream.go hand a connection to each other; next decides,
// from what the last read showed, when it changes path. Each path sets the
// socket's timeout mode it needs when it takes the connection: the reactor
// non-blocking (takeAdds), the goroutine blocking within the idle timeout
// (run, setIdle).
type mode int

const (
	// modeReactor: the connection waits in its home reactor's epoll set;
	// the reactor's loop goroutine owns it.
	modeReactor mode = iota
	// modeSplice: a goroutine of its own echoes through a splice pipe. Hot
	// (one of maxHotPipes) it waits in splice; cold it moves what is
	// queued and, when the socket would block, goes back to its reactor.
	modeSplice
	// modeBuffer: a hot connection of its own goroutine echoing small
	// messages with recv and send through a buffer.
	modeBuffer
	// modeCopy: a goroutine of its own echoing through a buffer for good:
	// discard mode, seqpacket records, sockets that cannot splice or no
	// descriptors for a pipe. No burst leaves it.
	modeCopy
)

func (m mode) String() string {
	switch m {
	case modeReactor:
		return "reactor"
	case modeSplice:
		return "splice"
	case modeBuffer:
		return "buffer"
	case modeCopy:
		return "copy"
	}
	return "mode?"
}

// burst is what one read and its echo showed: the input of next.
type burst struct {
	n     int  // bytes read
	sent  int  // bytes of the echo the socket took without waiting (reactor)
	full  bool // the read filled the buffer: bulk data
	quick int  // reads in a row within chattyGap of the one before (reactor)
	peers int  // connections in the reactor, this one included
	small int  // reads in a row under smallBurst, this one included (splice)
	hot   bool // the goroutine holds one of the maxHotPipes pipes (splice)
	idle  bool // nothing queued: the socket would block (cold splice)
	home  bool // the connection has a reactor to wait in
}

// next is the mode a connection in mode m takes after burst b. It is the
// only place the rules of reactor.go and stream.go for changing path live:
//
//   - reactor: small messages stay, however often they come. Bulk (a read
//     that fills the reactor's buffer), a peer that does not take its whole
//     echo at once, or a chatty connection (chattyRuns quick reads) with
//     chattyAlone or fewer connections in its reactor leave for a goroutine.
//   - splice: a hot connection whose last smallBursts reads were each under
//     smallBurst bytes goes to the buffer; a cold one that finds nothing
//     queued goes back to its reactor when it has one.
//   - buffer: a read that fills the buffer (bulk again) goes back to splice.
func next(m mode, b burst) mode {
	switch m {
	case modeReactor:
		if b.sent < b.n || b.full || (b.quick >= chattyRuns && b.peers <= chattyAlone) {
			return modeSplice
		}
	case modeSplice:
		switch {
		case b.idle && !b.hot && b.home:
			return modeReactor
		case b.hot && b.small >= smallBursts:
			return modeBuffer
		}
	case modeBuffer:
		if b.full {
			return modeSplice
		}
	}
	return m
}

// outcome is how a path ended its turn with a connection, returned beside
// an error that is non-nil only with failed. It is the hand-over between
// the loops of stream.go and run: go on, wait for data, back to the
// reactor, or the end and why (finish logs it with -v).
type outcome int

const (
	// more: data may be queued, or the path changed (a full read in the
	// buffer: back to splice); the caller reads on.
	more outcome = iota
	// blocked: nothing is queued (the socket would block); the caller
	// waits for data, in the reactor when cold and it has one (next).
	blocked
	// toReactor: stream gave the connection back to its home reactor.
	toReactor
	// closed: the peer's end of stream, answered with a half-close.
	closed
	// idle: --idle-timeout passed with nothing moving.
	idle
	// drained: still open at the drain timeout.
	drained
	// failed: the error returned beside it ended the connection.
	failed
)
