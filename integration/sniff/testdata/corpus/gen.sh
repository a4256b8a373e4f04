#!/usr/bin/env bash
# gen.sh [SCENARIO...]: remakes sniff's capture corpus, by hand (root):
# real daemons and kernels in two network namespaces joined by veth, each
# scenario captured by tcpdump into SCENARIO.pcap, with tcpdump's -n,
# -n -v and -n -e text of it as SCENARIO.n.out, .v.out and .e.out (TZ=UTC), and
# for the scenarios that set VV (printers that print more with -vv) .vv.out, which
# integration/sniff's TestCorpusMatchesTcpdump compares sniff with.
# Without arguments, every scenario. Needs, beyond scripts/debian-packages.txt
# (which make deps installs; the tests need only the committed captures):
#   apt-get install curl chrony ntpsec-ntpdate snmpd snmp tftpd-hpa tftp-hpa keepalived mptcpize bird2
#     hostapd wpasupplicant freeradius freeradius-utils (eapol, radius; stop the
#     freeradius service its package starts)
# and lldpd (its package starts lldpd on the host, which then speaks LLDP
# on every host link: unpack it with apt-get download + dpkg-deb -x instead
# where that matters, and put its usr/sbin on PATH), and linuxptp
# (ptp4l, pmc; unpacked the same way serves).
# Their services must not run on the host (chrony would ask the NTP pool):
# the scenarios start their own instances inside the namespaces.
set -euo pipefail
cd "$(dirname "$0")"
export TZ=UTC
PY=/usr/bin/python3 # Debian's, with smtpd
A=scc-a-$$ B=scc-b-$$ TMP=$(mktemp -d)
here=$PWD
cleanup() { ip netns del $A 2>/dev/null || true; ip netns del $B 2>/dev/null || true
	kill $(jobs -p) 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT
a() { ip netns exec $A "$@"; }
b() { ip netns exec $B "$@"; }

# net: fresh namespaces, veth0 (A, 10.77.0.1, fd77::1) - veth1 (B, .2, ::2).
net() {
	ip netns del $A 2>/dev/null || true; ip netns del $B 2>/dev/null || true
	ip netns add $A; ip netns add $B
	ip link add sccv0-$$ type veth peer name sccv1-$$
	ip link set sccv0-$$ netns $A name veth0; ip link set sccv1-$$ netns $B name veth1
	a ip link set veth0 address 02:77:00:00:00:01; b ip link set veth1 address 02:77:00:00:00:02
	for n in $A $B; do ip netns exec $n ip link set lo up; done
	a ip link set veth0 up; b ip link set veth1 up
	if [ "${1:-}" != bare ]; then
		a ip addr add 10.77.0.1/24 dev veth0; b ip addr add 10.77.0.2/24 dev veth1
		a ip addr add fd77::1/64 dev veth0 nodad; b ip addr add fd77::2/64 dev veth1 nodad
	fi
}

# cap NAME [tcpdump args]: capture on B's veth1 (or the interface given
# with -i) until stop.
cap() {
	NAME=$1; shift
	local i=(-i veth1)
	[ "${1:-}" = -i ] && { i=(-i "$2"); shift 2; }
	ip netns exec $B tcpdump -Z root --immediate-mode -U "${i[@]}" -w "$TMP/$NAME.pcap" "$@" 2>"$TMP/tcpdump.err" & CAP=$!
	until grep -q listening "$TMP/tcpdump.err"; do sleep 0.05; done
}

# stop: end the capture (the last packets have had time to arrive) and
# write the golden text.
stop() {
	sleep 0.5
	kill -INT $CAP
	golden
}

# golden: once the capture has ended, keep it and write tcpdump's text.
golden() {
	if [ -n "$CAP" ]; then wait $CAP || true; fi
	cp "$TMP/$NAME.pcap" "$here/$NAME.pcap"
	tcpdump -n -r "$NAME.pcap" >"$NAME.n.out" 2>/dev/null
	tcpdump -n -v -r "$NAME.pcap" >"$NAME.v.out" 2>/dev/null
	tcpdump -n -e -r "$NAME.pcap" >"$NAME.e.out" 2>/dev/null
	if [ -n "${VV:-}" ]; then tcpdump -n -vv -r "$NAME.pcap" >"$NAME.vv.out" 2>/dev/null; fi
	echo "$NAME: $(wc -l <"$NAME.n.out") packets"
}

# ready FILE WORD: wait for a daemon's ready line in its log.
ready() { until grep -q "$2" "$1" 2>/dev/null; do sleep 0.05; done; }

s_dhcp() { # dnsmasq DHCPv4 server and RAs, busybox udhcpc as the client
	net bare
	a ip addr add 10.77.0.1/24 dev veth0; a ip addr add fd77::1/64 dev veth0 nodad
	cap dhcp
	ip netns exec $A dnsmasq -d -p 0 -i veth0 --bind-interfaces --dhcp-range=10.77.0.100,10.77.0.150,1h \
		--dhcp-range=fd77::,ra-only --dhcp-option=option:router,10.77.0.1 --dhcp-leasefile="$TMP/leases" \
		2>"$TMP/dnsmasq.log" & D=$!
	ready "$TMP/dnsmasq.log" "DHCP, IP range"
	b busybox udhcpc -i veth1 -n -q -f -s /bin/true -x hostname:client1 >/dev/null 2>&1
	b busybox udhcpc -i veth1 -n -q -f -s /bin/true -r 10.77.0.120 >/dev/null 2>&1
	stop; kill $D
}

s_dhcp6() { # dnsmasq as DHCPv6 server (addresses, DNS, domain search), dhcp6client.py as the client
	net
	cap dhcp6 udp port 546 or udp port 547
	ip netns exec $A dnsmasq -d -p 0 -i veth0 --bind-interfaces --dhcp-range=fd77::100,fd77::1ff,64,1h \
		--dhcp-option=option6:dns-server,[fd77::1] --dhcp-option=option6:domain-search,corpus.test \
		--dhcp-leasefile="$TMP/leases6" 2>"$TMP/dnsmasq6.log" & D=$!
	ready "$TMP/dnsmasq6.log" "DHCPv6, IP range"
	b $PY dhcp6client.py veth1
	stop; kill $D
}

s_http() { # python3's http.server on port 80, curl
	net
	mkdir -p "$TMP/www"; printf 'hello from the corpus\n' >"$TMP/www/index.html"
	ip netns exec $A $PY -m http.server 80 --bind 10.77.0.1 --directory "$TMP/www" >"$TMP/http.log" 2>&1 & H=$!
	until b bash -c 'echo >/dev/tcp/10.77.0.1/80' 2>/dev/null; do sleep 0.05; done
	cap http tcp port 80
	b curl -s -o /dev/null http://10.77.0.1/
	b curl -s -o /dev/null -X POST -d 'a=1&b=2' http://10.77.0.1/form
	b curl -s -o /dev/null -I http://10.77.0.1/missing
	stop; kill $H
}

s_smtp() { # python3's smtpd (DebuggingServer), smtplib
	net
	ip netns exec $A $PY -W ignore -m smtpd -n -c DebuggingServer 10.77.0.1:25 >/dev/null 2>&1 & S=$!
	until b bash -c 'echo >/dev/tcp/10.77.0.1/25' 2>/dev/null; do sleep 0.05; done
	cap smtp tcp port 25
	b $PY -c 'import smtplib
s = smtplib.SMTP("10.77.0.1", 25, local_hostname="client.example")
s.sendmail("alice@example.org", ["bob@example.org"], "Subject: hi\r\n\r\nhello\r\n")
s.quit()'
	stop; kill $S
}

s_textproto() { # FTP, POP3, IMAP, RTSP and SIP control exchanges (textproto.py)
	net
	cap textproto tcp
	for p in 21 110 143 554 5060; do
		a $PY textproto.py server $p >"$TMP/tp.log" & P=$!
		ready "$TMP/tp.log" ready
		b $PY textproto.py client 10.77.0.1 $p
		wait $P
	done
	stop
}

s_ssh() { # OpenSSH's client against a socat peer that answers with part of a version line and no line end
	net
	ip netns exec $A socat TCP-LISTEN:22,bind=10.77.0.1,reuseaddr SYSTEM:'printf "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\\r\\n"; read line' & S=$!
	until a ss -tln | grep -q 10.77.0.1:22; do sleep 0.05; done
	cap ssh tcp port 22
	b ssh -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null 10.77.0.1 true >/dev/null 2>&1 || true
	stop; kill $S 2>/dev/null || true
}

s_tftp() { # tftpd-hpa, tftp-hpa
	net
	mkdir -p "$TMP/tftp"; head -c 1500 /usr/share/common-licenses/GPL-3 >"$TMP/tftp/file.txt"
	ip netns exec $A in.tftpd -L -s "$TMP/tftp" -a 10.77.0.1:69 & T=$!
	until a ss -uln | grep -q 10.77.0.1:69; do sleep 0.05; done
	cap tftp udp
	(cd "$TMP" && b tftp 10.77.0.1 -c get file.txt got.txt)
	(cd "$TMP" && b tftp 10.77.0.1 -c get nosuch.txt got2.txt) || true
	stop; kill $T
}

s_ntp() { # chronyd as server, chronyd -Q and ntpdate as clients
	net
	printf 'local stratum 8\nallow 10.77.0.0/24\nbindaddress 10.77.0.1\nport 123\ncmdport 0\npidfile %s\n' "$TMP/chrony.pid" >"$TMP/chrony.conf"
	ip netns exec $A chronyd -x -d -f "$TMP/chrony.conf" >"$TMP/chrony.log" 2>&1 & C=$!
	until a ss -uln | grep -q 10.77.0.1:123; do sleep 0.05; done
	cap ntp udp port 123
	b ntpdate -q 10.77.0.1 >/dev/null 2>&1 || true
	printf 'server 10.77.0.1 iburst maxsamples 2\ncmdport 0\npidfile %s\n' "$TMP/chrony2.pid" >"$TMP/chrony2.conf"
	b timeout 20 chronyd -x -Q -f "$TMP/chrony2.conf" 'server 10.77.0.1 iburst maxsamples 2' >/dev/null 2>&1 || true
	stop; kill $C
}

s_snmp() { # snmpd, snmpget v1 and v2c, snmpwalk
	net
	printf 'agentAddress udp:10.77.0.1:161\nrocommunity public 10.77.0.0/24\nsysLocation corpus\n' >"$TMP/snmpd.conf"
	ip netns exec $A snmpd -f -Lo -C -c "$TMP/snmpd.conf" -p "$TMP/snmpd.pid" >"$TMP/snmpd.log" 2>&1 & S=$!
	until a ss -uln | grep -q 10.77.0.1:161; do sleep 0.05; done
	cap snmp udp port 161
	b snmpget -v1 -c public 10.77.0.1 .1.3.6.1.2.1.1.1.0 .1.3.6.1.2.1.1.3.0 >/dev/null
	b snmpget -v2c -c public 10.77.0.1 .1.3.6.1.2.1.1.6.0 >/dev/null
	b snmpgetnext -v2c -c public 10.77.0.1 .1.3.6.1.2.1.1.5 >/dev/null
	b snmpget -v2c -c wrong -t 0.2 -r 0 10.77.0.1 .1.3.6.1.2.1.1.1.0 >/dev/null 2>&1 || true
	stop; kill $S
}

s_syslog() { # logger to a remote syslog socket (socat)
	net
	ip netns exec $A socat -u UDP-RECV:514,bind=10.77.0.1 OPEN:/dev/null & S=$!
	until a ss -uln | grep -q 10.77.0.1:514; do sleep 0.05; done
	cap syslog udp port 514
	b logger -n 10.77.0.1 -P 514 -d -t corpus -p local3.warning "disk almost full"
	b logger -n 10.77.0.1 -P 514 -d --rfc3164 -t cron -p cron.info "job done"
	b logger -n 10.77.0.1 -P 514 -d -p auth.err "login failed for bob"
	stop; kill $S
}

s_icmp() { # ICMP errors and queries of every kind tcpdump names (craft.py, a raw ICMP socket)
	net
	cap icmp icmp
	b $PY craft.py icmp 10.77.0.1
	stop
}

s_mld() { # MLDv1/v2 queries, an MLDv1 report and done (craft.py, a raw ICMPv6 socket)
	net
	cap mld icmp6 and ip6[40] != 135 and ip6[40] != 136 and ip6[40] != 143 and ip6[40] != 133
	b $PY craft.py mld veth1
	stop
}

s_vlan() { # 802.1Q and 802.1ad (QinQ) tagged frames: ARP, ICMP, UDP (craft.py: this kernel has no VLAN links)
	net
	cap vlan not ip6 or vlan
	b $PY craft.py vlan veth1
	stop
}

s_tunnels() { # VXLAN links; Geneve, GRE, gretap and ip6gre sent by craft.py (this kernel has no such links)
	net
	a ip link add vx0 type vxlan id 42 remote 10.77.0.2 dstport 4789 dev veth0
	b ip link add vx1 type vxlan id 42 remote 10.77.0.1 dstport 4789 dev veth1
	a ip link set vx0 address 02:78:00:00:00:01; b ip link set vx1 address 02:78:00:00:00:02
	a ip link set vx0 up; b ip link set vx1 up
	a ip addr add 10.80.1.1/24 dev vx0; b ip addr add 10.80.1.2/24 dev vx1
	cap tunnels not port 5353 and not icmp6
	b ping -c 2 -i 0.2 10.80.1.1 >/dev/null
	b bash -c 'echo hi >/dev/udp/10.80.1.1/9'
	b $PY craft.py 10.77.0.2 10.77.0.1 fd77::2 fd77::1
	stop
}

s_mptcp() { # MPTCP connections (mptcpize curl to http.server)
	net
	a sysctl -qw net.mptcp.enabled=1; b sysctl -qw net.mptcp.enabled=1
	mkdir -p "$TMP/www"; printf 'mptcp\n' >"$TMP/www/index.html"
	ip netns exec $A mptcpize run $PY -m http.server 8081 --bind 10.77.0.1 --directory "$TMP/www" >/dev/null 2>&1 & H=$!
	until a ss -tln | grep -q 10.77.0.1:8081; do sleep 0.05; done
	cap mptcp tcp port 8081
	b mptcpize run curl -s -o /dev/null http://10.77.0.1:8081/
	stop; kill $H
}

s_frag() { # IPv4 and IPv6 fragments from large pings, UDP too
	net
	cap frag
	b ping -c 1 -s 3000 10.77.0.1 >/dev/null
	b ping -6 -c 1 -s 3000 fd77::1 >/dev/null
	b $PY -c 'import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.sendto(b"x" * 2000, ("fd77::1", 9))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b"y" * 2000, ("10.77.0.1", 9))'
	stop
}

s_vrrp() { # keepalived VRRPv2 and v3 adverts
	net
	printf 'global_defs {\n enable_script_security\n}\nvrrp_instance v4 {\n state MASTER\n interface veth0\n virtual_router_id 51\n priority 150\n advert_int 1\n authentication {\n  auth_type PASS\n  auth_pass secret\n }\n virtual_ipaddress {\n  10.77.0.254/24\n }\n}\nvrrp_instance v6 {\n state MASTER\n interface veth0\n virtual_router_id 52\n priority 100\n advert_int 1\n virtual_ipaddress {\n  fd77::254/64\n }\n}\n' >"$TMP/keepalived.conf"
	cap vrrp -c 6 vrrp or proto 112
	ip netns exec $A keepalived -n -l -D -f "$TMP/keepalived.conf" -p "$TMP/ka.pid" -r "$TMP/vrrp.pid" >/dev/null 2>&1 & K=$!
	golden
	kill $K; wait $K 2>/dev/null || true
}

s_stp() { # a Linux bridge with STP on: its BPDUs
	net
	a ip link add br0 type bridge stp_state 1 hello_time 100
	a ip link set veth0 master br0; a ip link set br0 up
	cap stp -c 3 stp
	golden
}

s_misc() { # IGMP and MLD joins, a refused TCP connection, ICMP unreachables, DNS
	net
	cap misc
	b $PY -c 'import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton("239.1.2.3") + socket.inet_aton("10.77.0.2"))
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, socket.inet_pton(socket.AF_INET6, "ff15::1234") + struct.pack("@I", socket.if_nametoindex("veth1")))
s.setsockopt(socket.IPPROTO_IP, socket.IP_DROP_MEMBERSHIP, socket.inet_aton("239.1.2.3") + socket.inet_aton("10.77.0.2"))'
	b bash -c 'echo >/dev/tcp/10.77.0.1/7' 2>/dev/null || true
	b bash -c 'echo >/dev/tcp/fd77::1/7' 2>/dev/null || true
	b bash -c 'echo hi >/dev/udp/10.77.0.1/7; echo hi >/dev/udp/fd77::1/7'
	ip netns exec $A dnsmasq -d -p 53 -i veth0 --bind-interfaces --no-resolv --no-hosts --address=/corpus.test/10.77.0.9 \
		--address=/corpus.test/fd77::9 2>"$TMP/dns.log" & D=$!
	until a ss -uln | grep -q 10.77.0.1:53; do sleep 0.05; done
	b busybox nslookup corpus.test 10.77.0.1 >/dev/null 2>&1 || true
	stop; kill $D
}

