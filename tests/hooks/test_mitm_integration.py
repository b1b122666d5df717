"""A real `mitmdump` subprocess on 127.0.0.1 running hooks/mitm_addon.py, real HTTP and HTTPS
clients and servers on loopback; the addon's JSONL output is checked."""
import base64
import gzip
import hashlib
import json
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from privascope.jsonlines import read_objects
from privascope.model import TrafficEvent
from tests.hooks.servers import local_server, via_proxy
from tests.traffic.values import ANDROID_ID, IMEI, LAT, LON, PHONE

REPO = Path(__file__).resolve().parents[2]
MITMDUMP = Path(sys.executable).with_name("mitmdump")


@pytest.fixture
def mitmdump(tmp_path):
    known = tmp_path / "known.txt"
    known.write_text(f"device.imei={IMEI}\ndevice.android_id={ANDROID_ID}\n")
    known.chmod(0o600)
    out = tmp_path / "traffic.jsonl"
    confdir = tmp_path / "mitm"
    proc = subprocess.Popen(
        [str(MITMDUMP), "--listen-host", "127.0.0.1", "--listen-port", "0",
         "--set", f"confdir={confdir}", "--set", "ssl_insecure=true",
         "-s", str(REPO / "hooks" / "mitm_addon.py"),
         "--set", f"privascope_known={known}", "--set", f"privascope_out={out}",
         "--set", "privascope_first_party=localhost"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path)
    lines, port = [], {}
    ready = threading.Event()

    def reader():  # keep draining stdout so mitmdump never blocks on a full pipe
        for line in proc.stdout:
            lines.append(line)
            m = re.search(r"proxy listening at .*?:(\d+)", line)
            if m:
                port["p"] = int(m.group(1))
                ready.set()
        ready.set()

    threading.Thread(target=reader, daemon=True).start()
    ready.wait(60)
    if "p" not in port:
        proc.kill()
        pytest.fail("mitmdump did not start:\n" + "".join(lines[-20:]))
    try:
        yield port["p"], confdir / "mitmproxy-ca-cert.pem", out, lines
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.mark.slow
def test_real_mitmdump_http_and_https(mitmdump, tmp_path):
    proxy, ca, out, log_lines = mitmdump
    with local_server(tmp_path) as (tls_port, tls_got), local_server() as (port, got):
        # HTTPS: IMEI as MD5 in JSON
        body = json.dumps({"did": hashlib.md5(IMEI.encode()).hexdigest(), "v": 3}).encode()
        assert via_proxy(proxy, "https", tls_port, "POST", "/v1/register", body,
                         {"Content-Type": "application/json"}, ca) == 200
        # HTTPS: ANDROID_ID base64 in a gzip body
        zipped = gzip.compress(f"event=start&a={base64.b64encode(ANDROID_ID.encode()).decode()}".encode())
        assert via_proxy(proxy, "https", tls_port, "POST", "/collect", zipped,
                         {"Content-Type": "text/plain", "Content-Encoding": "gzip"}, ca) == 200
        # HTTP: a location in a query
        assert via_proxy(proxy, "http", port, "GET", "/geo?" + urlencode({"lat": LAT, "lng": LON})) == 200
        # HTTP: a phone number in a form
        assert via_proxy(proxy, "http", port, "POST", "/login", urlencode({"mobile": PHONE}).encode(),
                         {"Content-Type": "application/x-www-form-urlencoded"}) == 200
        deadline = time.time() + 20
        while time.time() < deadline and len(read_objects(out, "traffic_event", TrafficEvent)) < 4:
            time.sleep(0.1)
    # The servers got the requests unchanged (the addon only observes).
    assert [r[1] for r in tls_got] == ["/v1/register", "/collect"]
    assert gzip.decompress(tls_got[1][3]).startswith(b"event=start")
    assert got[1][3] == urlencode({"mobile": PHONE}).encode()

    events = read_objects(out, "traffic_event", TrafficEvent)
    assert [(e.scheme, e.method, e.path) for e in events] == [
        ("https", "POST", "/v1/register"), ("https", "POST", "/collect"),
        ("http", "GET", "/geo"), ("http", "POST", "/login")]

    def found(e):
        return {(m.pi_type, m.encoding, m.location, m.key, m.detector) for m in e.matches}

    assert ("device.imei", "md5", "body", "did", "known") in found(events[0])
    assert ("device.android_id", "base64", "body", "a", "known") in found(events[1])
    assert ("location.precise", "raw", "query", "lat", "gps_pair") in found(events[2])
    assert ("phone_number", "raw", "body", "mobile", "cn_mobile") in found(events[3])
    assert not events[0].cleartext and events[3].cleartext
    text = out.read_text()
    for raw in (IMEI, ANDROID_ID, PHONE, LAT, LON, hashlib.md5(IMEI.encode()).hexdigest()):
        assert raw not in text
    assert not any("privascope:" in line and "failed" in line for line in log_lines)


@pytest.mark.slow
def test_bad_option_is_one_line_and_mitmdump_exits(tmp_path):
    proc = subprocess.run(
        [str(MITMDUMP), "--listen-host", "127.0.0.1", "--listen-port", "0",
         "--set", f"confdir={tmp_path / 'mitm'}", "-s", str(REPO / "hooks" / "mitm_addon.py"),
         "--set", f"privascope_known={tmp_path / 'missing.txt'}"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "privascope_known: no such file" in out and "Traceback" not in out
