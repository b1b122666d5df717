"""The agent's net:connect records (hooks/frida/src/net.ts) on HotSpot, with the real agent:
the JVM host app's requests through -Dhttp.proxyHost are recorded with the host asked for and
via_proxy true; a program that goes around the proxy (Proxy.NO_PROXY, a raw socket, UDP) is
recorded as such, and privascope.dynamic_run.correlate.bypassing names every one of them."""
from __future__ import annotations

import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from privascope.dynamic_run.correlate import bypassing
from privascope.runtime.session import Session
from privascope.runtime.targets import JDK17_JAVA, JvmTarget
from samples.jvm_host import values as V
from tests.runtime.host_apis import host_catalog
from tests.runtime.jvm_runs import SALT, settle

# RFC 5737 TEST-NET-1: never routed, so the direct connects fail (quickly or by their
# timeout) without reaching anything; the attempt is what is recorded.
TEST_NET = "192.0.2.1"
BYPASS_SOURCE = f"""
import java.net.*;

public class Bypass {{
    public static void main(String[] a) throws Exception {{
        try {{  // an HTTP stack told to use no proxy
            HttpURLConnection c = (HttpURLConnection) new URL("http://{TEST_NET}:8080/x")
                .openConnection(Proxy.NO_PROXY);
            c.setConnectTimeout(300);
            c.getResponseCode();
        }} catch (Exception e) {{ System.out.println("bypass: http " + e); }}
        try (Socket s = new Socket()) {{  // a raw socket, by name (not resolvable: no lookup leaves)
            s.connect(InetSocketAddress.createUnresolved("raw.bypass.invalid", 5222), 300);
        }} catch (Exception e) {{ System.out.println("bypass: socket " + e); }}
        try (DatagramSocket d = new DatagramSocket()) {{  // QUIC-like: UDP to port 443
            d.connect(InetAddress.getByName("{TEST_NET}"), 443);
        }} catch (Exception e) {{ System.out.println("bypass: udp " + e); }}
        System.out.println("bypass: done");
    }}
}}
"""


class Recorder(BaseHTTPRequestHandler):
    def do_POST(self):  # a forward proxy: the absolute URL is the request target
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def _run(target: JvmTarget, catalog, done: str):
    session = Session(target, catalog=host_catalog(catalog), salt=SALT)
    try:
        session.start()
        assert target.wait_output(done, 60), "\n".join(target.output[-20:])
        settle(session)
    finally:
        evidence = session.stop()
    return evidence


@pytest.fixture(scope="module")
def proxied(samples_build, catalog):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    try:
        target = JvmTarget(str(samples_build / "jvm_host" / "classes"), V.MAIN_CLASS,
                           ["--loop", "1", "--interval-ms", "10", "--no-pin-check",
                            "--consent", "accept"],
                           extra_jvm_args=["-Dhttp.proxyHost=127.0.0.1", f"-Dhttp.proxyPort={port}"])
        return _run(target, catalog, "privhost: done"), port
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def direct(catalog, tmp_path_factory):
    src = tmp_path_factory.mktemp("bypass")
    (src / "Bypass.java").write_text(BYPASS_SOURCE, encoding="utf-8")
    javac = Path(JDK17_JAVA).with_name("javac")
    subprocess.run([str(javac), "-d", str(src), str(src / "Bypass.java")], check=True, timeout=120)
    return _run(JvmTarget(str(src), "Bypass"), catalog, "bypass: done")


def test_requests_through_the_proxy_are_recorded_with_their_host_and_via_proxy(proxied):
    evidence, port = proxied
    http = [c for c in evidence.connections if c.kind == "http"]
    assert {V.SDK_HOST, V.APP_HOST} <= {c.host for c in http}, evidence.connections
    assert all(c.via_proxy is True and c.port == 80 for c in http)
    # the sockets under them go to the proxy on loopback, and are recorded once (the Java
    # hook, not again by the libc one)
    sockets = [c for c in evidence.connections if c.kind in ("socket", "native")]
    assert sockets and all((c.ip, c.port) == ("127.0.0.1", port) for c in sockets
                           if c.kind == "socket"), sockets
    assert not [c for c in sockets if c.kind == "native" and c.port == port], sockets
    # ... and they were opened inside the hooked HttpURLConnection call: explained proxy sockets
    assert all(c.in_http for c in sockets if c.kind == "socket"), sockets
    assert "sun.net.www.protocol.http.HttpURLConnection.connect" in evidence.net_hooks
    assert "libc connect" in evidence.net_hooks
    # attributed like a read: the first frame above the HTTP stack (the host app's Sender)
    assert all(c.caller and c.caller.startswith("com.example.privhost.net.Sender.post") for c in http)
    assert bypassing(evidence) == []


def test_connects_around_the_proxy_are_recorded_and_named(direct):
    kinds = {(c.kind, c.host or c.ip, c.port, c.transport, c.via_proxy) for c in direct.connections}
    assert ("http", TEST_NET, 8080, "tcp", False) in kinds, kinds
    assert ("socket", "raw.bypass.invalid", 5222, "tcp", None) in kinds, kinds
    assert ("native", TEST_NET, 443, "udp", None) in kinds, kinds  # below Java: libc connect()
    raw = [c for c in direct.connections if c.host == "raw.bypass.invalid"]
    assert raw and not raw[0].in_http  # a bare socket: no HTTP stack around it
    assert bypassing(direct) == [f"{TEST_NET}:8080", "raw.bypass.invalid:5222", f"{TEST_NET}:443/udp"]
