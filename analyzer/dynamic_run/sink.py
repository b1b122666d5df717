"""A local stand-in for the internet, for runs of the JVM host app.

The host app posts to `alog.umeng.com` and `api.privhost.example` through the proxy. Those names
must never be resolved or reached: the proxy's `RouteToSink` addon (privascope.hooks.mitm_route)
rewrites the destination of every request to `LocalSink` on 127.0.0.1, keeping the Host header.
"""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOOPBACK = "127.0.0.1"


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(min(length, 1 << 20))
        with self.server.lock:
            self.server.hosts.append(self.headers.get("Host", ""))
        body = b'{"status":"ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_HEAD = _answer

    def log_message(self, *args) -> None:  # keep the terminal for privascope's own progress
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, addr):
        super().__init__(addr, _Handler)
        self.lock = threading.Lock()
        self.hosts: list[str] = []


class LocalSink:
    """HTTP server on 127.0.0.1 (ephemeral port) answering 200 to everything, remembering
    the Host header of each request it received (no bodies: they may hold personal data)."""

    def __init__(self) -> None:
        self._server = _Server((LOOPBACK, 0))
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="privascope-sink",
                                        daemon=True)

    def start(self) -> "LocalSink":
        self._thread.start()
        return self

    @property
    def received_hosts(self) -> list[str]:
        with self._server.lock:
            return list(self._server.hosts)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "LocalSink":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

