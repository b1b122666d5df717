"""mitmproxy addon `RequestKeeper`: keeps a copy of each request the analysis addon saw, so that
the dynamic run can analyse it again once every value the agent read is known (late canaries,
see privascope.dynamic_run.rescan).

Placed right after the analysis addon and before any addon that reroutes the request
(addons run in registration order), so the copy is what the app sent. Bounded in count and
bytes; what is kept holds personal data and is dropped by `forget()`.
"""
from __future__ import annotations

import threading

from privascope.hooks.mitm_addon import PROBE_MARK, request_view
from privascope.model import TrafficEvent
from privascope.traffic.fragments import RequestView


class RequestKeeper:
    def __init__(self, max_requests: int = 5000, max_bytes: int = 64 << 20,
                 max_body: int = 4 << 20):
        self.max_requests = max_requests
        self.max_bytes = max_bytes
        self.max_body = max_body
        self._lock = threading.Lock()
        # The analysis addon works off the proxy's thread and reports events without their
        # flow: a request and its event meet again by (arrival time, host, method).
        self._pending: dict[tuple, RequestView] = {}
        self._views: dict[str, RequestView] = {}  # traffic event id -> RequestView
        self._bytes = 0
        self.dropped = 0  # requests not kept (over the bounds): their live result stands

    @staticmethod
    def _key(time: float, host: str, method: str) -> tuple:
        return (round(time, 6), host, method)

    def request(self, flow) -> None:
        """mitmproxy hook, on the proxy's thread, after the analysis addon took its copy."""
        if flow.metadata.get(PROBE_MARK):
            return  # the set-up's proxy probe: no event will come for it
        view = request_view(flow, self.max_body)
        size = len(view.body) + len(view.path) + sum(len(k) + len(v) for k, v in view.headers)
        with self._lock:
            if len(self._views) + len(self._pending) >= self.max_requests \
                    or self._bytes + size > self.max_bytes:
                self.dropped += 1
                return
            self._pending[self._key(view.time, view.host, view.method)] = view
            self._bytes += size

    def analysed(self, event: TrafficEvent) -> None:
        """Called with every event the analysis addon emits (any thread)."""
        if event.scheme in ("ws", "wss"):
            return  # WebSocket messages are matched live only
        with self._lock:
            view = self._pending.pop(self._key(event.time, event.host, event.method), None)
            if view is not None:
                self._views[event.id] = view

    def kept(self) -> dict[str, RequestView]:
        """Traffic event id -> the request as the app sent it."""
        with self._lock:
            return dict(self._views)

    def forget(self) -> None:
        """Drop the kept requests: they hold personal data."""
        with self._lock:
            self._views.clear()
            self._pending.clear()
            self._bytes = 0
