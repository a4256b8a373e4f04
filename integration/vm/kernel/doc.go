// Package kernel checks, inside the kernel VM of make vmtest, that every
// socket family the host kernel lacks is really there: it opens the sockets
// with golang.org/x/sys/unix directly and does one round trip where the
// family allows it. On the host its tests skip.
package kernel
