"""Every process of the package under the agent, on the double (issue 11 item 5): privascope's
AndroidDriver enables spawn gating through the double's Frida adapter; when the app dies
outside privascope and the launcher (monkey, the foreground step) starts it again, the new
process is held before its code, gets its own session with the real agent, and becomes the
process the scenario drives: `is_running` follows the pid under the agent, and the relaunched
process's start-up reads are recorded. At the end gating is off and nothing is left held."""
from __future__ import annotations

import threading

import pytest

from privascope.dynamic_run.drivers import AndroidDriver, SessionFactory
from privascope.runtime import adb
from privascope.runtime.android import AndroidTarget
from privascope.traffic import CanaryStore
from tests.device_double.device import DEBUG_DIR, Device, load_profile
from tests.device_double.waiting import wait_for

PKG = "com.example.sdkapp"  # sdk.apk, mapped to the violating host app
MAIN = "com.example.privhost.ViolatingMain"


@pytest.fixture
def double(samples_build, monkeypatch):
    from tests.device_double.adb_server import AdbServer

    classes = samples_build / "jvm_host" / "classes"
    device = Device(load_profile("api34-emulator"), apps={PKG: (str(classes), MAIN)}).start()
    server = AdbServer([device]).start()
    try:
        monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", str(server.port))
        monkeypatch.setenv("PRIVASCOPE_FRIDA_DEVICE", "tests.device_double.frida_device:device_for")
        shell = adb.AdbShell(device.serial)
        shell.install(samples_build / "sdk.apk")
        AndroidTarget(device.serial, PKG, dev=shell).ensure_frida_server()
        yield device, shell
    finally:
        server.stop()
        device.stop()


def test_a_relaunch_outside_privascope_is_instrumented_and_driven(double, catalog):
    device, shell = double
    events: list = []
    lock = threading.Lock()

    def on_event(event):
        with lock:
            events.append(event)

    def reads_of(prefix: str) -> list:
        with lock:
            return [e for e in events if getattr(e, "pi_type", None) == "device.imei"
                    and e.id.startswith(prefix)]

    driver = AndroidDriver(
        PKG, shell, factory=SessionFactory(catalog, on_event=on_event, canaries=CanaryStore()),
        target_factory=lambda **kw: AndroidTarget(device.serial, PKG, dev=shell, **kw),
        click_consent=lambda *a, **k: None)
    runtime = None
    try:
        driver.launch(fresh=False)
        first = driver.current
        assert driver.is_running() and adb.pidof(shell, PKG) == {first.pid}
        assert wait_for(lambda: reads_of("rt-"), 60)  # start-up reads under the agent
        # the app dies outside privascope (a crash) ...
        shell.shell(["kill", "-9", str(first.pid)])
        assert wait_for(lambda: not adb.pidof(shell, PKG), 20)
        assert not driver.is_running()
        # ... and the launcher starts it again: zygote's child is held and reported
        driver.foreground()
        assert wait_for(lambda: driver.current is not first, 90), driver.limits
        second = driver.current
        assert second.ready is not None and second.pid != first.pid
        assert adb.pidof(shell, PKG) == {second.pid}
        assert driver.is_running()
        assert wait_for(lambda: reads_of("s2-"), 60)  # its start-up reads, its own session
    finally:
        runtime = driver.evidence()
    assert not [lim for lim in driver.limits if "without the agent" in lim or "gating" in lim]
    assert runtime is not None and any(e.id.startswith("s2-") for e in runtime.api_calls)
    assert shell.shell(["sh", "-c", f"ls {DEBUG_DIR}"]).strip() == ""  # nothing left held
