"""Device-side logic (adb commands, settings restore, CA trust) against a scripted fake shell;
the real-device checks run only with ANDROID_SERIAL."""
from __future__ import annotations

import datetime
import os
import shutil
import subprocess

import pytest

from privascope.runtime import adb as device


class FakeShell:
    def __init__(self, replies=None, fail_on=()):
        self.replies = dict(replies or {})
        self.fail_on = tuple(fail_on)
        self.commands = []
        self.removed = []

    def shell(self, args, timeout=30.0):
        self.commands.append(list(args))
        joined = " ".join(args)
        if any(f in joined for f in self.fail_on):
            raise ConnectionError("device gone")
        for key, reply in self.replies.items():
            if key in joined:
                return reply
        return ""

    def remove_reverse(self, port):
        self.removed.append(port)


def test_proxy_is_set_and_the_previous_value_restored():
    dev = FakeShell({"get global http_proxy": "10.0.0.5:3128"})
    settings = device.DeviceSettings()
    device.set_proxy(dev, settings, "127.0.0.1", 8080)
    settings.reversed_ports.append(8080)
    assert ["settings", "put", "global", "http_proxy", "127.0.0.1:8080"] in dev.commands
    assert device.restore(dev, settings) == []
    assert dev.commands[-1] == ["settings", "put", "global", "http_proxy", "10.0.0.5:3128"]
    assert dev.removed == [8080] and not settings.proxy_set


def test_no_previous_proxy_is_cleared_not_left_pointing_at_the_dead_port():
    dev = FakeShell({"get global http_proxy": "null"})
    settings = device.DeviceSettings()
    device.set_proxy(dev, settings, "127.0.0.1", 8080)
    device.restore(dev, settings)
    assert dev.commands[-2:] == [["settings", "put", "global", "http_proxy", ":0"],
                                 ["settings", "delete", "global", "http_proxy"]]


def test_restore_reports_what_failed_and_still_removes_the_reverse_rule():
    dev = FakeShell({"get global http_proxy": ""}, fail_on=("put global http_proxy :0",))
    settings = device.DeviceSettings(proxy_set=True, reversed_ports=[9000])
    problems = device.restore(dev, settings)
    assert len(problems) == 1 and "http_proxy not restored" in problems[0]
    assert dev.removed == [9000]


def test_monkey_walk_is_seeded_bounded_and_confined_to_the_app():
    cmd = device.monkey_command("com.example.shop", 200, 300, 42)
    assert cmd[:5] == ["monkey", "-p", "com.example.shop", "-s", "42"]
    assert cmd[-1] == "200" and "--throttle" in cmd and cmd[cmd.index("--throttle") + 1] == "300"
    assert cmd[cmd.index("--pct-syskeys") + 1] == "0"


def test_clear_data_failure_is_a_missing_error():
    with pytest.raises(device.MissingError, match="cannot clear com.x.y"):
        device.clear_data(FakeShell({"pm clear": "Failed"}), "com.x.y")
    device.clear_data(FakeShell({"pm clear": "Success"}), "com.x.y")


def test_proxy_reachability_parsing():
    answered = FakeShell({"nc -w": "HTTP/1.1 502 Bad Gateway\r\nServer: mitmproxy\r\n\r\n"})
    assert device.proxy_reachable(answered, 8080) is True
    assert "GET http://proxy-probe.privascope.invalid/" in answered.commands[0][2]
    assert device.proxy_reachable(FakeShell({"nc -w": ""}), 8080) is False
    assert device.proxy_reachable(FakeShell({"nc -w": "NO_NC"}), 8080) is None
    # the proxy side must have seen this very request when asked
    assert device.proxy_reachable(answered, 8080, seen=lambda token: False, seen_wait=0) is False


def _self_signed_ca() -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "privascope test CA"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "privascope")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl to cross-check")
def test_subject_hash_old_matches_openssl(tmp_path):
    pem = _self_signed_ca()
    (tmp_path / "ca.pem").write_bytes(pem)
    expected = subprocess.run(["openssl", "x509", "-noout", "-subject_hash_old", "-in",
                               str(tmp_path / "ca.pem")], capture_output=True, text=True,
                              check=True).stdout.strip()
    assert device.subject_hash_old(pem) == expected


def test_ca_trust_reads_the_stores():
    pem = _self_signed_ca()
    assert device.ca_trust(FakeShell({"cacerts": "SYSTEM"}), pem) == "system"
    assert device.ca_trust(FakeShell({"cacerts": "USER"}), pem) == "user"
    assert device.ca_trust(FakeShell({"cacerts": ""}), pem) == "none"
    name = device.subject_hash_old(pem) + ".0"
    dev = FakeShell()
    device.ca_trust(dev, pem)
    assert name in " ".join(dev.commands[0])


