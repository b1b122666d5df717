"""The JVM host app's own HTTP requests (what the traffic and end-to-end tests rely on): through a
proxy on 127.0.0.1, the SDK's requests go to the Umeng host with the identifiers raw, MD5 and
base64; the app's request goes to its own host with the location in the query. No agent here."""
from __future__ import annotations

import base64
import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from privascope.runtime.targets import JvmTarget
from samples.jvm_host import values as V


class Recorder(BaseHTTPRequestHandler):
    seen: list = []

    def do_POST(self):  # a forward proxy receives the absolute URL as the request target
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        Recorder.seen.append((self.path, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def proxy():
    Recorder.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def run(samples_build, *args):
    target = JvmTarget(str(samples_build / "jvm_host" / "classes"), V.MAIN_CLASS,
                       ["--loop", "1", "--interval-ms", "10", "--no-pin-check", *args], held=False)
    try:
        target.launch()
        assert target.wait_output("privhost: done", 30), target.output
    finally:
        target.stop()
    return target


def test_requests_go_through_the_loopback_proxy_with_encoded_values(samples_build, proxy):
    run(samples_build, "--proxy", f"127.0.0.1:{proxy}", "--consent", "reject")
    sdk = [(p, b) for p, b in Recorder.seen if p.startswith(f"http://{V.SDK_HOST}/")]
    assert len(sdk) == 2, Recorder.seen  # start-up report, then the post-reject heartbeat
    first = sdk[0][1]
    assert f"imei={V.IMEI}" in first
    assert hashlib.md5(V.IMEI.encode()).hexdigest() in first
    assert base64.b64encode(V.ANDROID_ID.encode()).decode() in first
    assert V.MAC in first and "com.tencent.mm" in first
    assert V.ANDROID_ID in sdk[1][1]


def test_app_sends_location_to_its_own_host_after_accept(samples_build, proxy):
    run(samples_build, "--proxy", f"127.0.0.1:{proxy}", "--consent", "accept")
    app = [p for p, _ in Recorder.seen if p.startswith(f"http://{V.APP_HOST}/")]
    assert app == [f"http://{V.APP_HOST}/v1/nearby?lat={V.LATITUDE}&lng={V.LONGITUDE}"]


def test_without_a_proxy_nothing_leaves_the_machine(samples_build, proxy):
    target = run(samples_build)
    assert Recorder.seen == []
    assert any(f"not sending to {V.SDK_HOST}" in line for line in target.output)


def test_a_non_loopback_proxy_is_refused(samples_build, proxy):
    target = run(samples_build, "--proxy", "192.0.2.1:8080")
    assert any("proxy must be on loopback" in line for line in target.output)
    assert Recorder.seen == []
