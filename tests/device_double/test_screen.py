"""The double's screen: the host app's stub framework publishes its windows to the double, whose
`uiautomator dump` shows the active one as Android writes it, and whose `input tap`/`keyevent`
reach the app (a tap ends in View.performClick, HOME stops the app's activities). The app waits
for a tap on its consent dialog, as a real one waits for its user."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from privascope.dynamic_run import ui_automation as ui
from tests.device_double.device import Device, load_profile
from tests.device_double.window_manager import WindowManager
from tests.device_double.waiting import wait_for

PKG = "com.example.clean"
MAIN = "com.example.privhost.HostMain"


@pytest.fixture(scope="module")
def screen_device(samples_build):
    """api34 with the host app behind PKG: (device, adbutils device, adb server port)."""
    import adbutils

    from tests.device_double.adb_server import AdbServer

    classes = samples_build / "jvm_host" / "classes"
    device = Device(load_profile("api34-emulator"), apps={PKG: (str(classes), MAIN)}).start()
    server = AdbServer([device]).start()
    try:
        dev = adbutils.AdbClient(host="127.0.0.1", port=server.port,
                                 socket_timeout=30).device(device.serial)
        dev.install(str(samples_build / "clean.apk"), nolaunch=True, silent=True)
        yield device, dev, server.port
    finally:
        server.stop()
        device.stop()


@pytest.fixture
def app(screen_device):
    """The app freshly started with `am start`, its consent dialog on the screen."""
    device, dev, port = screen_device
    dev.shell("am force-stop " + PKG)
    log_start = len(device.app_log(PKG))
    dev.shell(f"am start -n {PKG}/.MainActivity")

    def log() -> str:
        return device.app_log(PKG)[log_start:]

    assert wait_for(lambda: "privhost: waiting for the user" in log(), 60), log()
    yield device, dev, log
    dev.shell("am force-stop " + PKG)


def _dump(dev) -> str:
    assert dev.shell("uiautomator dump /sdcard/ui.xml") == "UI hierchary dumped to: /sdcard/ui.xml"
    return dev.shell("cat /sdcard/ui.xml")


def _button(xml: str, text: str) -> ui.Node:
    return next(n for n in ui.parse_hierarchy(xml) if n.text == text)


def test_dump_is_the_active_window_in_aosp_format(screen_device):
    device, dev, _ = screen_device
    dev.shell("am force-stop " + PKG)
    home = _dump(dev)
    assert 'package="com.android.systemui"' in home and "隐私政策" not in home
    assert home.startswith("<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>"
                           '<hierarchy rotation="0"><node index="0" text="" resource-id="" '
                           'class="android.widget.FrameLayout" package="com.android.systemui" '
                           'content-desc="" checkable="false" checked="false" clickable="false" '
                           'enabled="true" focusable="false" focused="false" scrollable="false" '
                           'long-clickable="false" password="false" selected="false" '
                           'bounds="[0,0][1080,2400]" />')


def test_the_dialog_is_on_screen_and_a_tap_on_不同意_rejects(app):
    device, dev, log = app
    xml = _dump(dev)
    root = ET.fromstring(xml)
    window = root.find("node")
    # only the dialog's window: uiautomator dumps the active window, not the activity below
    assert window.get("class") == "android.widget.FrameLayout"
    assert window.get("package") == PKG
    assert window.get("bounds") != "[0,0][1080,2400]"
    nodes = ui.parse_hierarchy(xml)
    assert any("隐私政策" in n.text and not n.clickable for n in nodes)
    yes, no = _button(xml, "同意"), _button(xml, "不同意")
    assert yes.clickable and no.clickable
    assert no.bounds[2] <= yes.bounds[0]  # side by side, 不同意 on the left
    assert 'class="android.widget.Button"' in xml

    # a tap on the message, and one outside the (non-cancelable) dialog: nothing happens
    message = max((n for n in nodes if "隐私政策" in n.text), key=lambda n: len(n.text))
    dev.shell(f"input tap {message.center[0]} {message.center[1]}")
    dev.shell("input tap 20 20")
    assert "phase" not in log().split("privhost: phase consent", 1)[1]
    assert "不同意" in _dump(dev)

    dev.shell(f"input tap {no.center[0]} {no.center[1]}")  # returns once the app handled it
    assert "不同意" not in _dump(dev)  # the click dismissed the dialog
    # the app's main thread, woken by the click, takes the reject branch
    assert wait_for(lambda: "privhost: phase rejected" in log(), 30), log()
    assert "phase accepted" not in log()


def test_home_stops_the_app_and_am_start_brings_it_back(app):
    device, dev, log = app
    yes = _button(_dump(dev), "同意")
    assert dev.shell2("input keyevent KEYCODE_HOME", v2=True).returncode == 0
    assert "ActivityManager: moved to background (1 activities stopped)" in log()
    assert 'package="com.android.systemui"' in _dump(dev)
    dev.shell(f"input tap {yes.center[0]} {yes.center[1]}")  # the home screen takes it
    assert "phase accepted" not in log()

    dev.shell(f"am start -n {PKG}/.MainActivity")
    assert "ActivityManager: moved to front (1 activities resumed)" in log()
    assert "同意" in _dump(dev)  # the dialog is still above its activity
    dev.shell("input keyevent 4")  # BACK: a consent dialog is not cancelable
    assert "不同意" in _dump(dev)
    dev.shell(f"input tap {yes.center[0]} {yes.center[1]}")
    assert wait_for(lambda: "privhost: phase accepted" in log(), 30), log()


def test_privascope_background_and_foreground_steps_reach_the_app(app, screen_device,
                                                                  monkeypatch):
    """The Android driver's HOME (press_home) and back-to-front (bring_to_front: monkey's
    launcher intent) through privascope's own adb adapter."""
    from privascope.runtime import adb

    device, dev, log = app
    monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", str(screen_device[2]))
    shell = adb.AdbShell(device.serial)
    adb.press_home(shell)
    assert "ActivityManager: moved to background (1 activities stopped)" in log()
    assert "隐私政策" not in _dump(dev)
    adb.bring_to_front(shell, PKG)
    assert "ActivityManager: moved to front (1 activities resumed)" in log()
    assert "隐私政策" in _dump(dev)