s_lldp() { # lldpd with LLDP-MED, a voice policy, a location and PoE (lldpcli), then its shutdown LLDPDU
	net
	chmod 755 "$TMP" # lldpcli drops to the _lldpd user
	cap lldp ether proto 0x88cc
	ip netns exec $A unshare --uts sh -c "hostname corpus-a; exec lldpd -d -M 4 -u $TMP/lldpd.sock -I veth0 -S 'corpus test system'" \
		>"$TMP/lldpd.log" 2>&1 & L=$!
	until [ -S "$TMP/lldpd.sock" ]; do sleep 0.05; done
	l() { a lldpcli -u "$TMP/lldpd.sock" "$@" >/dev/null; }
	l configure med policy application voice vlan 100 priority voice dscp 46
	l configure med location coordinate latitude 48.85667N longitude 2.2014E altitude 117.47 m datum WGS84
	l configure med power pd source pse priority high value 5000
	l configure dot3 power pse supported enabled paircontrol powerpairs spare class class-3
	l update
	sleep 1; kill $L; wait $L 2>/dev/null || true
	stop
}

s_cdp() { # lldpd speaking CDPv2 (forced: no Cisco neighbour asks for it)
	net
	chmod 755 "$TMP"
	cap cdp -c 1 ether dst 01:00:0c:cc:cc:cc
	ip netns exec $A unshare --uts sh -c "hostname corpus-a; exec lldpd -d -ccc -u $TMP/lldpd.sock -I veth0" >"$TMP/lldpd.log" 2>&1 & L=$!
	golden
	kill $L; wait $L 2>/dev/null || true
}

