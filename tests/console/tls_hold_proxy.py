#!/usr/bin/env python3
"""tls_hold_proxy.py — does egate-host reset a refused TLS handshake?

    tls_hold_proxy.py PORT-FILE HOST-PORT

Listens on 127.0.0.1, an address the kernel picks (written to PORT-FILE once
listening), takes one client and relays it to egate-host at 127.0.0.1:HOST-PORT,
TLS record by record. After the client's Certificate record has gone to the
host, the proxy holds the rest of the client's flight (ClientKeyExchange,
CertificateVerify, ChangeCipherSpec, Finished) until the host has answered
(its fatal alert is waiting to be read), and only then sends it on, and ends
its side. This makes deterministic the race a real client loses now and then:
the rest of its flight reaches a host that has already closed.

A host that closes a refused handshake at once answers the late records with
a reset, and the client's next write fails before it reads the alert (it sees
"connection closed" and not why). A host that lingers reads them and closes
with a FIN. The proxy then hands the client what the host sent (the alert).

Prints one line and exits 0 when the host closed cleanly, 1 when it reset the
connection, 2 on anything else (no client Certificate, a timeout).
"""
import errno
import os
import select
import socket
import struct
import sys
import time

TIMEOUT_S = 30.0
TLS_CHANGE_CIPHER_SPEC, TLS_HANDSHAKE = 20, 22
HS_CERTIFICATE = 11
TCP_CLOSE = 7  # tcpi_state


def die(code, msg):
    print(f"tls_hold_proxy: {msg}", flush=True)
    sys.exit(code)


def records(buf):
    """Split complete TLS records off the front of buf: (records, rest)."""
    out = []
    while len(buf) >= 5:
        n = struct.unpack(">H", buf[3:5])[0]
        if len(buf) < 5 + n:
            break
        out.append(bytes(buf[:5 + n]))
        buf = buf[5 + n:]
    return out, buf


def tcp_state(s):
    return s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[0]


def main():
    if len(sys.argv) != 3:
        die(2, "usage: tls_hold_proxy.py PORT-FILE HOST-PORT")
    port_file, host_port = sys.argv[1], int(sys.argv[2])
    deadline = time.monotonic() + TIMEOUT_S

    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    with open(port_file + ".tmp", "w") as f:
        f.write(f"{ls.getsockname()[1]}\n")
    os.rename(port_file + ".tmp", port_file)
    ls.settimeout(TIMEOUT_S)
    cli, _ = ls.accept()
    srv = socket.create_connection(("127.0.0.1", host_port), timeout=TIMEOUT_S)

    cbuf, held, holding, ccs_seen, flight_done = b"", [], False, False, False
    # 1. relay until the client's Certificate went to the host and the rest of
    #    the client's flight (up to the record after ChangeCipherSpec) is held
    while not flight_done:
        left = deadline - time.monotonic()
        if left <= 0:
            die(2, "timeout before the client's flight was complete")
        watch = [cli] if holding else [cli, srv]
        r, _, _ = select.select(watch, [], [], left)
        if srv in r:
            d = srv.recv(65536)
            if not d:
                die(2, "the host closed before the client sent its certificate")
            cli.sendall(d)
        if cli in r:
            d = cli.recv(65536)
            if not d:
                die(2, "the client closed before its flight was complete")
            recs, cbuf = records(cbuf + d)
            for rec in recs:
                if holding:
                    held.append(rec)
                    if ccs_seen:
                        flight_done = True
                    ccs_seen = ccs_seen or rec[0] == TLS_CHANGE_CIPHER_SPEC
                    continue
                srv.sendall(rec)
                if rec[0] == TLS_HANDSHAKE and len(rec) > 5 and rec[5] == HS_CERTIFICATE:
                    holding = True
    # 2. the host has answered the certificate (its alert is there to read)
    r, _, _ = select.select([srv], [], [], max(0.0, deadline - time.monotonic()))
    if not r:
        die(2, "the host did not answer the client's certificate (was it accepted?)")
    # 3. the rest of the flight reaches the host after it refused; then our end
    try:
        srv.sendall(b"".join(held) + cbuf)
        srv.shutdown(socket.SHUT_WR)
    except OSError as e:
        if e.errno not in (errno.EPIPE, errno.ECONNRESET):
            raise
    # 4. wait until the connection is over: a FIN both ways, or a reset
    while tcp_state(srv) != TCP_CLOSE:
        if time.monotonic() > deadline:
            die(2, f"the host kept the connection open (TCP state {tcp_state(srv)})")
        select.select([], [], [], 0.01)
    err = srv.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    # 5. whatever the host sent (the alert) goes to the client, then the end
    answer = b""
    srv.setblocking(False)
    try:
        while True:
            d = srv.recv(65536)
            if not d:
                break
            answer += d
    except OSError:
        pass
    try:
        cli.sendall(answer)
        cli.shutdown(socket.SHUT_WR)
        cli.settimeout(max(0.1, deadline - time.monotonic()))
        while cli.recv(65536):
            pass
    except OSError:
        pass
    if err != 0:
        die(1, f"the host reset the refused connection ({errno.errorcode.get(err, err)}) "
               f"after {len(held)} late records; {len(answer)} bytes of answer")
    print(f"tls_hold_proxy: the host read {len(held)} late records and closed cleanly; "
          f"{len(answer)} bytes of answer", flush=True)


if __name__ == "__main__":
    main()
