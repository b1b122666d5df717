"""privascope's device set-up against the double (issue 11 items 7-10), through the real adb
protocol and the real mksh/toybox userland: install refusals and adb failures are one line
(exit 3), compilation is reset after install, uiautomator's transient errors are retried, and
the Android 14 CA store is rebuilt from the Conscrypt APEX."""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import adbutils
import pytest

from privascope.runtime import adb
from privascope.runtime.android import AndroidTarget
from tests.device_double.test_dynamic_cli import double_process  # noqa: F401 - fixture
from tests.device_double.test_privascope_root import ca_pem  # noqa: F401 - fixture

REPO = Path(__file__).resolve().parents[2]
KEY_PASS = "privascope"


def _sign(unsigned: Path, out: Path, keystore: Path, alias: str) -> Path:
    aligned = out.with_suffix(".aligned.apk")
    subprocess.run(["zipalign", "-f", "-p", "4", str(unsigned), str(aligned)], check=True,
                   capture_output=True, timeout=120)
    subprocess.run(["apksigner", "sign", "--ks", str(keystore), "--ks-pass", f"pass:{KEY_PASS}",
                    "--ks-key-alias", alias, "--out", str(out), str(aligned)], check=True,
                   capture_output=True, timeout=120)
    return out


def _keystore(tmp: Path, alias: str) -> Path:
    ks = tmp / f"{alias}.keystore"
    subprocess.run(["keytool", "-genkeypair", "-keystore", str(ks), "-storepass", KEY_PASS,
                    "-keypass", KEY_PASS, "-alias", alias, "-keyalg", "RSA", "-keysize", "2048",
                    "-validity", "30", "-dname", f"CN={alias}", "-storetype", "PKCS12"],
                   check=True, capture_output=True, timeout=120)
    return ks


@pytest.fixture(scope="module")
def arm64_only_apk(samples_build, tmp_path_factory):
    """clean.apk with an arm64-v8a native library only (as many Chinese apps ship), signed
    again with the samples' key."""
    tmp = tmp_path_factory.mktemp("arm64")
    unsigned = tmp / "unsigned.apk"
    with zipfile.ZipFile(samples_build / "clean.apk") as src, \
            zipfile.ZipFile(unsigned, "w") as dst:
        for item in src.infolist():
            if not item.filename.startswith("META-INF/"):
                dst.writestr(item, src.read(item.filename))
        dst.writestr("lib/arm64-v8a/libprivascope.so", b"\x7fELF\x02\x01\x01" + b"\0" * 57)
    return _sign(unsigned, tmp / "arm64-only.apk", samples_build / "debug.keystore",
                 "privascope-sample")


# ---------------------------------------------------------------- item 7: install refusals


def test_an_arm64_only_apk_on_an_x86_64_image_without_arm_translation_is_one_line(
        double_process, arm64_only_apk, tmp_path):  # noqa: F811
    """api29's image lists x86_64,x86 only: PackageManager refuses the APK; privascope says
    what to do (exit 3), with no traceback."""
    port, serial = double_process("api29-emulator")
    env = dict(os.environ, ANDROID_ADB_SERVER_PORT=str(port))
    r = subprocess.run([sys.executable, "-m", "privascope.cli", "dynamic", str(arm64_only_apk),
                        "--serial", serial, "-o", str(tmp_path / "out")], cwd=REPO, env=env,
                       capture_output=True, text=True, timeout=240)
    assert r.returncode == 3, r.stderr[-2000:]
    assert "Traceback" not in r.stderr
    error = r.stderr.strip().splitlines()[-1]
    assert error.startswith("privascope: error: cannot install the APK "
                            "(INSTALL_FAILED_NO_MATCHING_ABIS: Failed to extract native "
                            "libraries, res=-113)"), error
    assert "arm64-v8a" in error and "x86_64,x86" in error and "ARM translation" in error
    dev = adbutils.AdbClient(host="127.0.0.1", port=port).device(serial)
    assert "com.example.clean" not in dev.list_packages()
    assert dev.shell("settings get global http_proxy") in ("null", ":0")  # nothing left set


