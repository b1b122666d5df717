"""privascope's proxy check (runtime/adb.py) against the double: issue 11 item 2, the path
device -> adb reverse -> proxy is proven by one real request from the device's shell (toybox
netcat; no curl, no wget, no `nc -z` before toybox 0.8.11) that the proxy receives."""
from __future__ import annotations

import threading

import pytest

from privascope.runtime.adb import proxy_reachable


# ---------------------------------------------------------------- item 2: proxy path


class _Recorder:
    """A mitmproxy addon that records request paths and answers the probe itself."""

    def __init__(self):
        self.paths: list[str] = []
        self._lock = threading.Lock()

    def request(self, flow):
        from mitmproxy import http

        with self._lock:
            self.paths.append(flow.request.pretty_url)
        flow.response = http.Response.make(204)

    def saw(self, token: str) -> bool:
        with self._lock:
            return any(token in p for p in self.paths)


@pytest.mark.parametrize("profile", ["api29-emulator", "api34-emulator", "api35-emulator"])
def test_proxy_path_is_proven_by_a_request(profile, shell_for, tmp_path):
    from privascope.hooks.mitm_runner import start_proxy

    device, sh = shell_for(profile)
    recorder = _Recorder()
    handle = start_proxy([recorder], confdir=tmp_path / "mitm")
    try:
        port = handle.port
        assert proxy_reachable(sh, port) is False  # no adb reverse yet: nothing there
        sh.reverse(port, port)
        assert proxy_reachable(sh, port) is True
        assert recorder.paths, "the proxy saw no request from the device"
        assert proxy_reachable(sh, port, seen=recorder.saw) is True
        assert proxy_reachable(sh, port, seen=lambda token: False) is False
        sh.remove_reverse(port)
        assert proxy_reachable(sh, port) is False
    finally:
        handle.stop()