s_cdpcraft() { # CDP TLVs lldpd does not send, malformed and cut short (craft.py writes the capture)
	NAME=cdpcraft; $PY craft.py cdp "$TMP/$NAME.pcap"; CAP=; golden
}

s_ptp() { # linuxptp: a ptp4l master and slave over UDPv4 (E2E), pmc management over UDP; then over Ethernet (P2P)
	net
	# free_running: the slave must not steer the host's clock (a netns has none of its own).
	printf '[global]\nfree_running 1\nlogAnnounceInterval -2\nlogSyncInterval -3\nlogMinDelayReqInterval -3\nlogMinPdelayReqInterval -3\n' >"$TMP/ptp.cfg"
	for mode in 4 2; do
		local name=ptp delay=
		[ $mode = 2 ] && { name=ptpl2; delay=-P; }
		cap $name udp port 319 or udp port 320 or ether proto 0x88f7
		ip netns exec $A ptp4l -i veth0 -S -$mode $delay -m -f "$TMP/ptp.cfg" --uds_address="$TMP/ptpa" >"$TMP/ptpa.log" 2>&1 & P1=$!
		ip netns exec $B ptp4l -i veth1 -S -$mode $delay -s -m -f "$TMP/ptp.cfg" --uds_address="$TMP/ptpb" >"$TMP/ptpb.log" 2>&1 & P2=$!
		ready "$TMP/ptpb.log" "to UNCALIBRATED on"
		b pmc -$mode -i veth1 -s "$TMP/pmc" -b 1 'GET CURRENT_DATA_SET' >/dev/null
		kill $P1 $P2; wait $P1 $P2 2>/dev/null || true
		stop
	done
}