def test_privascope_click_consent_taps_不同意_through_adb(app, screen_device, monkeypatch):
    """privascope's own UI automation over its adb adapter: dump, find, tap (real adbutils
    client -> the double's adbd -> its shell and system_server -> the app)."""
    from privascope.runtime.adb import AdbShell

    device, dev, log = app
    monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", str(screen_device[2]))
    plan = ui.click_consent(AdbShell(device.serial), "reject", timeout=30)
    assert plan is not None and plan.taps[-1].text == "不同意"
    assert wait_for(lambda: "privhost: phase rejected" in log(), 30), log()


def test_input_rejects_bad_numbers_as_the_shell_command_does(screen_device):
    _, dev, _ = screen_device
    r = dev.shell2("input tap x 1", v2=True)
    assert r.returncode == 255
    assert "IllegalArgumentException: Error: Invalid arguments for command: tap" in r.output


# --------------------------------------------------------------------------- no device


def test_dump_follows_the_accessibility_dumper(tmp_path):
    """NAF on a clickable without text, bounds clipped to the display, views of no size left
    out with the index of the others kept, attribute values escaped, invalid characters
    replaced."""
    wm = WindowManager(tmp_path)
    wm.jvm_options("com.example.a")
    tree = {"class": "android.widget.FrameLayout", "text": "", "clickable": False,
            "bounds": [-10, 2000, 1100, 2600], "children": [
                {"class": "android.widget.TextView", "text": "", "bounds": [0, 0, 0, 0]},
                {"class": "android.widget.TextView", "text": "a\x07b\ufffe", "clickable": False,
                 "bounds": [0, 2000, 10, 2010]},
                {"class": "android.widget.Button", "text": 'a "b" <c>', "clickable": True,
                 "bounds": [0, 2000, 540, 2100], "children": []},
                {"class": "android.view.View", "text": "", "clickable": True,
                 "bounds": [540, 2000, 1080, 2100], "children": []}]}
    (wm.display_dir("com.example.a") / "windows.json").write_text(json.dumps(
        {"windows": [{"type": 2, "package": "com.example.a", "visible": True, "root": tree}]}))
    xml = wm.dump_xml(lambda p: p == "com.example.a")
    root = ET.fromstring(xml).find("node")
    assert root.get("bounds") == "[0,2000][1080,2400]"
    kids = root.findall("node")
    assert [k.get("index") for k in kids] == ["1", "2", "3"]
    assert kids[0].get("text") == "a.b."  # invalid XML characters stripped as the dumper does
    assert kids[1].get("text") == 'a "b" <c>' and "NAF" not in kids[1].attrib
    assert kids[2].get("NAF") == "true"
    # not running: the home screen
    assert 'package="com.android.systemui"' in wm.dump_xml(lambda p: False)


