package main

import (
	"fmt"
	"strconv"
)

// Syslog over UDP (tcpdump's print-syslog.c; gopacket has no layer).

var syslogFacilities = []string{"kernel", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp",
	"cron", "authpriv", "ftp", "ntp", "security", "console", "cron", "local0", "local1", "local2", "local3",
	"local4", "local5", "local6", "local7"}

var syslogSeverities = []string{"emergency", "alert", "critical", "error", "warning", "notice", "info", "debug"}

func printSyslog(c *pctx, p []byte) {
	b := c.b
	n := c.length
	// "<PRI>": at most three digits, PRI at most 191.
	i, pri := 1, 0
	if len(p) < 1 || p[0] != '<' {
		b.WriteString(" [|syslog]")
		return
	}
	for ; i <= 3 && i < len(p) && p[i] >= '0' && p[i] <= '9'; i++ {
		pri = pri*10 + int(p[i]-'0')
		if pri > 191 {
			b.WriteString(" (invalid)")
			return
		}
	}
	if i >= len(p) {
		b.WriteString(" [|syslog]")
		return
	}
	if p[i] != '>' {
		b.WriteString(" (invalid)")
		return
	}
	i++
	fac, sev := pri>>3, pri&7
	facName := "unknown (" + strconv.Itoa(fac) + ")"
	if fac < len(syslogFacilities) {
		facName = syslogFacilities[fac]
	}
	sevName := syslogSeverities[sev]
	if !c.verbose {
		fmt.Fprintf(b, "SYSLOG %s.%s, length: %d", facName, sevName, n)
		return
	}
	fmt.Fprintf(b, "SYSLOG, length: %d\n\tFacility %s (%d), Severity %s (%d)\n\tMsg: ", n, facName, fac, sevName, sev)
	end := min(n, len(p))
	fnPrint(b, p[i:max(i, end)])
	if end < n {
		b.WriteString(" [|syslog]")
		return
	}
	if c.d.vv { // -vv: the whole message again in hex
		hexLines(b, p[:n], "\n\t")
	}
}
