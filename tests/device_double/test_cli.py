"""The double's command-line interface, which scripts outside the tests use:
`python -m tests.device_double --profile NAME --adb-port PORT` prints `ready SERIAL`, serves
until SIGTERM, then leaves no device process behind."""
from __future__ import annotations

import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import adbutils

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _device_holders_under(root: int) -> set[int]:
    """pids of device namespace holders (unshare ... then the device's init) descended from
    `root`: only the double this test started counts, not one of another test run on the same
    machine (two clones' `make test` side by side)."""
    parent, args = {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid = int(stat.parent.name)
            parent[pid] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            args[pid] = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ValueError, IndexError):
            continue  # the process ended while we looked
    mine, grew = {root}, True
    while grew:
        more = {pid for pid, pp in parent.items() if pp in mine} - mine
        grew = bool(more)
        mine |= more
    return {pid for pid in mine if "unshare --mount --pid" in args.get(pid, "")}


def _alive(pids: set[int]) -> set[int]:
    return {pid for pid in pids if Path(f"/proc/{pid}").exists()}


def test_ready_serve_and_sigterm():
    port = _free_port()
    p = subprocess.Popen([sys.executable, "-m", "tests.device_double", "--profile",
                          "magisk-phone", "--adb-port", str(port)], cwd=REPO,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ready, _, _ = select.select([p.stdout], [], [], 30)
        assert ready, "no ready line within 30 s"
        assert p.stdout.readline().strip() == "ready 1A2B3C4D5E6F"
        dev = adbutils.AdbClient(host="127.0.0.1", port=port).device("1A2B3C4D5E6F")
        assert dev.shell("getprop ro.product.cpu.abi") == "arm64-v8a"
        holders = _device_holders_under(p.pid)
        assert holders, "the double runs its device in a namespace holder"
        p.send_signal(signal.SIGTERM)
        assert p.wait(timeout=20) == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait(timeout=10)
    deadline = time.monotonic() + 10  # a holder's last exit may trail the double's own
    while _alive(holders) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _alive(holders) == set()


def test_unknown_profile_is_one_line():
    r = subprocess.run([sys.executable, "-m", "tests.device_double", "--profile", "pixel-99",
                        "--adb-port", str(_free_port())], cwd=REPO, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 3
    assert r.stderr.strip().startswith("device_double: unknown profile 'pixel-99' (known: api29-emulator")