def test_the_same_apk_installs_where_the_image_translates_arm(shell_for, arm64_only_apk):
    device, sh = shell_for("api34-emulator")  # abilist x86_64,arm64-v8a
    sh.install(arm64_only_apk)
    assert "package:com.example.clean" in sh.shell(["pm", "list", "packages", "clean"])
    assert not sh.shell(["ls", "/data/local/tmp"]).count(".apk")  # the pushed copy is gone


def test_an_update_signed_by_another_key_says_to_uninstall_first(shell_for, samples_build,
                                                                 tmp_path):
    device, sh = shell_for("api34-emulator")
    sh.install(samples_build / "clean.apk")
    other = tmp_path / "unsigned.apk"
    with zipfile.ZipFile(samples_build / "clean.apk") as src, zipfile.ZipFile(other, "w") as dst:
        for item in src.infolist():
            if not item.filename.startswith("META-INF/"):
                dst.writestr(item, src.read(item.filename))
    resigned = _sign(other, tmp_path / "other-key.apk", _keystore(tmp_path, "other"), "other")
    with pytest.raises(adb.InstallError) as err:
        sh.install(resigned)
    message = str(err.value)
    assert "INSTALL_FAILED_UPDATE_INCOMPATIBLE" in message
    assert message.endswith("uninstall the installed copy first: adb uninstall com.example.clean")
    assert "\n" not in message


def test_a_full_data_partition_is_one_line(shell_for, samples_build):
    device, sh = shell_for("api29-emulator")
    device.system_server.data_free_bytes = 1024
    with pytest.raises(adb.InstallError, match=r"^cannot install the APK "
                       r"\(INSTALL_FAILED_INSUFFICIENT_STORAGE\): the device's /data is full"):
        sh.install(samples_build / "clean.apk")


# ---------------------------------------------------------------- item 7: adb failures


def test_a_command_that_does_not_answer_in_time_is_one_line(shell_for):
    device, sh = shell_for("api34-emulator")
    with pytest.raises(adb.AdbTimeout, match=r"^adb: `sleep` on emulator-5554 gave no answer "
                       r"within 1 s: check the device answers"):
        sh.shell(["sleep", "10"], timeout=1)
    assert sh.shell(["echo", "still", "here"]).strip() == "still here"


def test_a_device_that_goes_away_mid_run_is_one_line(double_factory, monkeypatch):
    device, server, _ = double_factory("api34-emulator")
    monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", str(server.port))
    sh = adb.AdbShell(device.serial)
    server.devices.pop(device.serial)  # unplugged / emulator closed
    with pytest.raises(adb.MissingError, match=r"^device emulator-5554 went away during the "
                       r"run \(not listed; .*reconnect it"):
        sh.shell(["true"])


def test_a_reverse_rule_the_device_refuses_is_one_line(shell_for):
    device, sh = shell_for("api34-emulator")
    taken = device.socket_in_device()
    try:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        with pytest.raises(adb.MissingError, match=rf"^adb reverse tcp:{port} failed on "
                           r"emulator-5554 \(AdbError: cannot bind listener"):
            sh.reverse(port, port)
    finally:
        taken.close()


# ---------------------------------------------------------------- item 10: compilation


@pytest.mark.parametrize("profile", ["api29-emulator", "api34-emulator"])
def test_compilation_is_reset_to_verify_after_install(profile, shell_for, samples_build):
    device, sh = shell_for(profile)
    sh.install(samples_build / "clean.apk")
    packages = device.system_server.packages
    assert packages["com.example.clean"]["compiler_filter"] == "speed-profile"
    done, line = adb.reset_compilation(sh, "com.example.clean")
    assert done and line.startswith("compilation reset to verify")
    assert packages["com.example.clean"]["compiler_filter"] == "verify"


