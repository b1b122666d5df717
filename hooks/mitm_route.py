"""mitmproxy addon `RouteToSink`: sends every request to a local HTTP server on 127.0.0.1
instead of the host the app asked for (JVM host-app runs: nothing leaves the machine; the
server is privascope.dynamic_run.sink.LocalSink).

Registered after the analysis addon: that addon has already seen the request with its original
host in the same `request` hook (addons run in registration order), so the evidence names the
host the app asked for. The Host header is kept. Chosen over upstream mode because it needs no
proxy mode change and also covers requests that carry no absolute URL.
"""
from __future__ import annotations

LOOPBACK = "127.0.0.1"


class RouteToSink:
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
