"""`privascope dynamic APP.apk --serial SERIAL` against the double, as a user runs it
(ANDROID_ADB_SERVER_PORT names the double's adb server): the whole device set-up - frida-server
started as root, APK installed, proxy path proven by a request, system CA overlay - goes through
the real adb protocol and the real shell; then every app process is spawned held before its
code (the double's app_process: a JVM program with its VM up, as zygote gives an app ART),
hooked by the real agent through Frida's local device (the double's Frida adapter, handed over
by PRIVASCOPE_FRIDA_DEVICE), resumed once the hooks are live, driven through the scenario on
the double's screen, and teardown puts the device back."""
from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
from pathlib import Path

import adbutils
import pytest

from tests.device_double.device import DEBUG_DIR

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def double_process():
    procs = []

    def start(profile: str, apps: tuple[str, ...] | list[str] = ()):
        port = _free_port()
        p = subprocess.Popen([sys.executable, "-m", "tests.device_double", "--profile", profile,
                              "--adb-port", str(port), *[a for spec in apps for a in ("--app", spec)]],
                             cwd=REPO, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        procs.append(p)
        ready, _, _ = select.select([p.stdout], [], [], 30)
        assert ready, "the double did not start within 30 s"
        serial = p.stdout.readline().split()[-1]
        return port, serial

    yield start
    for p in procs:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=10)


ADAPTER = "tests.device_double.frida_device:device_for"
VIOLATING = "com.example.sdkapp"  # sdk.apk: the Umeng-like SDK's package
CLEAN = "com.example.clean"
# seconds per scenario phase: the host app's whole work (start-up reads, dialog, 5 ticks of
# 1 s) falls inside the full scenario's observation windows
DURATION = "4"


def _apps(samples_build) -> list[str]:
    classes = samples_build / "jvm_host" / "classes"
    return [f"{VIOLATING}=jvm:{classes}:com.example.privhost.ViolatingMain",
            f"{CLEAN}=jvm:{classes}:com.example.privhost.CleanMain"]


