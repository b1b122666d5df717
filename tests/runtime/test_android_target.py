"""AndroidTarget logic against a fake adb device and a fake Frida device; the real thing runs
only with ANDROID_SERIAL set (pytest -m device)."""
from __future__ import annotations

import datetime
import os
import shlex

import pytest

from privascope.runtime.android import (APEX_CACERTS, FRIDA_SERVER, SYSTEM_CACERTS, AndroidTarget,
                                      frida_arch, system_ca_script)
from privascope.runtime.targets import TargetError, TargetUnavailable

VERSION = "17.26.2"


class FakeAdb:
    """Answers shell commands from a small device model and records every command."""

    def __init__(self, *, abi="arm64-v8a", server=True, server_version=VERSION, running=False,
                 root=True, sdk=34, proxy="null"):
        self.abi, self.server, self.server_version = abi, server, server_version
        self.running, self.root, self.sdk, self.proxy = running, root, sdk, proxy
        self.commands: list[list[str]] = []
        self.installed: list[str] = []

    def shell(self, args, timeout=30.0):
        self.commands.append(list(args))
        if args[:2] == ["sh", "-c"] and args[2].endswith(" </dev/null"):
            args = shlex.split(args[2][:-len(" </dev/null")])  # a root probe: the su form in it
        if args[:2] == ["getprop", "ro.product.cpu.abi"]:
            return self.abi + "\n"
        if args[:2] == ["getprop", "ro.build.version.sdk"]:
            return f"{self.sdk}\n"
        if args[:2] == ["ls", "-l"]:
            return f"-rwxr-xr-x 1 shell shell 1 {FRIDA_SERVER}\n" if self.server else \
                f"ls: {FRIDA_SERVER}: No such file or directory\n"
        if args == [FRIDA_SERVER, "--version"]:
            return self.server_version + "\n"
        if args == ["pidof", "frida-server"]:
            return "4321\n" if self.running else ""
        if args == ["su", "-c", "id"]:
            return "uid=0(root) gid=0(root)\n" if self.root else "/system/bin/sh: su: inaccessible or not found\n"
        if args == ["id"]:
            return "uid=2000(shell) gid=2000(shell)\n"
        if args[:2] == ["su", "-c"] and args[2] == f"{FRIDA_SERVER} -D":
            self.running = True
            return ""
        if args[:2] == ["su", "-c"] and "PRIVASCOPE_CA_OK" in args[2]:
            return "PRIVASCOPE_CA_OK\n" if self.root else "su: not found\n"
        if args[:2] == ["su", "-c"] and "PRIVASCOPE_CA_RESTORED" in args[2]:
            return "PRIVASCOPE_CA_RESTORED\n"
        if args[:2] == ["su", "-c"] and args[2].startswith("kill "):
            self.running = False
            return ""
        if args[:4] == ["settings", "get", "global", "http_proxy"]:
            return self.proxy + "\n"
        if args[:4] == ["settings", "put", "global", "http_proxy"]:
            self.proxy = args[4]
            return ""
        if args[:3] == ["settings", "delete", "global"]:
            self.proxy = "null"
            return ""
        return ""  # sh -c helpers (CA trust check, base64 write): nothing to report

    def install(self, apk):
        self.installed.append(str(apk))

    def ran(self, needle: str) -> bool:
        return any(needle in " ".join(c) for c in self.commands)


class FakeFridaDevice:
    def __init__(self):
        self.spawned, self.resumed, self.killed = [], [], []

    def spawn(self, argv):
        self.spawned.append(argv)
        return 4242

    def resume(self, pid):
        self.resumed.append(pid)

    def kill(self, pid):
        self.killed.append(pid)

    def enumerate_applications(self):
        return []


@pytest.fixture(scope="module")
def ca_pem():
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "privascope test CA")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM)


def target(adb, fdev=None, **kw):
    fdev = fdev or FakeFridaDevice()
    return AndroidTarget("emulator-5554", "com.example.app", dev=adb, frida_version=VERSION,
                         frida_device_factory=lambda serial: fdev, **kw), fdev


def test_missing_frida_server_says_where_to_get_it():
    t, _ = target(FakeAdb(server=False))
    with pytest.raises(TargetUnavailable, match=f"frida-server-{VERSION}-android-arm64"):
        t.launch()


def test_version_mismatch_is_refused():
    t, _ = target(FakeAdb(server_version="16.1.0"))
    with pytest.raises(TargetUnavailable, match=f"16.1.0.*{VERSION}"):
        t.launch()


def test_not_running_without_root_is_refused():
    t, _ = target(FakeAdb(running=False, root=False))
    with pytest.raises(TargetUnavailable, match="no root"):
        t.launch()


def test_abi_mapping():
    assert frida_arch("x86_64\n") == "x86_64" and frida_arch("armeabi-v7a") == "arm"
    with pytest.raises(TargetUnavailable):
        frida_arch("mips")


def test_an_install_refusal_is_the_target_being_unavailable(tmp_path):
    """`privascope trace --apk` installs through the target: pm's refusal is one line, exit 3
    (TargetUnavailable), with nothing spawned."""
    from privascope.runtime.adb import InstallError

    apk = tmp_path / "app.apk"
    apk.write_bytes(b"PK")

    class Refusing(FakeAdb):
        def install(self, apk):
            raise InstallError("cannot install the APK (INSTALL_FAILED_UPDATE_INCOMPATIBLE): "
                               "uninstall the installed copy first: adb uninstall com.example.app")

    t, fdev = target(Refusing(running=True), apk=apk)
    with pytest.raises(TargetUnavailable, match="adb uninstall com.example.app$"):
        t.launch()
    assert fdev.spawned == []


