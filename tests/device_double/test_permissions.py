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
    granted = device.system_server.packages[PKG]["granted"]
    driver.set_permissions("grant")
    assert granted == {"android.permission.READ_CONTACTS"}
    driver.set_permissions("revoke")
    assert granted == set()
    assert driver.device_setup[0] == "grant: grant android.permission.READ_CONTACTS"
    assert driver.device_setup[1].startswith("revoke: revoke android.permission.READ_CONTACTS")


def test_a_package_pm_does_not_know_is_recorded_not_raised(shell_for):
    _device, shell = shell_for("api34-emulator")
    driver = AndroidDriver("com.example.absent", shell, target_factory=lambda **kw: None,
                           factory=None, runtime_permissions=("android.permission.CAMERA",),
                           spawn_gating=False)
    driver.set_permissions("grant")
    assert driver.device_setup == [
        "grant: grant android.permission.CAMERA failed (Unknown package: com.example.absent)"]
