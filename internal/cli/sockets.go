package cli

import "github.com/sockcore/sockcore/pkg/sockcore"

// The tools run every socket in timeout mode: new and accepted sockets,
// and those from descriptors, start with sockcore.Forever (no deadline), so
// that each call waits through Go's runtime poller and holds no OS thread,
// and a context ends it. Python's default, blocking mode, would wait in
// the kernel instead. A tool that wants a timeout sets one; one that hands
// a descriptor to a blocking program clears O_NONBLOCK on it, which
// sockcore's own calls do not depend on.
func init() { sockcore.SetDefaultTimeout(sockcore.Forever) }