def test_compilation_reset_that_fails_says_so(shell_for):
    device, sh = shell_for("api34-emulator")
    done, line = adb.reset_compilation(sh, "com.example.notinstalled")
    assert not done
    assert line.startswith("compilation not reset (Failure: package com.example.notinstalled "
                           "could not be compiled)")


@pytest.mark.parametrize("args, answer", [
    (["-m", "fast", "-f", "com.android.settings"], 'Error: "fast" is not a valid compilation'),
    (["-f", "com.android.settings"], "Cannot run without any of compilation filter"),
    (["-m", "verify", "-r", "install", "com.android.settings"], "at the same time"),
    (["-m", "verify", "-f"], "Error: package name not specified"),
    (["-m", "verify", "--bogus", "com.android.settings"], "Error: Unknown option: --bogus"),
])
def test_the_doubles_compile_checks_its_arguments(args, answer, shell_for):
    device, sh = shell_for("api34-emulator")
    assert answer in sh.shell(["cmd", "package", "compile", *args])


# ---------------------------------------------------------------- item 8: uiautomator


def test_uiautomator_errors_are_retried_through_the_double(shell_for):
    from privascope.dynamic_run import ui_automation as ui

    device, sh = shell_for("api34-emulator")
    device.system_server.dump_failures = ["could not get idle state.",
                                          "null root node returned by UiTestAutomationBridge."]
    pauses = []
    xml = ui.dump_screen(sh, sleep=pauses.append)
    assert xml.lstrip().startswith("<?xml") or "<hierarchy" in xml
    assert pauses == [ui.DUMP_PAUSE, ui.DUMP_PAUSE] and device.system_server.dump_failures == []


# ---------------------------------------------------------------- item 9: Android 14 CA store


def _listing(sh, path: str) -> set[str]:
    return set(sh.shell(["ls", path]).split())


def test_android_14_store_is_rebuilt_from_the_conscrypt_apex(shell_for, ca_pem):  # noqa: F811
    device, sh = shell_for("api34-emulator")
    apex, system = "/apex/com.android.conscrypt/cacerts", "/system/etc/security/cacerts"
    apex_before, system_before = _listing(sh, apex), _listing(sh, system)
    assert apex_before != system_before  # the double's APEX was updated apart from /system
    ours = adb.subject_hash_old(ca_pem) + ".0"
    target = AndroidTarget(device.serial, "com.example.app", dev=sh, ca_pem=ca_pem)
    assert target.install_ca() == "system"
    assert _listing(sh, apex) == apex_before | {ours}  # the APEX's CAs, not /system's
    assert _listing(sh, system) == apex_before | {ours}  # the tmpfs behind the bind
    mounts = sh.shell(["mount"])
    assert f"on {system} type tmpfs" in mounts and f" {apex} " in mounts
    stat = sh.shell(["stat", "-c", "%u:%g %a", f"{apex}/{ours}"]).strip()
    assert stat == "0:0 644"
    target.stop()
    assert _listing(sh, apex) == apex_before and _listing(sh, system) == system_before
    assert "cacerts" not in sh.shell(["mount"])


def test_before_android_14_the_system_store_is_the_source(shell_for, ca_pem):  # noqa: F811
    device, sh = shell_for("api29-emulator")
    system = "/system/etc/security/cacerts"
    before = _listing(sh, system)
    target = AndroidTarget(device.serial, "com.example.app", dev=sh, ca_pem=ca_pem)
    assert target.install_ca() == "system"
    assert _listing(sh, system) == before | {adb.subject_hash_old(ca_pem) + ".0"}
    assert not _listing(sh, "/apex/com.android.conscrypt/cacerts")
    target.stop()
    assert _listing(sh, system) == before and "cacerts" not in sh.shell(["mount"])