s_ptpcraft() { # PTP versions, flags and messages linuxptp does not send, and cut short (craft.py writes the capture)
	NAME=ptpcraft; $PY craft.py ptp "$TMP/$NAME.pcap"; CAP=; golden
}

s_bfdcraft() { # BFD control (v0, v1, every state, authentication), multihop and echo packets (craft.py writes the capture)
	NAME=bfdcraft; $PY craft.py bfd "$TMP/$NAME.pcap"; CAP=; golden
}

s_dhcp6craft() { # DHCPv6 relays, prefix delegation, DUIDs, authentication, malformed options (craft.py writes the capture)
	NAME=dhcp6craft; $PY craft.py dhcp6 "$TMP/$NAME.pcap"; CAP=; golden
}

s_hsrpcraft() { # HSRP v0 in every op code and state, odd fields, HSRPv2, cut short (craft.py writes the capture: no HSRP router is cheap here)
	NAME=hsrpcraft; $PY craft.py hsrp "$TMP/$NAME.pcap"; CAP=; golden
}

s_mplscraft() { # MPLS label stacks, reserved labels, IPv4/IPv6/unknown payloads, in GRE and 802.1Q, cut short (craft.py writes the capture: this kernel has no MPLS routing)
	NAME=mplscraft; $PY craft.py mpls "$TMP/$NAME.pcap"; CAP=; golden
}

