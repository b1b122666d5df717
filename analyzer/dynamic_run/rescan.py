"""Late canaries: a request can reach the proxy before the value it carries reaches the canary
store. The app reads the IMEI and posts it a millisecond later, while the agent's message about
the read is still on its way (Frida's message thread, then the session worker). The live match
then misses it.

`RequestKeeper` is a mitmproxy addon placed right after the analysis addon (before any addon
that reroutes the request): it keeps what was analysed (bounded in count and bytes) so that, once the run is over and the store holds every
value the agent saw, `rescan` analyses each kept request again and replaces the live result.
Ids, times, consent phase and app state of the events stay as recorded live.
"""
from __future__ import annotations

import dataclasses
import threading
from privascope.model import TrafficEvent


class RequestKeeper:
    def __init__(self, max_requests: int = 5000, max_bytes: int = 64 << 20,
                 max_body: int = 4 << 20):
        self.max_requests = max_requests
        self.max_bytes = max_bytes
        self.max_body = max_body
        self._lock = threading.Lock()
        # The analysis addon works off the proxy's thread and reports events without their
        # flow: a request and its event meet again by (arrival time, host, method).
        self._pending: dict[tuple, object] = {}
        self._views: dict[str, object] = {}  # traffic event id -> RequestView
        self._bytes = 0
        self.dropped = 0  # requests not kept (over the bounds): their live result stands

    @staticmethod
    def _key(time: float, host: str, method: str) -> tuple:
        return (round(time, 6), host, method)

    def request(self, flow) -> None:
        """mitmproxy hook, on the proxy's thread, after the analysis addon took its copy."""
        from privascope.hooks.mitm_addon import request_view

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

    def rescan(self, analyzer, events: list[TrafficEvent]) -> list[TrafficEvent]:
        """Each kept request analysed again with the final canary store."""
        if analyzer is None:
            return events
        out = []
        with self._lock:
            views = dict(self._views)
        for event in events:
            view = views.get(event.id)
            if view is None:
                out.append(event)
                continue
            fresh = analyzer.analyze_request(view, (event.consent_phase, event.app_state))
            out.append(dataclasses.replace(
                event, matches=fresh.matches, path=fresh.path, truncated=fresh.truncated,
                related_events=tuple(dict.fromkeys(event.related_events + fresh.related_events))))
        return out

    def forget(self) -> None:
        """Drop the kept requests: they hold personal data."""
        with self._lock:
            self._views.clear()
            self._pending.clear()
            self._bytes = 0