def _dynamic(port: int, serial: str, apk: Path, out: Path, *extra: str):
    env = dict(os.environ, ANDROID_ADB_SERVER_PORT=str(port), PRIVASCOPE_FRIDA_DEVICE=ADAPTER)
    return subprocess.run([sys.executable, "-m", "privascope.cli", "dynamic", str(apk),
                           "--serial", serial, "--scenario", "full", "--duration", DURATION,
                           "--format", "json", "-o", str(out), *extra],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


def _restored(port: int, serial: str, package: str) -> None:
    dev = adbutils.AdbClient(host="127.0.0.1", port=port).device(serial)
    assert package in dev.list_packages()
    # what privascope changed on the device is put back, the app is stopped
    assert dev.shell("settings get global http_proxy") in ("null", ":0")
    assert dev.reverse_list() == []
    assert dev.shell("pidof frida-server") == ""
    assert "cacerts" not in dev.shell("mount")
    assert dev.shell(f"pidof {package}") == ""
    assert dev.shell(f"ls {DEBUG_DIR}") == ""  # no process left held


def _bundle(out: Path) -> dict:
    return json.loads((out / "bundle.json").read_text(encoding="utf-8"))


def _rules(bundle: dict, *pi: str) -> set[str]:
    return {f["rule"] for f in bundle["findings"] if not pi or set(f["pi_types"]) & set(pi)}


def _observed_rules(bundle: dict) -> dict[str, set[str]]:
    """rule -> PI types, of the findings the run observed (runtime or traffic evidence)."""
    rules: dict[str, set[str]] = {}
    for f in bundle["findings"]:
        if {e["kind"] for e in f["evidence"]} & {"runtime_event", "traffic_event"}:
            rules.setdefault(f["rule"], set()).update(f["pi_types"])
    return rules


def _jvm_run(samples_build, out: Path, *args: str) -> dict:
    classes = samples_build / "jvm_host" / "classes"
    program = " ".join([f"jvm:{classes}:com.example.privhost.HostMain", *args])
    r = subprocess.run([sys.executable, "-m", "privascope.cli", "dynamic", "--target", program,
                        "--scenario", "full", "--duration", DURATION, "--format", "json",
                        "-o", str(out)], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    return _bundle(out)


GMS = "android.clients.google.com"  # the double's Play-services-like background client


def _check_violating(bundle: dict, serial: str) -> None:
    rt = bundle["runtime"]
    assert rt["target"] == f"android:{serial}/{VIOLATING}"
    # hooked by the real agent in the app's process, phased by the consent answered on the
    # double's screen (uiautomator dump + input tap): reject in one process, accept in the next
    reads = rt["api_calls"]
    assert any(e["pi_type"] == "device.imei" and e["consent_phase"] == "before" for e in reads)
    assert any(e["pi_type"] == "device.android_id" and e["consent_phase"] == "before"
               for e in reads)
    answers = [c for c in rt["consent"] if c["kind"] in ("accept", "reject")]
    assert {"reject", "accept"} <= {c["kind"] for c in answers}, rt["consent"]
    first = min(c["time"] for c in answers)
    assert all(e["consent_phase"] == "before" for e in reads if e["time"] < first)
    assert {"device.imei", "device.android_id"} <= {
        p for f in bundle["findings"] if f["rule"] == "PS101" for p in f["pi_types"]}
    # its requests went through the proxy and were analysed as the app's
    assert any(t["host"] == "alog.umeng.com" and t["origin"] == "app" for t in bundle["traffic"])
    assert any(m["pi_type"] == "device.imei" for t in bundle["traffic"] for m in t["matches"])
    # every process of the package was under the agent, with spawn gating on
    limits = bundle["method"]["limits"]
    assert not [lim for lim in limits if "spawn gating" in lim or "without the agent" in lim]
    assert not any("bypassed the proxy" in lim for lim in limits)
    # issue 11 item 3: the background client posts the app's ANDROID_ID through the same
    # global proxy; its flows are device traffic with a reason, and no finding cites them
    hosts = {t["id"]: t["host"] for t in bundle["traffic"] + bundle["device_traffic"]}
    cited = {ref["id"] for f in bundle["findings"] for ref in f["evidence"]
             if ref["kind"] == "traffic_event"}
    assert cited and all(hosts.get(i) != GMS for i in cited)
    gms = [t for t in bundle["device_traffic"] if t["host"] == GMS]
    assert gms, "the background client's check-ins reached the proxy"
    assert all(t["origin"] == "device" and t["origin_reason"] for t in gms), gms[0]
    assert all(t["host"] != GMS for t in bundle["traffic"])


def _check_clean(bundle: dict) -> None:
    rt = bundle["runtime"]
    # the agent was in the app: it read the ANDROID_ID after consent and sent it
    assert rt["api_calls"], "no runtime evidence"
    assert not any(e["consent_phase"] == "before" and e["pi_type"] in
                   ("device.imei", "device.android_id") for e in rt["api_calls"])
    assert not _rules(bundle) & {"PS101", "PS103", "PS105"}, _rules(bundle)
    assert any(t["host"] == "alog.umeng.com" and t["origin"] == "app" for t in bundle["traffic"])
    assert not any(m["pi_type"] == "device.imei" for t in bundle["traffic"]
                   for m in t["matches"])


@pytest.mark.parametrize("profile", ["api29-emulator", "api34-emulator", "api35-emulator",
                                     "magisk-phone"])
def test_full_scenario_end_to_end_on_every_profile(profile, double_process, samples_build,
                                                   tmp_path):
    """Both host-app variants on one double of each profile, as a user runs them."""
    port, serial = double_process(profile, apps=_apps(samples_build))
    violating, clean = tmp_path / "violating", tmp_path / "clean"
    r = _dynamic(port, serial, samples_build / "sdk.apk", violating, "--fail-on", "high")
    # --fail-on high: the violations fail the run (exit 1), nothing else went wrong
    assert r.returncode == 1, r.stderr[-3000:]
    _check_violating(_bundle(violating), serial)
    _restored(port, serial, VIOLATING)
    # (no --fail-on: like the JVM target's clean variant it sends what it reads after consent
    # over plain HTTP to the SDK's host, PS202/PS203, which are not consent findings)
    r = _dynamic(port, serial, samples_build / "clean.apk", clean)
    assert r.returncode == 0, r.stderr[-3000:]
    _check_clean(_bundle(clean))
    _restored(port, serial, CLEAN)
    if profile == "api34-emulator":
        # the same findings, rule by rule and PI type by PI type, as the same programs observed
        # on the JVM target (`--target jvm:`, answered through its control channel)
        assert _observed_rules(_bundle(violating)) == _observed_rules(
            _jvm_run(samples_build, tmp_path / "jvm"))
        assert _observed_rules(_bundle(clean)) == _observed_rules(
            _jvm_run(samples_build, tmp_path / "jvm-clean", "--clean"))


def test_a_package_without_a_program_is_a_one_line_frida_error(double_process, samples_build,
                                                                 tmp_path):
    # issue 11 item 7: Frida's spawn fails (nothing to run behind the package): exit 3, one line
    port, serial = double_process("api29-emulator")
    r = _dynamic(port, serial, samples_build / "clean.apk", tmp_path / "out")
    error = r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ""
    assert "[phase] reject: launch" in r.stderr, r.stderr[-2000:]
    assert r.returncode == 3, r.stderr[-2000:]
    assert error.startswith("privascope: error: Frida could not start com.example.clean"), error
    _restored(port, serial, CLEAN)


def test_trace_on_the_double(double_process, samples_build, tmp_path):
    # `privascope trace --serial` takes the same Frida device (PRIVASCOPE_FRIDA_DEVICE): the
    # app's start-up reads are recorded while it waits for its user on the consent dialog
    port, serial = double_process("api34-emulator", apps=_apps(samples_build))
    env = dict(os.environ, ANDROID_ADB_SERVER_PORT=str(port), PRIVASCOPE_FRIDA_DEVICE=ADAPTER)
    out = tmp_path / "trace"
    r = subprocess.run([sys.executable, "-m", "privascope.cli", "trace", "--serial", serial,
                        "--package", VIOLATING, "--apk", str(samples_build / "sdk.apk"),
                        "--duration", "6", "--out", str(out)], cwd=REPO, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    bundle = json.loads((out / "runtime-bundle.json").read_text(encoding="utf-8"))
    reads = bundle["runtime"]["api_calls"]
    assert {"device.imei", "device.android_id"} <= {e["pi_type"] for e in reads
                                                    if e["consent_phase"] == "before"}
    assert [c["kind"] for c in bundle["runtime"]["consent"]] == ["dialog_shown"]
    _restored(port, serial, VIOLATING)
