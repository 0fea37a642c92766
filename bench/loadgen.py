"""A lean HTTP/1.1 load generator: `python -m bench.loadgen` reads a plan (JSON) on stdin.

It is a separate process so that several of them spread the bench's clients over the machine's
cores: one Python process with 32 client threads would be bound by its own GIL and could cap the
trivial endpoint's rate, flattering any ratio to it. Each connection is a thread with a keep-alive
socket that sends ready-made request bytes and reads the response by its Content-Length, so a
request costs the client a few tens of microseconds.

Plan: {"port", "connections", "seconds", "requests": [{"head": str, "body": str}, ...], "tag"}.
A request's "{uid}" (in head or body) is replaced by a value unique to this request; the
Content-Length is computed after that. The process connects, prints "ready", waits for a line on
stdin, runs `seconds` and prints one JSON line: started/ended (time.monotonic, shared by all
processes), latencies (s) and statuses of every completed request, and up to 5 error samples.
"""

import json
import socket
import sys
import threading
import time


def _read_response(sock: socket.socket, buffer: bytearray) -> tuple[int, bytes, bytearray]:
    """(status, body, rest): one response from a keep-alive connection."""
    while (end := buffer.find(b"\r\n\r\n")) < 0:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("服务端关闭了连接")
        buffer += chunk
    head = bytes(buffer[:end]).decode("latin-1")
    status = int(head.split(" ", 2)[1])
    length = None
    for line in head.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    if length is None:
        raise ValueError(f"响应没有 Content-Length：{head[:200]}")
    total = end + 4 + length
    while len(buffer) < total:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("服务端关闭了连接")
        buffer += chunk
    return status, bytes(buffer[end + 4:total]), buffer[total:]


def _encode(request: dict, uid: str) -> bytes:
    body = request["body"].replace("{uid}", uid).encode()
    head = request["head"].replace("{uid}", uid)
    return f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body


class Connection(threading.Thread):
    def __init__(self, port: int, requests: list[dict], tag: str, offset: int, go: threading.Event, stop_at: list):
        super().__init__(daemon=True)
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.requests, self.tag, self.offset, self.go, self.stop_at = requests, tag, offset, go, stop_at
        self.latencies: list[float] = []
        self.statuses: list[int] = []
        self.errors: list[str] = []
        self.ended = 0.0

    def run(self) -> None:
        self.go.wait()
        buffer, n, count = bytearray(), self.offset, len(self.requests)
        stop = self.stop_at[0]
        while time.monotonic() < stop:
            data = _encode(self.requests[n % count], f"{self.tag}-{n}")
            started = time.perf_counter()
            try:
                self.sock.sendall(data)
                status, body, buffer = _read_response(self.sock, buffer)
            except (OSError, ValueError) as exc:
                self.errors.append(f"{type(exc).__name__}: {exc}")
                break
            self.latencies.append(time.perf_counter() - started)
            self.statuses.append(status)
            if status >= 300 and len(self.errors) < 5:
                self.errors.append(f"{status} {body[:300].decode(errors='replace')}")
            n += 1
        self.ended = time.monotonic()
        self.sock.close()


def main() -> None:
    plan = json.loads(sys.stdin.readline())
    go, stop_at = threading.Event(), [0.0]
    step = max(1, len(plan["requests"]) // plan["connections"])
    connections = [Connection(plan["port"], plan["requests"], f"{plan['tag']}-{i}", i * step, go, stop_at)
                   for i in range(plan["connections"])]
    for c in connections:
        c.start()
    print("ready", flush=True)
    sys.stdin.readline()
    started = time.monotonic()
    stop_at[0] = started + plan["seconds"]
    go.set()
    for c in connections:
        c.join()
    print(json.dumps({
        "started": started, "ended": max(c.ended for c in connections),
        "latencies": [x for c in connections for x in c.latencies],
        "statuses": [s for c in connections for s in c.statuses],
        "errors": [e for c in connections for e in c.errors][:5],
    }), flush=True)


if __name__ == "__main__":
    main()