s_ipseccraft() { # ESP and AH over IPv4/IPv6, AH before other protocols, ICV sizes, cut short (craft.py writes the capture: this kernel has no xfrm ESP/AH)
	NAME=ipseccraft; $PY craft.py ipsec "$TMP/$NAME.pcap"; CAP=; golden
}

s_ospfcraft() { # OSPFv2 hellos, DB descriptions, LS requests, updates (router, network, summary, external, NSSA, group, opaque TE, grace and router information LSAs) and acks, every authentication type, LLS, malformed and cut short (craft.py writes the capture: no OSPF router is cheap here)
	NAME=ospfcraft; $PY craft.py ospf "$TMP/$NAME.pcap"; CAP=; VV=1 golden
}

s_bgpcraft() { # BGP capabilities, attributes, NLRI and notifications bird does not send, malformed and cut short (craft.py writes the capture)
	NAME=bgpcraft; $PY craft.py bgp "$TMP/$NAME.pcap"; CAP=; VV=1 golden
}

s_pimcraft() { # PIMv2 messages of every type with their options, encodings, bad checksums, malformed and cut short (craft.py writes the capture: this kernel has no multicast routing, so pimd cannot run here)
	NAME=pimcraft; $PY craft.py pim "$TMP/$NAME.pcap"; CAP=; VV=1 golden
}

s_lldpcraft() { # LLDP TLVs lldpd does not send (craft.py writes the capture)
	NAME=lldpcraft; $PY craft.py lldp "$TMP/$NAME.pcap"; CAP=; golden
}

