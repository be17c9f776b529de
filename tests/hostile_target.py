#!/usr/bin/env python3
"""A hostile url-fetch target, for tests: it answers GET /health as the
contract says (so the runner's check passes) and every other request in one
of the ways a broken or malicious server would. Bounded: each connection
ends after --limit-s seconds or --limit-mb MiB sent, and the server after
--lifetime-s, so a client that never gives up cannot keep it running.

Usage: hostile_target.py MODE [--lifetime-s S]; prints "listening on PORT".
"""
import argparse
import socket
import sys
import threading
import time

HEALTH = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
STATUS = b"HTTP/1.1 200 OK\r\n"

# mode: what follows a request for an item
MODES = {
    "silent": "reads the request and never answers",
    "garbage": "answers 4 KiB of bytes that are no HTTP, then closes",
    "endless-chunked": "a 200 with a chunked body that never ends",
    "lying-length": "a 200 that says Content-Length: 10 GB, sends 1 KiB and stalls",
    "huge-status-body": "a 500 that says Content-Length: 10 GB and sends it",
    "many-headers": "a 200 with 100,000 headers",
    "endless-line": "a status line, then a header line that never ends",
    "http09": "the body alone, no status line or headers (HTTP/0.9), then closes",
    "redirect-loop": "a 302 to the same item, forever",
    "slow-drip": "a 200 of the right length, one byte every 0.2 s: each read is quick, the whole is not",
    "smuggled": "a 200 with both Content-Length and Transfer-Encoding: chunked, bodies that disagree",
}


def serve_item(conn, mode, limit_s, limit_bytes):
    end = time.monotonic() + limit_s
    sent = 0

    def send(data):
        nonlocal sent
        if time.monotonic() > end or sent > limit_bytes:
            raise TimeoutError
        conn.sendall(data)
        sent += len(data)

    if mode == "silent":
        while time.monotonic() < end and conn.recv(4096):
            pass
    elif mode == "garbage":
        send(bytes((i * 131 + 7) % 256 for i in range(4096)))
    elif mode == "endless-chunked":
        send(STATUS + b"Transfer-Encoding: chunked\r\n\r\n")
        chunk = b"%x\r\n" % 65536 + b"x" * 65536 + b"\r\n"
        while True:
            send(chunk)
    elif mode == "lying-length":
        send(STATUS + b"Content-Length: 10000000000\r\n\r\n" + b"x" * 1024)
        while time.monotonic() < end and conn.recv(4096):
            pass
    elif mode == "huge-status-body":
        send(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 10000000000\r\n\r\n")
        block = b"e" * 65536
        while True:
            send(block)
    elif mode == "many-headers":
        send(STATUS + b"".join(b"X-H%d: v\r\n" % i for i in range(100_000)) + b"Content-Length: 0\r\n\r\n")
    elif mode == "endless-line":
        send(STATUS + b"X-Endless: ")
        block = b"a" * 65536
        while True:
            send(block)
    elif mode == "http09":
        send(b"x" * 1024)
    elif mode == "redirect-loop":
        send(b"HTTP/1.1 302 Found\r\nLocation: /item/0?size=1024&delay_us=0\r\nContent-Length: 0\r\n\r\n")
        while time.monotonic() < end and conn.recv(4096):
            send(b"HTTP/1.1 302 Found\r\nLocation: /item/0?size=1024&delay_us=0\r\nContent-Length: 0\r\n\r\n")
    elif mode == "slow-drip":
        send(STATUS + b"Content-Length: 1024\r\n\r\n")
        while True:
            send(b"x")
            time.sleep(0.2)
    elif mode == "smuggled":
        send(STATUS + b"Content-Length: 1024\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
        while time.monotonic() < end and conn.recv(4096):
            pass


def handle(conn, mode, limit_s, limit_bytes):
    try:
        conn.settimeout(limit_s)
        request = b""
        while b"\r\n\r\n" not in request and len(request) < 65536:
            data = conn.recv(4096)
            if not data:
                return
            request += data
        if request.startswith(b"GET /health"):
            conn.sendall(HEALTH)
            return
        serve_item(conn, mode, limit_s, limit_bytes)
    except (OSError, TimeoutError):
        pass
    finally:
        conn.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=sorted(MODES))
    parser.add_argument("--limit-s", type=float, default=20)
    parser.add_argument("--limit-mb", type=int, default=512)
    parser.add_argument("--lifetime-s", type=float, default=300)
    args = parser.parse_args()
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(256)
    listener.settimeout(0.5)
    print(f"listening on {listener.getsockname()[1]}", flush=True)
    end = time.monotonic() + args.lifetime_s
    while time.monotonic() < end:
        try:
            conn, _ = listener.accept()
        except socket.timeout:
            continue
        threading.Thread(target=handle, args=(conn, args.mode, args.limit_s, args.limit_mb << 20), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
