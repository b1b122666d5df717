"""A local stand-in for the internet, for runs of the JVM host app.

The host app posts to `alog.umeng.com` and `api.privhost.example` through the proxy. Those names
must never be resolved or reached: `RouteToSink`, a mitmproxy addon registered after the
analysis addon, rewrites the destination of every request to `LocalSink` on 127.0.0.1 while
keeping the Host header. The analysis addon has already seen the request with its original
host in the same `request` hook (addons run in registration order), so the evidence names the
host the app asked for. Chosen over upstream mode because it needs no proxy mode change and
also covers requests that carry no absolute URL.
"""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Optional

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


class RouteToSink:
    """mitmproxy addon: send every request to the local sink instead of its real host."""

    def __init__(self, port: int):
        self.port = port
        self.routed = 0

    def request(self, flow) -> None:
        req = flow.request
        host_header = req.host_header
        flow.metadata["privascope_original_destination"] = (req.host, req.port)
        req.scheme = "http"  # the sink speaks plain HTTP; TLS was ended by the proxy
        req.host = LOOPBACK  # also rewrites Host/authority: restore the app's below
        req.port = self.port
        if host_header is not None:
            req.host_header = host_header
        self.routed += 1
