"""Runtime permissions per scenario (issue 11 item 12) through the double: the dangerous
permissions the static scan finds in the manifest are granted or revoked with `pm` over the
real adb protocol and shell, the double's system_server (PackageManagerShellCommand) records
them, and what was done is the run's method.device_setup."""
from __future__ import annotations

from privascope.dynamic_run.drivers import AndroidDriver

PKG = "com.example.hostile"


def test_scenario_permissions_reach_the_package_manager(shell_for, samples_build, catalog):
    from privascope.pipeline import static_evidence

    device, shell = shell_for("api34-emulator")
    apk = samples_build / "hostile.apk"
    shell.install(apk)
    base = static_evidence(apk, catalog)
    dangerous = tuple(p.name for p in base.permissions if p.protection_level == "dangerous")
    assert dangerous == ("android.permission.READ_CONTACTS",)  # INTERNET is normal: not touched
    driver = AndroidDriver(PKG, shell, target_factory=lambda **kw: None, factory=None,
                           runtime_permissions=dangerous, spawn_gating=False)
    info = device.system_server.packages[PKG]
    contacts = "android.permission.READ_CONTACTS"
    driver.set_permissions("grant")
    assert info["granted"] == {contacts}
    driver.set_permissions("revoke")  # denied without a dialog: revoked and user-fixed
    assert info["granted"] == set() and info["flags"][contacts] == {"user-set", "user-fixed"}
    driver.set_permissions("ask")  # a fresh install's state: the request shows the dialog
    assert info["granted"] == set() and info["flags"][contacts] == set()
    assert driver.device_setup == [f"grant: grant {contacts}",
                                   f"revoke: revoke {contacts} (user-fixed)",
                                   f"ask: revoke {contacts} (dialog on request)"]


def test_pm_refuses_what_is_not_a_runtime_permission_the_app_requests(shell_for, samples_build):
    from privascope.runtime.adb import set_runtime_permissions

    _device, shell = shell_for("api34-emulator")
    shell.install(samples_build / "hostile.apk")
    done = set_runtime_permissions(shell, PKG, ("android.permission.INTERNET",
                                                "android.permission.CAMERA"), "grant")
    assert done == [
        "grant: grant android.permission.INTERNET failed (Permission android.permission.INTERNET "
        "requested by package com.example.hostile is not a changeable permission type)",
        "grant: grant android.permission.CAMERA failed (Package com.example.hostile has not "
        "requested permission android.permission.CAMERA)"]


def test_a_package_pm_does_not_know_is_recorded_not_raised(shell_for):
    _device, shell = shell_for("api34-emulator")
    driver = AndroidDriver("com.example.absent", shell, target_factory=lambda **kw: None,
                           factory=None, runtime_permissions=("android.permission.CAMERA",),
                           spawn_gating=False)
    driver.set_permissions("grant")
    assert driver.device_setup == [
        "grant: grant android.permission.CAMERA failed (Unknown package: com.example.absent)"]