s_ospf6craft() { # OSPFv3 LLS data, authentication trailers, virtual and unknown router links, prefix options, external LSAs with every optional field, LSA types printed as hex, malformed and cut short (craft.py writes the capture)
	NAME=ospf6craft; $PY craft.py ospf6 "$TMP/$NAME.pcap"; CAP=; VV=1 golden
}

s_wificraft() { # 802.11 behind radiotap headers: radiotap fields of every kind, management, control and data frames, protected frames, malformed and cut short (craft.py writes the capture: no mac80211_hwsim or monitor interface here)
	NAME=wificraft; $PY craft.py wifi "$TMP/$NAME.pcap"; CAP=; VV=1 golden
}

s_wifiplaincraft() { # the wificraft frames without their radiotap headers (link type 105)
	NAME=wifiplaincraft; $PY craft.py wifiplain "$TMP/$NAME.pcap"; CAP=; VV=1 golden
}

# birdconf ID AS PEER PEERAS PEER6 SELF6 N: a bird2 config for one side of the bgp scenario.
birdconf() {
	cat <<EOC
router id $1;
protocol device {}
protocol static s4 { ipv4; route 10.1$7.0.0/16 blackhole; route 172.16.$7.0/24 blackhole; route 192.168.$7.128/25 blackhole; }
protocol static s6 { ipv6; route 2001:db8:$7::/48 blackhole; route 2001:db8:$7:3::/64 blackhole; }
filter out4 { bgp_community.add(($2,100)); bgp_community.add((65535,65281)); bgp_large_community.add(($2,1,2)); bgp_med = 50; bgp_ext_community.add((rt,$2,7)); accept; }
protocol bgp peer4 {
	local $1 as $2; neighbor $3 as $4;
	ipv4 { import all; export filter out4; add paths on; };
	graceful restart on; long lived graceful restart on; connect delay time 1;
}
protocol bgp peer6 {
	local as $2; neighbor $5 as $4; source address ${6}; connect delay time 1;
	ipv6 { import all; export all; };
}
EOC
}

s_bgp() { # bird2 BGP over IPv4 (IPv4 unicast, add-path, graceful restart, communities) and IPv6 (MP_REACH/MP_UNREACH): OPEN, UPDATE, KEEPALIVE, ROUTE-REFRESH, withdrawals, NOTIFICATION with a shutdown communication
	net
	chmod 755 "$TMP"
	birdconf 10.77.0.1 65001 10.77.0.2 65002 fd77::2 fd77::1 1 >"$TMP/birda.conf"
	birdconf 10.77.0.2 65002 10.77.0.1 65001 fd77::1 fd77::2 2 >"$TMP/birdb.conf"
	cap bgp tcp port 179
	ip netns exec $A bird -f -c "$TMP/birda.conf" -s "$TMP/birda.ctl" -P "$TMP/birda.pid" >"$TMP/birda.log" 2>&1 & BA=$!
	ip netns exec $B bird -f -c "$TMP/birdb.conf" -s "$TMP/birdb.ctl" -P "$TMP/birdb.pid" >"$TMP/birdb.log" 2>&1 & BB=$!
	bc() { local s=$1; shift; birdc -s "$TMP/$s.ctl" "$@"; }
	until [ "$(bc birda show protocols 2>/dev/null | grep -c Established)" = 2 ] &&
		bc birdb show route count 2>/dev/null | grep -q 'Total: 10 of 10 routes'; do sleep 0.1; done
	bc birdb reload in peer4 >/dev/null
	bc birdb reload in peer6 >/dev/null
	bc birda disable s6 >/dev/null
	bc birda disable s4 >/dev/null
	until bc birdb show route count 2>/dev/null | grep -q 'Total: 5 of 5 routes'; do sleep 0.1; done
	bc birda disable peer4 '"going down for maintenance"' >/dev/null
	bc birda disable peer6 >/dev/null
	until [ "$(bc birdb show protocols 2>/dev/null | grep -c Established)" = 0 ]; do sleep 0.1; done
	kill $BA $BB; wait $BA $BB 2>/dev/null || true
	VV=1 stop
}

