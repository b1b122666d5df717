"""`privascope dynamic APP.apk --serial SERIAL` against the double, as a user runs it
(ANDROID_ADB_SERVER_PORT names the double's adb server, for privascope's adb client and
Frida's): the whole device set-up — frida-server started as root, APK installed, proxy path
proven by a request, system CA overlay — goes through the real adb protocol and the real shell,
the scenario starts, and teardown puts the device back. The run stops at Frida's first attach:
the double's frida-server is a stand-in, so Frida sees a "jailed" device."""
from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
from pathlib import Path

import adbutils
import pytest

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


@pytest.mark.parametrize("profile", ["api29-emulator", "api34-emulator", "magisk-phone"])
def test_device_set_up_and_restore_through_the_cli(profile, double_process, samples_build,
                                                   tmp_path):
    port, serial = double_process(profile)
    env = dict(os.environ, ANDROID_ADB_SERVER_PORT=str(port))
    r = subprocess.run([sys.executable, "-m", "privascope.cli", "dynamic",
                        str(samples_build / "clean.apk"), "--serial", serial, "--scenario",
                        "full", "-o", str(tmp_path / "out")], cwd=REPO, env=env,
                       capture_output=True, text=True, timeout=240)
    error = r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ""
    # every device step passed (root, frida-server, install, proxy path, CA): the scenario
    # started, and the run stopped where Frida found no frida-server to talk to
    assert "[phase] reject: launch" in r.stderr, r.stderr[-2000:]
    assert "jailed Android" in error, r.stderr[-2000:]
    dev = adbutils.AdbClient(host="127.0.0.1", port=port).device(serial)
    assert "com.example.clean" in dev.list_packages()
    # what privascope changed on the device is put back
    assert dev.shell("settings get global http_proxy") in ("null", ":0")
    assert dev.reverse_list() == []
    assert dev.shell("pidof frida-server") == ""
    assert "cacerts" not in dev.shell("mount")
    # issue 11 item 7: Frida's own error (NotSupportedError) is exit 3 with one line
    assert r.returncode == 3, r.stderr[-2000:]
    assert error.startswith("privascope: error: Frida could not start com.example.clean"), error