def test_package_names_are_checked_before_reaching_a_shell():
    assert device.check_package_name("com.example.app") == "com.example.app"
    for bad in ("com.x; rm -rf /", "x", "", "com..x"):
        with pytest.raises(ValueError):
            device.check_package_name(bad)


def test_unknown_serial_is_one_clear_line():
    # the local adb server may or may not run here; either way the message names the problem
    with pytest.raises(device.MissingError, match="no (device|adb server)"):
        device.AdbShell("privascope-no-such-serial")


needs_device = pytest.mark.skipif(not os.environ.get("ANDROID_SERIAL"), reason="needs ANDROID_SERIAL")


@pytest.mark.device
@needs_device
def test_proxy_round_trip_on_a_real_emulator():
    dev = device.AdbShell(os.environ["ANDROID_SERIAL"])
    before = device._setting(dev.shell(["settings", "get", "global", "http_proxy"]))
    settings = device.DeviceSettings()
    device.set_proxy(dev, settings, "127.0.0.1", 18080)
    assert "127.0.0.1:18080" in dev.shell(["settings", "get", "global", "http_proxy"])
    assert device.restore(dev, settings) == []
    assert device._setting(dev.shell(["settings", "get", "global", "http_proxy"])) == before


def test_monkey_output_is_checked():
    ok = ":Monkey: seed=42 count=200\n...\nEvents injected: 200\n## Network stats: elapsed time=1ms"
    assert device.monkey_problem(ok) is None
    aborted = "Events injected: 17\n** Monkey aborted due to error.\nEvents injected: 17"
    assert "stopped early" in device.monkey_problem(aborted)
    assert "No activities" in device.monkey_problem("** No activities found to run, monkey aborted.")
    assert "did not report" in device.monkey_problem("/system/bin/sh: monkey: not found")


# ---------------------------------------------------------------- install refusals (item 7)


@pytest.mark.parametrize("output, expected", [
    ("Success\n", None),
    ("Failure [INSTALL_FAILED_NO_MATCHING_ABIS: Failed to extract native libraries, res=-113]\n",
     ("INSTALL_FAILED_NO_MATCHING_ABIS", "Failed to extract native libraries, res=-113")),
    ("Failure [INSTALL_FAILED_INSUFFICIENT_STORAGE]\n", ("INSTALL_FAILED_INSUFFICIENT_STORAGE", "")),
    ("Error: Can't open file: /data/local/tmp/x.apk\n",
     ("INSTALL_FAILED", "Error: Can't open file: /data/local/tmp/x.apk")),
    ("", ("INSTALL_FAILED", "no output")),
])
def test_pm_install_output_is_read(output, expected):
    assert device.install_failure(output) == expected


def test_install_hints_name_the_device_and_what_to_do():
    dev = FakeShell({"getprop ro.build.version.sdk": "29",
                     "getprop ro.product.cpu.abilist": "x86_64,x86"})
    older = device.install_hint(("INSTALL_FAILED_OLDER_SDK", "Requires newer sdk version #31 "
                                 "(current version is #29)"), dev)
    assert older.startswith("cannot install the APK (INSTALL_FAILED_OLDER_SDK: Requires newer")
    assert older.endswith("the app needs a newer Android than the device's API 29: use a newer "
                          "image")
    abis = device.install_hint(("INSTALL_FAILED_NO_MATCHING_ABIS", ""), dev)
    assert "the device runs x86_64,x86" in abis and "\n" not in abis
    unknown = device.install_hint(("INSTALL_FAILED_SOMETHING_NEW", "why"), dev)
    assert unknown == "cannot install the APK on the device (INSTALL_FAILED_SOMETHING_NEW: why)"


def test_apk_abis_are_its_native_library_folders(tmp_path):
    import zipfile

    apk = tmp_path / "a.apk"
    with zipfile.ZipFile(apk, "w") as z:
        z.writestr("lib/arm64-v8a/liba.so", b"")
        z.writestr("lib/armeabi-v7a/liba.so", b"")
        z.writestr("lib/README", b"")
        z.writestr("assets/lib/x86/not.so", b"")
    assert device.apk_abis(apk) == ["arm64-v8a", "armeabi-v7a"]


# ---------------------------------------------------------------- compilation reset (item 10)


def test_compilation_reset_is_recorded_either_way():
    ok = FakeShell({"compile -m verify -f com.example.app": "Success\n"})
    assert device.reset_compilation(ok, "com.example.app") == (
        True, "compilation reset to verify (`cmd package compile -m verify -f`)")
    assert ok.commands == [["cmd", "package", "compile", "-m", "verify", "-f", "com.example.app"]]
    failed = FakeShell({"compile": "Failure: package com.example.app could not be compiled\n"})
    done, line = device.reset_compilation(failed, "com.example.app")
    assert not done and line.startswith("compilation not reset (Failure: package com.example.app "
                                        "could not be compiled): ahead-of-time code may have")
    with pytest.raises(ValueError):
        device.reset_compilation(ok, "x; reboot")