s_eapol() { # wired 802.1X: hostapd's EAP server, wpa_supplicant with EAP-MD5, PEAP/MSCHAPv2, TTLS/PAP and TLS, and a wrong password
	net bare
	openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=corpus -keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>/dev/null
	printf '"alice"\tMD5\t"secret"\n"bob"\tPEAP\n"bob"\tMSCHAPV2\t"secret"\t[2]\n"carol"\tTTLS\n"carol"\tTTLS-PAP\t"secret"\t[2]\n"dave"\tTLS\n' >"$TMP/eap_user"
	printf 'interface=veth0\ndriver=wired\nieee8021x=1\neap_server=1\neap_user_file=%s/eap_user\neapol_version=2\nserver_cert=%s/cert.pem\nprivate_key=%s/key.pem\nfragment_size=600\n' \
		"$TMP" "$TMP" "$TMP" >"$TMP/hostapd.conf"
	cap eapol ether proto 0x888e
	chmod -R a+rX "$TMP"
	ip netns exec $A hostapd "$TMP/hostapd.conf" >"$TMP/hostapd.log" 2>&1 & H=$!
	ready "$TMP/hostapd.log" "AP-ENABLED"
	for n in 'eap=MD5;identity="alice";password="secret"' 'eap=MD5;identity="alice";password="wrong"' \
		'eap=PEAP;identity="bob";password="secret";phase2="auth=MSCHAPV2"' \
		'eap=TTLS;identity="carol";password="secret";phase2="auth=PAP"' \
		'eap=TLS;identity="dave";client_cert="'"$TMP"'/cert.pem";private_key="'"$TMP"'/key.pem"'; do
		printf 'ap_scan=0\nnetwork={\n key_mgmt=IEEE8021X\n eapol_flags=0\n %s\n}\n' "$(echo "$n" | sed 's/;/\n /g')" >"$TMP/wpa.conf"
		b timeout 4 wpa_supplicant -Dwired -i veth1 -c "$TMP/wpa.conf" >>"$TMP/wpa.log" 2>&1 || true
	done
	stop; kill $H
}

s_radius() { # freeradius with radclient (Access, Accounting, Status-Server, CoA to a closed port) and hostapd as an 802.1X authenticator asking it over RADIUS, captured on lo
	net bare
	b ip link set lo up
	cp -r /etc/freeradius/3.0 "$TMP/raddb"
	printf 'alice Cleartext-Password := "secret", Session-Timeout := 3600\n\tReply-Message = "hello alice", Tunnel-Type = VLAN, Tunnel-Medium-Type = IEEE-802, Tunnel-Private-Group-Id = "100"\n' \
		>>"$TMP/raddb/mods-config/files/authorize"
	chmod -R a+rX "$TMP"
	ip netns exec $B freeradius -f -d "$TMP/raddb" -l stdout >"$TMP/radius.log" 2>&1 & R=$!
	ready "$TMP/radius.log" "Ready to process requests"
	cap radius -i lo udp
	r() { b radclient -r 1 -t 1 "$@" >/dev/null 2>&1 || true; }
	echo 'User-Name = "alice", User-Password = "secret", NAS-IP-Address = 127.0.0.1, NAS-Port = 7, Calling-Station-Id = "02-77-00-00-00-02"' | r 127.0.0.1:1812 auth testing123
	echo 'User-Name = "alice", User-Password = "wrong", NAS-Port-Type = Ethernet, Cisco-AVPair = "shell:priv-lvl=15"' | r 127.0.0.1:1812 auth testing123
	echo 'User-Name = "alice", Acct-Status-Type = Start, Acct-Session-Id = "0001", Framed-IP-Address = 10.77.0.2, Event-Timestamp = 1796601600' | r 127.0.0.1:1813 acct testing123
	echo 'User-Name = "alice", Acct-Status-Type = Stop, Acct-Session-Id = "0001", Acct-Session-Time = 4000, Acct-Terminate-Cause = User-Request, Acct-Input-Octets = 1234' | r 127.0.0.1:1813 acct testing123
	echo 'Message-Authenticator = 0x00' | r 127.0.0.1:1812 status testing123
	echo 'User-Name = "alice", Acct-Session-Id = "0001"' | r 127.0.0.1:3799 coa testing123
	echo 'User-Name = "alice"' | r 127.0.0.1:3799 disconnect testing123
	# hostapd (B) relays an EAP-MD5 exchange from wpa_supplicant (A) to freeradius.
	printf 'interface=veth1\ndriver=wired\nieee8021x=1\neapol_version=2\nown_ip_addr=127.0.0.1\nnas_identifier=corpus-nas\nauth_server_addr=127.0.0.1\nauth_server_port=1812\nauth_server_shared_secret=testing123\nacct_server_addr=127.0.0.1\nacct_server_port=1813\nacct_server_shared_secret=testing123\n' >"$TMP/hostapd.conf"
	ip netns exec $B hostapd "$TMP/hostapd.conf" >"$TMP/hostapd.log" 2>&1 & H=$!
	ready "$TMP/hostapd.log" "AP-ENABLED"
	printf 'ap_scan=0\nnetwork={\n key_mgmt=IEEE8021X\n eapol_flags=0\n eap=MD5\n identity="alice"\n password="secret"\n}\n' >"$TMP/wpa.conf"
	a timeout 4 wpa_supplicant -Dwired -i veth0 -c "$TMP/wpa.conf" >>"$TMP/wpa.log" 2>&1 || true
	VV=1 stop; kill $H $R
}

