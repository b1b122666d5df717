"""The double's userland: real mksh + toybox in the device's own root and namespaces, and the
framework commands' observable behaviour (AOSP sources cited in userland/ and
system_server.py)."""
from __future__ import annotations

import time

ROOT_FORMS = ("id", "su 0 sh -c id </dev/null", "su -c id </dev/null", "su root sh -c id </dev/null")
# (profile) -> uid each form yields ("" = no uid line: an error, or an interactive shell that read
# an empty stdin). AOSP su reads "-c" as WHO; MagiskSU ignores arguments after the user.
EXPECTED_UIDS = {
    "api29-emulator": ("2000", "0", "", "0"),
    "api34-emulator": ("0", "0", "", "0"),
    "api35-emulator": ("0", "0", "", "0"),
    "magisk-phone": ("2000", "", "0", ""),
}


def _uid(output: str) -> str:
    for word in output.split():
        if word.startswith("uid="):
            return word[4:].split("(")[0]
    return ""


def test_root_forms_per_profile(any_profile):
    name, _, _, dev = any_profile
    got = tuple(_uid(dev.shell(form, timeout=10)) for form in ROOT_FORMS)
    assert got == EXPECTED_UIDS[name]
    if name != "magisk-phone":
        assert "su: invalid uid/gid '-c'" in dev.shell("su -c id")


def test_shell_is_mksh_and_applets_are_toybox_0_8_9(any_profile):
    name, _, _, dev = any_profile
    assert "MIRBSD KSH" in dev.shell("echo $KSH_VERSION")
    assert dev.shell("toybox --version") == "toybox 0.8.9"
    # what an Android 10-14 shell has for HTTP: no curl, no wget (toybox .config-device:
    # CONFIG_WGET is not set), netcat yes
    assert dev.shell2("command -v curl || command -v wget", v2=True).returncode != 0
    assert dev.shell("command -v nc") == "/system/bin/nc"


def test_nc_zero_io_only_from_toybox_0_8_11(any_profile):
    name, _, _, dev = any_profile
    out = dev.shell2("nc -z -w 2 127.0.0.1 1", v2=True)
    if name == "api35-emulator":
        assert out.returncode == 1 and "Unknown option" not in out.stderr
    else:
        assert "Unknown option 'z'" in out.stderr and out.returncode == 1


def test_mounts_persist_on_the_device_and_never_reach_the_host(double_factory):
    device, _, dev = double_factory("api34-emulator")
    assert dev.shell2("mount -t tmpfs tmpfs /system/etc/security/cacerts", v2=True).returncode == 0
    assert "/system/etc/security/cacerts" in dev.shell("mount")  # a later command sees it
    with open("/proc/self/mounts") as host:
        assert str(device.root) + "/system" not in host.read()
    assert dev.shell2("umount /system/etc/security/cacerts", v2=True).returncode == 0


def test_pidof_sees_only_device_processes(double_factory):
    _, _, dev = double_factory("api34-emulator")
    assert dev.shell("pidof init") == "1"  # pid 1 of the device's PID namespace
    assert dev.shell("pidof pytest frida-server") == ""  # nothing of the host's


def test_frida_server_stand_in_as_the_set_up_probes_it(double_factory):
    """/data/local/tmp/frida-server reports the client's version, refuses -D without root,
    daemonizes named frida-server and ends on kill (init reaps it)."""
    from importlib.metadata import version

    device, _, dev = double_factory("api29-emulator")
    assert dev.shell("/data/local/tmp/frida-server --version") == version("frida")
    assert "must be run as root" in dev.shell("/data/local/tmp/frida-server -D")
    assert dev.shell("pidof frida-server") == ""
    dev.shell("su 0 /data/local/tmp/frida-server -D")
    pid = dev.shell("pidof frida-server")
    assert pid.isdigit()
    dev.shell(f"su 0 kill {pid}")
    deadline = time.monotonic() + 5
    while dev.shell("pidof frida-server") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert dev.shell("pidof frida-server") == ""


def test_settings_follow_the_settings_service(double_factory):
    _, _, dev = double_factory("api29-emulator")
    assert dev.shell("settings get global http_proxy") == "null"
    assert dev.shell("settings put global http_proxy 127.0.0.1:8080") == ""
    assert dev.shell("settings get global http_proxy") == "127.0.0.1:8080"
    assert dev.shell("settings delete global http_proxy") == "Deleted 1 rows"
    assert dev.shell("settings delete global http_proxy") == "Deleted 0 rows"
    assert dev.shell("cmd settings get global http_proxy") == "null"


def test_framework_commands_answer_as_on_android(double_factory):
    device, _, dev = double_factory("api29-emulator")
    assert dev.shell("uiautomator dump") == "UI hierchary dumped to: /sdcard/window_dump.xml"
    assert "<hierarchy" in dev.shell("cat /sdcard/window_dump.xml")
    assert "No activities found to run" in dev.shell("monkey -p com.example.none 1")
    assert dev.shell2("input keyevent KEYCODE_HOME", v2=True).returncode == 0
    assert ("input", "keyevent", "KEYCODE_HOME") in device.system_server.events
    assert "package:com.google.android.gms" in dev.shell("pm list packages gms")


def test_a_background_client_uses_the_global_proxy(double_factory):
    """Other processes of the device send through the global proxy too (Play-services-like
    check-ins): the material for telling the app's flows from the device's (issue 11 item 3)."""
    import socket

    _, _, dev = double_factory("api35-emulator")
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    srv.settimeout(15)
    port = srv.getsockname()[1]
    dev.reverse(f"tcp:{port}", f"tcp:{port}")
    dev.shell(f"settings put global http_proxy 127.0.0.1:{port}")
    try:
        conn, _ = srv.accept()
        with conn:
            conn.settimeout(5)
            head = b""
            while b"\r\n\r\n" not in head:  # the request may arrive in pieces
                chunk = conn.recv(4096)
                if not chunk:
                    break
                head += chunk
            conn.sendall(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
        assert head.startswith(b"POST http://android.clients.google.com/checkin HTTP/1.1\r\n")
        assert b"User-Agent: Android-Checkin" in head
    finally:
        dev.shell("settings delete global http_proxy")
        dev.reverse_remove_all()
        srv.close()
    # a process of the device, visible to toybox ps like any other
    assert "/system/bin/gms-background" in dev.shell("ps -A -o args")


def test_adb_root_only_on_debuggable_builds(double_factory):
    device, _, dev = double_factory("magisk-phone")
    with dev.open_transport() as c:
        c.send_command("root:")
        c.check_okay()
        assert c.read_until_close() == "adbd cannot run as root in production builds\n"
    assert dev.shell("id -u") == "2000"
    device, _, dev = double_factory("api29-emulator")
    for expected in ("restarting adbd as root\n", "adbd is already running as root\n"):
        with dev.open_transport() as c:
            c.send_command("root:")
            c.check_okay()
            assert c.read_until_close() == expected
    assert dev.shell("id -u") == "0"
    with dev.open_transport() as c:
        c.send_command("unroot:")
        c.check_okay()
        assert c.read_until_close() == "restarting adbd as non root\n"
    assert dev.shell("id -u") == "2000"
