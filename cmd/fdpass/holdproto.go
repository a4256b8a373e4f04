package main

// The hold protocol. A client connects to the holder's SOCK_SEQPACKET socket
// and sends requests, one message each, and reads one reply message per
// request (LIST: one more message per entry). A message is one line of
// ASCII, fields separated by single spaces, ending in "\n"; descriptors
// travel in SCM_RIGHTS with the message that names them.
//
//	STORE name ttl-ms     + 1 to 253 descriptors   → OK
//	RETRIEVE name                                  → OK n   + n descriptors
//	TAKE name          (RETRIEVE, then DELETE)     → OK n   + n descriptors
//	DELETE name                                    → OK
//	LIST                                           → OK count, then count × "name n ttl-ms"
//
// ttl-ms is the time to live in milliseconds, 0 for ever; in a LIST entry it
// is what is left. Any request may instead get "ERR code text", code one of
// denied, notfound, exists, full, bad, busy. A peer whose SO_PEERCRED uid
// and gid are not allowed gets "ERR denied …", and a peer over the
// connection limits "ERR busy …", as its only message: the holder closes
// the connection at once. LIST entries come in the order they were stored.

import (
	"fmt"
	"strconv"
	"strings"
)

const (
	opStore    = "STORE"
	opRetrieve = "RETRIEVE"
	opTake     = "TAKE"
	opDelete   = "DELETE"
	opList     = "LIST"
)

// request is a parsed hold request line.
type request struct {
	Op    string
	Name  string
	TTLms int64
}

func (r request) String() string {
	switch r.Op {
	case opList:
		return opList + "\n"
	case opStore:
		return fmt.Sprintf("%s %s %d\n", r.Op, r.Name, r.TTLms)
	}
	return r.Op + " " + r.Name + "\n"
}

// maxTTLms bounds ttl-ms to what time.Duration holds.
const maxTTLms = (1<<63 - 1) / 1_000_000

func parseRequest(msg []byte) (request, error) {
	line, ok := strings.CutSuffix(string(msg), "\n")
	if !ok {
		return request{}, fmt.Errorf("request does not end in a newline")
	}
	f := strings.Split(line, " ")
	r := request{Op: f[0]}
	want := map[string]int{opStore: 3, opRetrieve: 2, opTake: 2, opDelete: 2, opList: 1}[r.Op]
	if want == 0 {
		return request{}, fmt.Errorf("unknown request %q (STORE, RETRIEVE, TAKE, DELETE, LIST)", r.Op)
	}
	if len(f) != want {
		return request{}, fmt.Errorf("%s takes %d fields, got %d", r.Op, want-1, len(f)-1)
	}
	if want >= 2 {
		if err := validName(f[1]); err != nil {
			return request{}, err
		}
		r.Name = f[1]
	}
	if r.Op == opStore {
		n, err := strconv.ParseInt(f[2], 10, 64)
		if err != nil || n < 0 || n > maxTTLms || f[2] != strconv.FormatInt(n, 10) {
			return request{}, fmt.Errorf("ttl-ms %q: want milliseconds, 0 for ever", f[2])
		}
		r.TTLms = n
	}
	return r, nil
}

// Reply codes after ERR.
const (
	errDenied   = "denied"
	errNotFound = "notfound"
	errExists   = "exists"
	errFull     = "full"
	errBad      = "bad"
	errBusy     = "busy" // over a connection limit or out of descriptors: try again
)

// reply is a parsed reply line: OK with its fields, or ERR code text.
type reply struct {
	OK     bool
	Fields []string // after OK
	Code   string   // after ERR
	Text   string
}

func okReply(fields ...string) []byte {
	return []byte(strings.Join(append([]string{"OK"}, fields...), " ") + "\n")
}

func errReply(code, format string, args ...any) []byte {
	text := strings.ReplaceAll(fmt.Sprintf(format, args...), "\n", " ")
	return []byte("ERR " + code + " " + text + "\n")
}

func parseReply(msg []byte) (reply, error) {
	line, ok := strings.CutSuffix(string(msg), "\n")
	if !ok {
		return reply{}, fmt.Errorf("reply %q does not end in a newline", msg)
	}
	if line == "OK" {
		return reply{OK: true}, nil
	}
	if rest, ok := strings.CutPrefix(line, "OK "); ok {
		return reply{OK: true, Fields: strings.Split(rest, " ")}, nil
	}
	if rest, ok := strings.CutPrefix(line, "ERR "); ok {
		code, text, _ := strings.Cut(rest, " ")
		if code == "" {
			return reply{}, fmt.Errorf("reply %q has no error code", line)
		}
		return reply{Code: code, Text: text}, nil
	}
	return reply{}, fmt.Errorf("reply %q is neither OK nor ERR", line)
}

// listEntry is one LIST line: "name n ttl-ms".
type listEntry struct {
	Name  string
	N     int
	TTLms int64
}

func (e listEntry) String() string { return fmt.Sprintf("%s %d %d\n", e.Name, e.N, e.TTLms) }

func parseListEntry(msg []byte) (listEntry, error) {
	line, ok := strings.CutSuffix(string(msg), "\n")
	f := strings.Split(line, " ")
	if !ok || len(f) != 3 {
		return listEntry{}, fmt.Errorf("list entry %q: want \"name n ttl-ms\"", msg)
	}
	n, err1 := strconv.Atoi(f[1])
	ttl, err2 := strconv.ParseInt(f[2], 10, 64)
	canonical := f[1] == strconv.Itoa(n) && f[2] == strconv.FormatInt(ttl, 10)
	if err := validName(f[0]); err != nil || err1 != nil || err2 != nil || !canonical || n < 1 || n > scmMaxFD || ttl < 0 {
		return listEntry{}, fmt.Errorf("list entry %q: want \"name n ttl-ms\"", msg)
	}
	return listEntry{Name: f[0], N: n, TTLms: ttl}, nil
}
