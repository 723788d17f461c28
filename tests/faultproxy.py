"""A fault-injecting HTTP proxy on 127.0.0.1, between newsdesk and a real Label Studio.

Each fault hits one chosen request (the n-th whose method and path match; n = 0: every one) and
then disarms:
- refuse: the connection is closed before anything is forwarded or answered;
- reset: the same with a TCP reset;
- error: the request is not forwarded, the answer is 503;
- error_after: the request is forwarded (the server does it), the answer is 500;
- hang: nothing is forwarded and nothing answered until the client gives up;
- cut: forwarded, then the answer stops half-way and the connection closes;
- late: forwarded, answered only after `late_s` (past the client's timeout).
"""

from __future__ import annotations

import re
import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

KINDS = ("refuse", "reset", "error", "error_after", "hang", "cut", "late")
HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


@dataclass
class Fault:
    kind: str
    method: str
    path: re.Pattern[str]
    nth: int = 1
    seen: int = 0
    fired: bool = False


@dataclass
class FaultProxy:
    upstream: str
    late_s: float = 4.0
    hang_s: float = 8.0
    faults: list[Fault] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    url: str = ""

    def fault(self, kind: str, method: str, path: str, nth: int = 1) -> Fault:
        """Arm a fault for the n-th request matching `method` and the regex `path`."""
        assert kind in KINDS, kind
        armed = Fault(kind, method, re.compile(path), nth)
        self.faults.append(armed)
        return armed

    def match(self, method: str, path: str) -> Fault | None:
        self.requests.append((method, path))
        for armed in self.faults:
            if armed.fired or armed.method != method or not armed.path.search(path):
                continue
            armed.seen += 1
            if armed.nth == 0:  # every matching request
                return armed
            if armed.seen == armed.nth:
                armed.fired = True
                return armed
        return None


def _handler(proxy: FaultProxy) -> type[BaseHTTPRequestHandler]:
    upstream = httpx.Client(base_url=proxy.upstream, timeout=120)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _any(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            fault = proxy.match(self.command, self.path)
            kind = fault.kind if fault else None
            if kind in ("refuse", "reset"):
                if kind == "reset":
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                self.close_connection = True
                self.connection.close()
                return
            if kind == "hang":
                time.sleep(proxy.hang_s)
                self.close_connection = True
                return
            if kind == "error":
                self._answer(503, b'{"detail": "proxy: unavailable"}', {})
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS}
            answer = upstream.request(self.command, self.path, content=body, headers=headers)
            if kind == "error_after":
                self._answer(500, b'{"detail": "proxy: lost after the server did it"}', {})
            elif kind == "cut":
                self.send_response(answer.status_code)
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content[: len(answer.content) // 2])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
            else:
                if kind == "late":
                    time.sleep(proxy.late_s)
                self._answer(answer.status_code, answer.content, answer.headers)

        def _answer(self, status: int, content: bytes, headers: httpx.Headers | dict) -> None:
            try:
                self.send_response(status)
                for key, value in headers.items():
                    if key.lower() not in HOP_HEADERS and key.lower() != "content-encoding":
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up first, as a real one does

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _any

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@contextmanager
def fault_proxy(upstream: str, **options: float) -> Iterator[FaultProxy]:
    """A proxy in front of `upstream`, on a free port of 127.0.0.1, for one test."""
    proxy = FaultProxy(upstream, **options)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(proxy))
    server.daemon_threads = True
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