s_radiuscraft() { # RADIUS attributes freeradius does not send here, malformed and cut short (craft.py writes the capture)
	NAME=radiuscraft; $PY craft.py radius "$TMP/$NAME.pcap"; CAP=; VV=1 golden
}

s_eapcraft() { # EAPOL frame types, EAP types (SIM, AKA, FAST, NAK, notification), length mismatches, cut short (craft.py writes the capture)
	NAME=eapcraft; $PY craft.py eap "$TMP/$NAME.pcap"; CAP=; golden
}

s_sctpcraft() { # SCTP associations' chunks (INIT to SHUTDOWN COMPLETE, SACK gaps and duplicates, ABORT, ERROR, ECN, FORWARD TSN), IPv6, bogus lengths, cut short (craft.py writes the capture: this host's kernel has no SCTP)
	NAME=sctpcraft; $PY craft.py sctp "$TMP/$NAME.pcap"; CAP=; VV=1 golden
}

# bird6conf ID EXTRA: a bird2 OSPFv3 config for one side of the ospf6 scenario.
bird6conf() {
	cat <<EOC
router id $1;
protocol device {}
protocol direct { ipv6; }
$2
EOC
}

s_ospf6() { # bird2 OSPFv3 between two namespaces: A an ABR (area 1 on a second link) and ASBR (static routes with tags and a forwarding address), B in area 0: hellos, DR election, DB descriptions, LS requests, updates (router, network, inter-area prefix, external, link and intra-area prefix LSAs), acks, an external route withdrawn (flushed LSA)
	net
	chmod 755 "$TMP"
	ip link add sccv2-$$ type veth peer name sccv3-$$
	ip link set sccv2-$$ netns $A name veth2; ip link set sccv3-$$ netns $A name veth3
	a ip addr add fd78::1/64 dev veth2 nodad; a ip addr add fd78:1::1/64 dev veth2 nodad
	a ip link set veth2 up; a ip link set veth3 up
	bird6conf 10.77.0.1 'protocol static s6 { ipv6; route 2001:db8:5::/48 via fd77::2; route 2001:db8:6::/48 blackhole; route 2001:db8:7::/56 blackhole; }
filter ext { if net = 2001:db8:6::/48 then { ospf_metric2 = 30; ospf_tag = 77; } if net = 2001:db8:7::/56 then ospf_metric1 = 5; accept; }
protocol ospf v3 o6 { ipv6 { import all; export filter ext; }; ecmp no;
	area 0 { interface "veth0" { type broadcast; hello 1; dead 40; wait 2; priority 5; }; };
	area 1 { interface "veth2" { stub; }; }; }' >"$TMP/birda.conf"
	bird6conf 10.77.0.2 'protocol ospf v3 o6 { ipv6 { import all; export none; };
	area 0 { interface "veth1" { type broadcast; hello 1; dead 40; wait 2; priority 1; }; }; }' >"$TMP/birdb.conf"
	cap ospf6 ip6 proto 89
	ip netns exec $A bird -f -c "$TMP/birda.conf" -s "$TMP/birda.ctl" -P "$TMP/birda.pid" >"$TMP/birda.log" 2>&1 & BA=$!
	ip netns exec $B bird -f -c "$TMP/birdb.conf" -s "$TMP/birdb.ctl" -P "$TMP/birdb.pid" >"$TMP/birdb.log" 2>&1 & BB=$!
	bc() { local s=$1; shift; birdc -s "$TMP/$s.ctl" "$@"; }
	until bc birdb show route 2>/dev/null | grep -q 2001:db8:7::/56 &&
		bc birdb show route 2>/dev/null | grep -q fd78:1::/64; do sleep 0.1; done
	bc birda disable s6 >/dev/null
	until ! bc birdb show route 2>/dev/null | grep -q 2001:db8:7::/56; do sleep 0.1; done
	kill $BA $BB; wait $BA $BB 2>/dev/null || true
	VV=1 stop
}

s_snapcraft() { # SNAP under Cisco's OUI (DTP, VTP summary/subset/request/join, UDLD, PVST+), RFC 1042 and RFC 2684 bridged frames, 802.3 lengths other than the frame's, malformed and cut short (craft.py writes the capture: no Cisco switch here)
	NAME=snapcraft; $PY craft.py snap "$TMP/$NAME.pcap"; CAP=; VV=1 golden
}

all="dhcp dhcp6 http smtp textproto ssh tftp ntp snmp syslog icmp mld vlan tunnels mptcp frag vrrp stp misc lldp lldpcraft cdp cdpcraft ptp ptpcraft bfdcraft dhcp6craft hsrpcraft mplscraft ipseccraft ospfcraft bgp bgpcraft pimcraft eapol radius radiuscraft eapcraft sctpcraft ospf6 ospf6craft wificraft wifiplaincraft snapcraft"
for s in ${@:-$all}; do s_$s; done
