"""Debian's real `adb` client (1.0.41) against the double's adb server: a second, independent
implementation of the client side of the host protocol (shell,v2 with TERM/raw arguments,
sync push/pull, reverse, streamed install `exec:cmd package install -S`)."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest


@pytest.fixture(scope="module")
def adb(double_factory):
    if shutil.which("adb") is None:
        pytest.fail("Debian's adb is missing (make apt installs it)")
    device, server, _ = double_factory("api29-emulator")
    env = dict(os.environ, ANDROID_ADB_SERVER_PORT=str(server.port))

    def run(*args: str, timeout: float = 30.0) -> subprocess.CompletedProcess:
        return subprocess.run(["adb", "-s", device.serial, *args], env=env, capture_output=True,
                              text=True, timeout=timeout, stdin=subprocess.DEVNULL)

    return device, run


def test_devices_and_shell_exit_code(adb):
    device, run = adb
    listing = run("devices", "-l").stdout
    assert "emulator-5556          device product:sdk_gphone_x86_64" in listing
    r = run("shell", "id; echo err >&2; exit 3")
    assert r.returncode == 3
    assert r.stdout.startswith("uid=2000(shell)") and r.stderr == "err\n"


def test_push_pull(adb, tmp_path):
    device, run = adb
    src = tmp_path / "in.bin"
    src.write_bytes(os.urandom(200_000))
    assert run("push", str(src), "/data/local/tmp/in.bin").returncode == 0
    assert (device.root / "data/local/tmp/in.bin").read_bytes() == src.read_bytes()
    assert run("pull", "/data/local/tmp/in.bin", str(tmp_path / "out.bin")).returncode == 0
    assert (tmp_path / "out.bin").read_bytes() == src.read_bytes()


def test_reverse_and_streamed_install(adb, samples_build):
    device, run = adb
    assert run("reverse", "tcp:9000", "tcp:9001").returncode == 0
    assert run("reverse", "--list").stdout.split() == ["emulator-5556", "tcp:9000", "tcp:9001"]
    assert run("reverse", "--remove", "tcp:9000").returncode == 0
    r = run("install", str(samples_build / "clean.apk"))
    assert r.returncode == 0 and "Success" in r.stdout, r.stdout + r.stderr
    assert run("shell", "pm list packages com.example.clean").stdout == "package:com.example.clean\n"
    assert ".binder-stdin" not in run("shell", "ls -a /data/local/tmp").stdout  # stream not kept
