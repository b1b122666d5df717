"""Issue 11 item 3 end to end: `privascope dynamic` against the double, whose Play-services-like
background client (userland/gms-background) sends check-ins through the same global proxy,
carrying the very ANDROID_ID the host app reads. None of its flows may become a finding against
the app: they are device traffic, kept apart with their reason.

Needs the whole Frida path on the double (app spawned under the agent). Until that exists the
run stops at Frida's first attach ("jailed Android": the double's frida-server is a stand-in)
and this test is skipped, saying so."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.device_double.test_dynamic_cli import REPO, double_process  # noqa: F401 - fixture

PKG = "com.example.clean"
MAIN = "com.example.privhost.HostMain"
GMS = "android.clients.google.com"


def test_no_finding_cites_the_background_clients_flows(double_process, samples_build,  # noqa: F811
                                                       tmp_path):
    classes = samples_build / "jvm_host" / "classes"
    port, serial = double_process("api34-emulator", apps=[f"{PKG}=jvm:{classes}:{MAIN}"])
    env = dict(os.environ, ANDROID_ADB_SERVER_PORT=str(port))
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "privascope.cli", "dynamic",
                        str(samples_build / "clean.apk"), "--serial", serial, "--scenario",
                        "full", "--format", "json", "-o", str(out)], cwd=REPO, env=env,
                       capture_output=True, text=True, timeout=420)
    if "jailed Android" in r.stderr:
        pytest.skip("the end-to-end Frida path on the double is not there yet (the run stops at "
                    "Frida's first attach: 'jailed Android'); the unit tests in "
                    "tests/dynamic_run/test_correlate.py cover the decision")
    assert r.returncode in (0, 1), r.stderr[-3000:]
    bundle = json.loads((out / "bundle.json").read_text(encoding="utf-8"))
    hosts = {t["id"]: t["host"] for t in bundle["traffic"] + bundle["device_traffic"]}
    cited = {ref["id"] for f in bundle["findings"] for ref in f["evidence"]
             if ref["kind"] == "traffic_event"}
    assert all(hosts.get(i) != GMS for i in cited), [f["rule"] for f in bundle["findings"]]
    gms = [t for t in bundle["device_traffic"] if t["host"] == GMS]
    assert gms, "the background client's check-ins reached the proxy"
    assert all(t["origin"] == "device" and t["origin_reason"] for t in gms)
    assert all(t["host"] != GMS for t in bundle["traffic"])
    # the app's own requests stay the app's, with their findings
    assert any(t["origin"] == "app" for t in bundle["traffic"]), bundle["traffic"]
    assert cited, "the host app's own requests carry its identifiers: findings remain"