def test_bad_package_name_is_refused_before_any_shell():
    with pytest.raises(TargetError):
        AndroidTarget("s", "com.example;reboot", dev=FakeAdb())


def test_full_launch_and_stop_restore_everything(ca_pem, tmp_path):
    apk = tmp_path / "app.apk"
    apk.write_bytes(b"PK")
    adb = FakeAdb(running=False, root=True, sdk=34, proxy="null")
    t, fdev = target(adb, apk=apk, proxy=("127.0.0.1", 8080), ca_pem=ca_pem)
    pid = t.launch()
    assert pid == 4242 and fdev.spawned == [["com.example.app"]]
    assert adb.installed == [str(apk)] and t.changes.started_frida_server
    # AOT code reset after the install (issue 11 item 10); pm's empty answer is said
    assert ["cmd", "package", "compile", "-m", "verify", "-f", "com.example.app"] in adb.commands
    assert t.changes.notes[0].startswith("compilation not reset (no output)")
    assert adb.proxy == "127.0.0.1:8080"
    assert t.changes.ca_mounted and t.changes.ca_apex_bound
    assert adb.ran(f"mount --bind {SYSTEM_CACERTS} {APEX_CACERTS}")
    assert t.release_before_ready
    t.release()
    assert fdev.resumed == [4242]
    t.stop()
    assert fdev.killed == [4242]
    assert adb.proxy == "null" and adb.ran("settings put global http_proxy :0")
    assert adb.ran("PRIVASCOPE_CA_RESTORED") and not t.changes.ca_mounted
    assert adb.ran("kill 4321") and not adb.running
    t.stop()  # idempotent
    assert fdev.killed == [4242]


def test_previous_proxy_is_put_back(ca_pem):
    adb = FakeAdb(running=True, proxy="10.0.0.2:3128")
    t, _ = target(adb, proxy=("127.0.0.1", 8080))
    t.launch()
    assert adb.proxy == "127.0.0.1:8080"
    t.stop()
    assert adb.proxy == "10.0.0.2:3128"
    assert not adb.ran("kill ")  # a frida-server it did not start is left running


def test_without_root_the_ca_goes_to_the_user_store_with_a_clear_note(ca_pem):
    adb = FakeAdb(running=True, root=False)
    t, _ = target(adb, ca_pem=ca_pem)
    t.launch()
    assert not t.changes.ca_mounted
    assert adb.ran("/sdcard/Download/privascope-ca.crt")
    assert any("install it by hand" in n for n in t.changes.notes)


def test_ca_script_before_android_14_has_no_apex_step():
    script = system_ca_script("abcd1234.0", 30)
    assert f"mount -t tmpfs tmpfs {SYSTEM_CACERTS}" in script and APEX_CACERTS not in script
    assert APEX_CACERTS in system_ca_script("abcd1234.0", 34)


@pytest.mark.device
@pytest.mark.skipif(not os.environ.get("ANDROID_SERIAL"), reason="needs a device: set ANDROID_SERIAL")
def test_agent_on_a_real_emulator(tmp_path):
    from privascope.runtime.session import Session

    package = os.environ.get("PRIVASCOPE_TEST_PACKAGE", "com.android.settings")
    t = AndroidTarget(os.environ["ANDROID_SERIAL"], package)
    session = Session(t, events_path=tmp_path / "events.jsonl")
    try:
        ready = session.start()
        assert ready.runtime == "art" and len(ready.hooked) > 50
        assert "android.app.Activity.onResume" in ready.lifecycle_hooks
        session.wait_until(lambda s: bool(s.app_states), 30)
    finally:
        evidence = session.stop()
    assert evidence.app_states and evidence.agent_errors == ()


def test_frida_device_from_the_environment(monkeypatch):
    # PRIVASCOPE_FRIDA_DEVICE=module:callable supplies the Frida device for a serial
    from privascope.runtime import android

    monkeypatch.delenv(android.FRIDA_DEVICE_ENV, raising=False)
    assert android.frida_device_from_env() is None
    monkeypatch.setenv(android.FRIDA_DEVICE_ENV, "collections:namedtuple")
    assert android.frida_device_from_env() is __import__("collections").namedtuple
    seen = []
    monkeypatch.setattr(android, "frida_device_from_env", lambda: lambda s: seen.append(s) or "D")
    assert android.AndroidTarget("emulator-5554", "com.example.app").frida_device() == "D"
    assert seen == ["emulator-5554"]


@pytest.mark.parametrize("spec", ["nomodule_xyz:make", "collections:nothing_here", "collections",
                                  "collections:__doc__"])
def test_a_bad_frida_device_setting_is_one_line(monkeypatch, spec):
    from privascope.runtime import android

    monkeypatch.setenv(android.FRIDA_DEVICE_ENV, spec)
    with pytest.raises(TargetUnavailable, match="PRIVASCOPE_FRIDA_DEVICE="):
        android.frida_device_from_env()
