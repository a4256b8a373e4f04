package main

import (
	"strconv"
	"strings"
)

// Text protocols: FTP, SMTP, HTTP and RTSP on their TCP ports, SIP on
// UDP (tcpdump's print-ftp.c, print-smtp.c, print-http.c, print-rtsp.c,
// print-sip.c and txtproto_print in util-print.c). Without -v the
// protocol and its first line; with -v every text line of a request or
// response, each on a line of its own.

var httpCmds = []string{"GET", "PUT", "COPY", "HEAD", "LOCK", "MOVE", "POLL", "POST", "BCOPY", "BMOVE",
	"MKCOL", "TRACE", "LABEL", "MERGE", "DELETE", "SEARCH", "UNLOCK", "REPORT", "UPDATE", "NOTIFY",
	"BDELETE", "CONNECT", "OPTIONS", "CHECKIN", "PROPFIND", "CHECKOUT", "CCM_POST", "SUBSCRIBE",
	"PROPPATCH", "BPROPFIND", "BPROPPATCH", "UNCHECKOUT", "MKACTIVITY", "MKWORKSPACE", "UNSUBSCRIBE",
	"RPC_CONNECT", "VERSION-CONTROL", "BASELINE-CONTROL"}

var rtspCmds = []string{"DESCRIBE", "ANNOUNCE", "GET_PARAMETER", "OPTIONS", "PAUSE", "PLAY", "RECORD",
	"REDIRECT", "SETUP", "SET_PARAMETER", "TEARDOWN"}

var sipCmds = []string{"ACK", "BYE", "CANCEL", "DO", "INFO", "INVITE", "MESSAGE", "NOTIFY", "OPTIONS",
	"PRACK", "QAUTH", "REFER", "REGISTER", "SPRACK", "SUBSCRIBE", "UPDATE", "PUBLISH"}

func printFTP(c *pctx, data []byte)  { c.b.WriteString(": "); c.txtproto("ftp", data, nil) }
func printSMTP(c *pctx, data []byte) { c.b.WriteString(": "); c.txtproto("smtp", data, nil) }
func printHTTP(c *pctx, data []byte) { c.b.WriteString(": "); c.txtproto("http", data, httpCmds) }
func printRTSP(c *pctx, data []byte) { c.b.WriteString(": "); c.txtproto("rtsp", data, rtspCmds) }
func printSIP(c *pctx, data []byte)  { c.txtproto("sip", data, sipCmds) }

// txtproto prints a text protocol's payload (c.length bytes on the wire,
// data of them captured). With cmds, only a payload that starts with one
// of them or with a response code (its second token) has its lines
// printed, not the continuation of a body.
func (c *pctx) txtproto(proto string, data []byte, cmds []string) {
	n := c.length
	show := cmds == nil
	if !show {
		tok, next := txtToken(data, 0, n)
		if next != 0 {
			for _, cmd := range cmds {
				if strings.EqualFold(tok, cmd) {
					show = true
					break
				}
			}
			// The response code is the second token ("HTTP/1.1 200 OK").
			tok, next = txtToken(data, next, n)
			if next != 0 && len(tok) == 3 && isDigit(tok[0]) && isDigit(tok[1]) && isDigit(tok[2]) {
				show = true
			}
		}
	}
	c.b.WriteString(strings.ToUpper(proto))
	if !show {
		return
	}
	if !c.verbose {
		c.txtLine(proto, ": ", data, 0, n)
		return
	}
	c.b.WriteString(", length: ")
	c.b.WriteString(strconv.Itoa(n))
	for i := 0; i < n; {
		next, ok := c.txtLine(proto, "\n\t", data, i, n)
		if !ok || next == 0 {
			return
		}
		i = next
	}
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func isPrint(b byte) bool { return b >= 0x20 && b < 0x7f }

// txtToken returns the token at i and the index after it and the blanks
// that follow, or 0 when there is none (binary data, nothing captured).
func txtToken(data []byte, i, n int) (string, int) {
	start := i
	for ; i < n; i++ {
		if i >= len(data) {
			return "", 0
		}
		ch := data[i]
		if ch >= 0x80 {
			return "", 0
		}
		if ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' {
			break
		}
		if !isPrint(ch) || i-start+2 > 129 {
			return "", 0
		}
	}
	if i == start {
		return "", 0
	}
	tok := string(data[start:i])
	for ; i < n && i < len(data); i++ {
		ch := data[i]
		if ch == '\r' || ch == '\n' || !isPrint(ch) || (ch != ' ' && ch != '\t') {
			break
		}
	}
	return tok, i
}

// txtLine prints the text line at i after prefix and returns the index
// after its end (LF or CR LF), 0 when the line is not text. ok is false
// when the line does not end in the packet: it is printed with the
// truncation mark.
func (c *pctx) txtLine(proto, prefix string, data []byte, i, n int) (next int, ok bool) {
	start := i
	for i < n {
		if i >= len(data) {
			c.b.WriteString(" [|" + proto + "]")
			return 0, false
		}
		switch ch := data[i]; {
		case ch == '\n':
			c.b.WriteString(prefix)
			c.b.Write(data[start:i])
			return i + 1, true
		case ch == '\r':
			if i+1 >= n {
				return 0, true
			}
			if i+1 >= len(data) {
				c.b.WriteString(" [|" + proto + "]")
				return 0, false
			}
			if data[i+1] != '\n' {
				return 0, true
			}
			c.b.WriteString(prefix)
			c.b.Write(data[start:i])
			return i + 2, true
		case !isPrint(ch) && ch != '\t':
			return 0, true
		}
		i++
	}
	// Text without a line end: tcpdump 4.99 takes it for truncated.
	c.b.WriteString(prefix)
	c.b.Write(data[start:i])
	c.b.WriteString(" [|" + proto + "]")
	return 0, false
}
