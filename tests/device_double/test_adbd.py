"""The double as an adbd over TCP, with Debian's real adb *server* in front (`adb connect`):
every byte between adbutils/adb and the device goes through AOSP's own host code."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess

import adbutils
import pytest

from tests.device_double.adb_server import AdbServer
from tests.device_double.adbd import Adbd


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def real_adb(double_factory):
    if shutil.which("adb") is None:
        pytest.fail("Debian's adb is missing (make apt installs it)")
    device, _, _ = double_factory("api29-emulator")
    adbd = Adbd(device, AdbServer([device])).start()
    env = dict(os.environ, ANDROID_ADB_SERVER_PORT=str(_free_port()))

    def run(*args: str, timeout: float = 30.0) -> subprocess.CompletedProcess:
        return subprocess.run(["adb", *args], env=env, capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)

    serial = f"127.0.0.1:{adbd.port}"
    try:
        assert run("start-server").returncode == 0
        assert run("connect", serial).stdout.strip() == f"connected to {serial}"
        yield device, serial, run, int(env["ANDROID_ADB_SERVER_PORT"])
    finally:
        run("kill-server", timeout=15)
        adbd.stop()


def test_the_real_adb_server_sees_a_device(real_adb):
    _, serial, run, _ = real_adb
    assert run("wait-for-device", timeout=15).returncode == 0
    assert (f"{serial:<22} device product:sdk_gphone_x86_64 "
            "model:Android_SDK_built_for_x86_64 device:generic_x86_64") in run("devices", "-l").stdout


def test_shell_sync_install_through_the_real_server(real_adb, tmp_path, samples_build):
    device, serial, run, _ = real_adb
    r = run("-s", serial, "shell", "id -u; echo e >&2; exit 5")
    assert (r.returncode, r.stdout, r.stderr) == (5, "2000\n", "e\n")
    src = tmp_path / "blob"
    src.write_bytes(os.urandom(700_000))  # many WRTE/OKAY round trips
    assert run("-s", serial, "push", str(src), "/data/local/tmp/blob").returncode == 0
    assert run("-s", serial, "pull", "/data/local/tmp/blob", str(tmp_path / "back")).returncode == 0
    assert (tmp_path / "back").read_bytes() == src.read_bytes()
    r = run("-s", serial, "install", str(samples_build / "clean.apk"), timeout=60)
    assert r.stdout.splitlines()[-1] == "Success"


def test_adbutils_through_the_real_server(real_adb):
    _, serial, _, port = real_adb
    dev = adbutils.AdbClient(host="127.0.0.1", port=port).device(serial)
    assert dev.shell2("su 0 sh -c 'id -u'; exit 9", v2=True, rstrip=True).stdout == "0"
    assert dev.shell2("exit 9", v2=True).returncode == 9
    assert dev.getprop("ro.build.version.sdk") == "29"
