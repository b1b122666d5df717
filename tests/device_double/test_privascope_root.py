"""privascope's root handling (runtime/android.py) against the double, through the real adb
protocol and the real mksh/toybox userland: issue 11 item 1, root is detected in the form it is
then used (adb root: directly; AOSP su: `su 0 sh -c`; MagiskSU: `su -c`)."""
from __future__ import annotations

import datetime

import pytest

from privascope.runtime.adb import ca_trust
from privascope.runtime.android import AndroidTarget


@pytest.fixture(scope="module")
def ca_pem():
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "privascope double CA")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(7).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM)


# ---------------------------------------------------------------- item 1: root


@pytest.mark.parametrize("profile, form", [
    ("api29-emulator", ("su", "0", "sh", "-c")),  # shell uid 2000, AOSP su
    ("api34-emulator", ()),                       # adb root: run directly
    ("api35-emulator", ()),
    ("magisk-phone", ("su", "-c")),               # MagiskSU ignores `su 0 sh -c`'s command
])
def test_root_commands_really_run_as_root(profile, form, shell_for):
    device, sh = shell_for(profile)
    target = AndroidTarget(device.serial, "com.example.app", dev=sh)
    assert target.has_root() and target.root_form() == form
    # what every root step (frida-server start, CA overlay, kill) relies on
    assert "uid=0(root)" in target._root_sh("id")
    assert "uid=0(root)" in target._root_sh("echo 'quoted; still one script' && id")


def test_ca_overlay_under_adb_root_on_android_14(shell_for, ca_pem):
    """The issue's symptom: under `adb root`, `su -c` failed, the overlay never mounted and the
    run stopped with "CA not trusted". The overlay script runs for real in the device's mount
    namespace (toybox mount, cp, chown, chmod)."""
    device, sh = shell_for("api34-emulator")
    target = AndroidTarget(device.serial, "com.example.app", dev=sh, ca_pem=ca_pem)
    assert ca_trust(sh, ca_pem) == "none"
    assert target.install_ca() == "system"
    assert ca_trust(sh, ca_pem) == "system"
    apex = sh.shell(["ls", "/apex/com.android.conscrypt/cacerts"]).split()
    assert len(apex) > 100  # the existing CAs are kept beside ours
    target.stop()
    assert ca_trust(sh, ca_pem) == "none" and not target.changes.ca_mounted
    assert "cacerts" not in sh.shell(["mount"])


def test_no_root_on_a_phone_without_su(shell_for):
    device, sh = shell_for("magisk-phone")
    sh.shell(["su", "-c", "mv /system/bin/su /system/bin/su.off"])  # Magisk hidden from shell
    try:
        assert not AndroidTarget(device.serial, "com.example.app", dev=sh).has_root()
    finally:
        device.run("mv /system/bin/su.off /system/bin/su", uid=0)
