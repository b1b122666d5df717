"""The adb host protocol of the double, spoken to by the real adbutils client (2.12.0)."""
from __future__ import annotations

import socket
import stat
import threading

import adbutils
import pytest

from tests.device_double.device import load_profile


@pytest.fixture(scope="module")
def api34(double_factory):
    return double_factory("api34-emulator")


def test_version_and_device_list(api34):
    device, server, dev = api34
    client = adbutils.AdbClient(host="127.0.0.1", port=server.port)
    assert client.server_version() == 41
    assert [(d.serial, d.state) for d in client.list()] == [("emulator-5554", "device")]
    (info,) = client.list(extended=True)
    assert info.tags["model"] == "sdk_gphone64_x86_64" and info.tags["transport_id"] == "1"
    assert "shell_v2" in dev.get_features().split(",")
    assert dev.get_state() == "device"


def test_unknown_serial_is_refused(api34):
    _, server, _ = api34
    dev = adbutils.AdbClient(host="127.0.0.1", port=server.port).device("emulator-9999")
    with pytest.raises(adbutils.AdbError, match="not found"):
        dev.shell("id")


def test_shell_v2_exit_codes_and_streams(api34):
    _, _, dev = api34
    r = dev.shell2("echo out; echo err >&2; exit 7", v2=True, rstrip=True)
    assert (r.returncode, r.stdout, r.stderr) == (7, "out", "err")
    assert dev.shell2("true", v2=True).returncode == 0
    assert dev.shell2("no-such-command", v2=True).returncode == 127


def test_shell_v1_merges_streams_and_has_no_exit_code(api34):
    _, _, dev = api34
    assert dev.shell("echo out; echo err >&2") == "out\nerr"
    # adbutils' v1 exit code trick (append `; echo X4EXIT:$?`)
    assert dev.shell2("false").returncode == 1


def test_push_stat_pull_list(api34, tmp_path):
    device, _, dev = api34
    payload = bytes(range(256)) * 600  # several sync DATA chunks
    dev.sync.push(payload, "/data/local/tmp/dir/blob.bin", mode=0o644)
    info = dev.sync.stat("/data/local/tmp/dir/blob.bin")
    assert info.size == len(payload) and stat.S_IMODE(info.mode) == 0o644
    assert stat.S_ISREG(info.mode)
    assert (device.root / "data/local/tmp/dir/blob.bin").read_bytes() == payload
    dev.sync.pull("/data/local/tmp/dir/blob.bin", tmp_path / "back.bin")
    assert (tmp_path / "back.bin").read_bytes() == payload
    assert "blob.bin" in [f.path for f in dev.sync.list("/data/local/tmp/dir")]
    # the shell sees the pushed file: same root
    assert dev.shell("toybox wc -c < /data/local/tmp/dir/blob.bin").strip() == str(len(payload))
    assert not dev.sync.exists("/data/local/tmp/nothing-here")
    with pytest.raises(adbutils.AdbError, match="No such file"):
        dev.sync.read_bytes("/data/local/tmp/nothing-here")
    # /sdcard is a symlink on Android; sync follows it inside the device
    dev.sync.push(b"x", "/sdcard/Download/a.txt")
    assert (device.root / "storage/emulated/0/Download/a.txt").read_bytes() == b"x"


def _host_listener():
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    got = []

    def serve():
        srv.settimeout(10)
        try:
            conn, _ = srv.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(5)
            got.append(conn.recv(100))
            conn.sendall(b"pong\n")

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    return srv, t, got


def test_reverse_is_the_only_way_from_device_to_host(api34):
    _, _, dev = api34
    srv, t, got = _host_listener()
    port = srv.getsockname()[1]
    try:
        # the device has its own loopback: the host's port is not there
        assert dev.shell2(f"echo ping | nc -w 2 127.0.0.1 {port}", v2=True).returncode != 0
        dev.reverse("tcp:18080", f"tcp:{port}")
        assert ("tcp:18080", f"tcp:{port}") in [(r.remote, r.local) for r in dev.reverse_list()]
        out = dev.shell2("echo ping | nc -q 2 -w 3 127.0.0.1 18080", v2=True, timeout=15, rstrip=True)
        assert out.stdout == "pong"
        t.join(10)
        assert got == [b"ping\n"]
        dev.reverse_remove_all()
        assert dev.reverse_list() == []
        assert dev.shell2("echo ping | nc -w 2 127.0.0.1 18080", v2=True).returncode != 0
    finally:
        srv.close()


def test_forward_reaches_a_device_listener(api34):
    _, _, dev = api34
    stream = dev.shell("echo hello-from-device | nc -l -p 19090 -w 10", stream=True)
    try:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            host_port = probe.getsockname()[1]
        dev.forward(f"tcp:{host_port}", "tcp:19090")
        data = b""
        for _ in range(50):  # the device listener may not be up yet
            try:
                with socket.create_connection(("127.0.0.1", host_port), timeout=5) as s:
                    s.settimeout(5)
                    data = s.recv(100)
            except OSError:
                data = b""
            if data:
                break
            threading.Event().wait(0.1)
        assert data == b"hello-from-device\n"
    finally:
        stream.close()


def test_install_as_adbutils_does_it(api34, samples_build):
    device, _, dev = api34
    dev.install(str(samples_build / "clean.apk"), nolaunch=True, silent=True)
    assert "com.example.clean" in dev.list_packages()
    assert (device.root / "data/data/com.example.clean").is_dir()
    assert not dev.sync.exists("/data/local/tmp/unknown.apk")  # adbutils removes its copy
    assert "Success" in dev.shell("pm clear com.example.clean")
    assert "Failed" in dev.shell("pm clear com.example.not.there")


def test_getprop_per_profile(any_profile):
    name, device, _, dev = any_profile
    props = load_profile(name).props
    assert dev.shell("getprop ro.build.version.sdk") == props["ro.build.version.sdk"]
    assert dev.shell("getprop ro.product.cpu.abi") == props["ro.product.cpu.abi"]
    assert dev.prop.get("ro.build.type") == props["ro.build.type"]
    assert f"[ro.build.version.sdk]: [{props['ro.build.version.sdk']}]" in dev.shell("getprop")
