"""The double's command-line interface, which scripts outside the tests use:
`python -m tests.device_double --profile NAME --adb-port PORT` prints `ready SERIAL`, serves
until SIGTERM, then leaves no device process behind."""
from __future__ import annotations

import select
import signal
import socket
import subprocess
import sys
from pathlib import Path

import adbutils

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _device_holders() -> set[int]:
    """pids of device namespace holders (unshare ... then the device's init) on this machine."""
    out = subprocess.run(["ps", "-eo", "pid=,args="], capture_output=True, text=True).stdout
    return {int(line.split()[0]) for line in out.splitlines() if "unshare --mount --pid" in line}


def test_ready_serve_and_sigterm():
    port = _free_port()
    before = _device_holders()
    p = subprocess.Popen([sys.executable, "-m", "tests.device_double", "--profile",
                          "magisk-phone", "--adb-port", str(port)], cwd=REPO,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ready, _, _ = select.select([p.stdout], [], [], 30)
        assert ready, "no ready line within 30 s"
        assert p.stdout.readline().strip() == "ready 1A2B3C4D5E6F"
        dev = adbutils.AdbClient(host="127.0.0.1", port=port).device("1A2B3C4D5E6F")
        assert dev.shell("getprop ro.product.cpu.abi") == "arm64-v8a"
        p.send_signal(signal.SIGTERM)
        assert p.wait(timeout=20) == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait(timeout=10)
    assert _device_holders() - before == set()


def test_unknown_profile_is_one_line():
    r = subprocess.run([sys.executable, "-m", "tests.device_double", "--profile", "pixel-99",
                        "--adb-port", str(_free_port())], cwd=REPO, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 3
    assert r.stderr.strip().startswith("device_double: unknown profile 'pixel-99' (known: api29-emulator")
