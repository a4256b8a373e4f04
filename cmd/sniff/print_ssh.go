package main

// SSH's identification line on TCP port 22 (tcpdump's print-ssh.c): the
// version exchange, the only text SSH sends; nothing for the rest.

func printSSH(c *pctx, p []byte) {
	n := min(c.length, len(p))
	if n < 4 || string(p[:4]) != "SSH-" {
		return
	}
	for i := 4; i < n; i++ {
		switch ch := p[i]; {
		case ch == '\n':
		case ch == '\r':
			if i+1 >= n || p[i+1] != '\n' {
				return
			}
		case ch < 0x20 || ch >= 0x7f:
			return
		default:
			continue
		}
		c.b.WriteString(": SSH: ")
		c.b.Write(p[:i])
		return
	}
}
