#!/usr/bin/env python3
"""A line-protocol peer for sniff's capture corpus: `server PORT` answers
each line a client sends with the next canned reply of the protocol on
PORT; `client ADDR PORT` sends that protocol's canned commands and reads a
reply to each. FTP, IMAP, POP3, RTSP and SIP have no daemon in the corpus
script; the exchange is theirs, the sockets are real."""
import socket
import sys

CONVERSATIONS = {
    21: ("220 (vsFTPd 3.0.3)\r\n", [
        ("USER anonymous\r\n", "331 Please specify the password.\r\n"),
        ("PASS guest@\r\n", "230 Login successful.\r\n"),
        ("SYST\r\n", "215 UNIX Type: L8\r\n"),
        ("PWD\r\n", '257 "/" is the current directory\r\n'),
        ("QUIT\r\n", "221 Goodbye.\r\n")]),
    110: ("+OK Dovecot (Debian) ready.\r\n", [
        ("USER alice\r\n", "+OK\r\n"),
        ("PASS secret\r\n", "+OK Logged in.\r\n"),
        ("STAT\r\n", "+OK 1 512\r\n"),
        ("QUIT\r\n", "+OK Logging out.\r\n")]),
    143: ("* OK [CAPABILITY IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE IDLE STARTTLS AUTH=PLAIN] Dovecot (Debian) ready.\r\n", [
        ("a1 CAPABILITY\r\n", "* CAPABILITY IMAP4rev1 IDLE\r\na1 OK Capability completed.\r\n"),
        ("a2 LOGIN alice secret\r\n", "a2 OK Logged in\r\n"),
        ("a3 SELECT INBOX\r\n", "* 1 EXISTS\r\n* 0 RECENT\r\na3 OK [READ-WRITE] Select completed.\r\n"),
        ("a4 LOGOUT\r\n", "* BYE Logging out\r\na4 OK Logout completed.\r\n")]),
    554: (None, [
        ("OPTIONS rtsp://10.77.0.1/stream RTSP/1.0\r\nCSeq: 1\r\n\r\n",
         "RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: DESCRIBE, SETUP, TEARDOWN, PLAY, PAUSE\r\n\r\n"),
        ("DESCRIBE rtsp://10.77.0.1/stream RTSP/1.0\r\nCSeq: 2\r\nAccept: application/sdp\r\n\r\n",
         "RTSP/1.0 404 Not Found\r\nCSeq: 2\r\n\r\n")]),
    5060: (None, [
        ("OPTIONS sip:bob@10.77.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 10.77.0.2:5060;branch=z9hG4bK776asdhds\r\n"
         "From: <sip:alice@10.77.0.2>;tag=1928301774\r\nTo: <sip:bob@10.77.0.1>\r\nCall-ID: a84b4c76e66710\r\n"
         "CSeq: 63104 OPTIONS\r\nContent-Length: 0\r\n\r\n",
         "SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP 10.77.0.2:5060;branch=z9hG4bK776asdhds\r\nCSeq: 63104 OPTIONS\r\n"
         "Content-Length: 0\r\n\r\n")]),
}


def recv_until(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def server(port):
    banner, turns = CONVERSATIONS[port]
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", port))
    ls.listen(1)
    print("ready", flush=True)
    c, _ = ls.accept()
    if banner:
        c.sendall(banner.encode())
    for ask, reply in turns:
        recv_until(c, len(ask))
        c.sendall(reply.encode())
    c.recv(1)
    c.close()


def client(addr, port):
    banner, turns = CONVERSATIONS[port]
    c = socket.create_connection((addr, port))
    if banner:
        recv_until(c, len(banner))
    for ask, reply in turns:
        c.sendall(ask.encode())
        recv_until(c, len(reply))
    c.close()


if __name__ == "__main__":
    if sys.argv[1] == "server":
        server(int(sys.argv[2]))
    else:
        client(sys.argv[2], int(sys.argv[3]))
