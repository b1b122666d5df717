"""App processes of the double: an installed package mapped to an unmodified JVM program
(`--app PACKAGE=jvm:CLASSPATH:MAIN`) runs as that package's process when launched, in the
device's PID and network namespaces, and sees the global proxy setting as an app would."""
from __future__ import annotations

import threading

import pytest

from privascope.dynamic_run.ui_automation import parse_hierarchy
from tests.device_double.device import Device, load_profile
from tests.device_double.waiting import wait_for

PKG = "com.example.clean"
MAIN = "com.example.privhost.HostMain"


class _Recorder:
    def __init__(self):
        self.urls: list[str] = []
        self._lock = threading.Lock()

    def request(self, flow):
        from mitmproxy import http

        with self._lock:
            self.urls.append(flow.request.pretty_url)
        flow.response = http.Response.make(200, b"{}")

    def app_urls(self) -> list[str]:
        with self._lock:  # the background client's check-ins are not the app's
            return [u for u in self.urls if "android.clients.google.com" not in u]


@pytest.fixture
def app_device(samples_build, tmp_path):
    import adbutils

    from tests.device_double.adb_server import AdbServer

    classes = samples_build / "jvm_host" / "classes"
    device = Device(load_profile("api34-emulator"), apps={PKG: (str(classes), MAIN)}).start()
    server = AdbServer([device]).start()
    try:
        dev = adbutils.AdbClient(host="127.0.0.1", port=server.port).device(device.serial)
        dev.install(str(samples_build / "clean.apk"), nolaunch=True, silent=True)
        yield device, dev
    finally:
        server.stop()
        device.stop()


def test_launched_app_is_a_device_process_behind_the_global_proxy(app_device, tmp_path):
    from privascope.hooks.mitm_runner import start_proxy

    device, dev = app_device
    recorder = _Recorder()
    handle = start_proxy([recorder], confdir=tmp_path / "mitm")
    try:
        dev.reverse(f"tcp:{handle.port}", f"tcp:{handle.port}")
        dev.shell(f"settings put global http_proxy 127.0.0.1:{handle.port}")
        assert dev.shell("pidof " + PKG) == ""
        out = dev.shell(f"monkey -p {PKG} -c android.intent.category.LAUNCHER 1")
        assert "Events injected: 1" in out
        assert wait_for(lambda: dev.shell("pidof " + PKG) != "", 10)
        assert wait_for(lambda: recorder.app_urls(), 30), device.app_log(PKG)
        assert all(u.startswith("http") for u in recorder.app_urls())
        dev.shell("am force-stop " + PKG)
        assert dev.shell("pidof " + PKG) == ""
    finally:
        handle.stop()


def test_without_a_proxy_the_app_reaches_nothing(app_device):
    device, dev = app_device
    dev.shell(f"am start -n {PKG}/.MainActivity")
    # the app waits for its user on the consent dialog (test_screen.py): accept it
    assert wait_for(lambda: "waiting for the user" in device.app_log(PKG), 30), device.app_log(PKG)
    dev.shell("uiautomator dump /sdcard/ui.xml")
    yes = next(n for n in parse_hierarchy(dev.shell("cat /sdcard/ui.xml")) if n.text == "同意")
    dev.shell(f"input tap {yes.center[0]} {yes.center[1]}")
    assert wait_for(lambda: "privhost: done" in device.app_log(PKG), 30), device.app_log(PKG)
    assert "privhost: phase accepted" in device.app_log(PKG)
    assert "privhost: sent" not in device.app_log(PKG)
    dev.shell("pm clear " + PKG)  # clearing data kills the app, as on Android
    assert dev.shell("pidof " + PKG) == ""