def test_the_agent_sees_the_tap_as_the_consent_click(samples_build, catalog, tmp_path):
    """The real agent on the host app with a display: a tap delivered through the input
    channel is the performClick the agent's consent hook reports (detected_by agent)."""
    from privascope.model import AppState, ConsentKind
    from privascope.runtime.session import Session
    from privascope.runtime.targets import JvmTarget
    from tests.runtime.host_apis import host_catalog

    wm = WindowManager(tmp_path)
    opts = wm.jvm_options(PKG)
    target = JvmTarget(str(samples_build / "jvm_host" / "classes"), MAIN,
                       ["--loop", "1", "--interval-ms", "10", "--no-pin-check"],
                       extra_jvm_args=opts)
    session = Session(target, catalog=host_catalog(catalog), events_path=tmp_path / "ev.jsonl",
                      salt=b"screen")
    try:
        session.start()
        assert target.wait_output("privhost: waiting for the user", 60), target.output[-10:]
        no = _button(wm.dump_xml(lambda p: True), "不同意")
        # HOME while the dialog waits, then back: the agent's lifecycle hooks see both
        assert wm.key(3, running=lambda p: True) == "ok"
        assert wm.to_front(PKG, running=lambda p: True) == "ok"
        assert wm.tap(*no.center, running=lambda p: True) == "click"
        assert target.wait_output("privhost: phase rejected", 30), target.output[-10:]
        assert session.wait_until(
            lambda s: any(c.kind is ConsentKind.REJECT for c in s.consent), 30)
    finally:
        evidence = session.stop()
    kinds = [(c.kind, c.detected_by) for c in evidence.consent]
    assert (ConsentKind.DIALOG_SHOWN, "agent") in kinds
    assert (ConsentKind.REJECT, "agent") in kinds
    reject = next(c.time for c in evidence.consent if c.kind is ConsentKind.REJECT)
    before = [s.state for s in evidence.app_states if s.time <= reject]
    assert before[-2:] == [AppState.BACKGROUND, AppState.FOREGROUND], before


def test_a_privacy_activity_is_a_full_screen_window_answered_by_a_tap(samples_build, tmp_path):
    """The notice as its own activity (--consent-activity): the active window is that
    activity, full screen, its buttons one below the other; privascope's planner finds 暂不使用
    and the tap takes the app's reject branch."""
    from privascope.runtime.targets import JvmTarget

    wm = WindowManager(tmp_path)
    target = JvmTarget(str(samples_build / "jvm_host" / "classes"), MAIN,
                       ["--consent-activity", "--loop", "1", "--interval-ms", "10",
                        "--no-pin-check"], extra_jvm_args=wm.jvm_options(PKG), held=False)
    try:
        target.launch()
        assert target.wait_output("privhost: waiting for the user", 60), target.output[-10:]
        xml = wm.dump_xml(lambda p: True)
        window = ET.fromstring(xml).find("node")
        assert window.get("bounds") == "[0,0][1080,2400]" and window.get("package") == PKG
        agree, disagree = _button(xml, "同意并继续"), _button(xml, "暂不使用")
        assert agree.bounds[3] <= disagree.bounds[1]  # one below the other
        plan = ui.plan_consent_taps(xml, "reject")
        assert plan is not None and plan.taps[-1].text == "暂不使用"
        assert wm.tap(plan.taps[-1].x, plan.taps[-1].y, running=lambda p: True) == "click"
        assert target.wait_output("privhost: phase rejected", 30), target.output[-10:]
    finally:
        target.stop()


def test_back_on_the_activity_moves_it_back_and_am_start_returns_it(samples_build, tmp_path):
    """BACK with no dialog: the root activity's task moves to the back (Android 12+), the
    focus stays with the app; am start brings it back."""
    from privascope.runtime.targets import JvmTarget

    wm = WindowManager(tmp_path)
    target = JvmTarget(str(samples_build / "jvm_host" / "classes"), MAIN,
                       ["--consent", "accept", "--loop", "600", "--interval-ms", "100",
                        "--no-pin-check"], extra_jvm_args=wm.jvm_options(PKG), held=False)
    running = lambda p: True  # noqa: E731
    try:
        target.launch()
        assert target.wait_output("privhost: phase loop", 60), target.output[-10:]
        assert f'package="{PKG}"' in wm.dump_xml(running)
        assert wm.key(4, running) == "back"
        assert target.wait_output("ActivityManager: moved to background (1 activities", 5)
        assert 'package="com.android.systemui"' in wm.dump_xml(running)
        assert wm.to_front(PKG, running) == "ok"
        assert target.wait_output("ActivityManager: moved to front (1 activities", 5)
        assert f'package="{PKG}"' in wm.dump_xml(running)
    finally:
        target.stop()
