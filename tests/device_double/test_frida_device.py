"""The double's Frida adapter (frida_device.py) with the real Frida: a package's process is
spawned held before any app code with its VM up (app_process.c), Frida's local device attaches
and a script runs in it, resume lets the program's main run, kill ends it; an unknown package
fails as frida-server's spawn does. Also privascope's extension point that hands it over."""
from __future__ import annotations


import frida
import pytest

from tests.device_double.device import DEBUG_DIR, Device, load_profile
from tests.device_double.waiting import wait_for

PKG = "com.example.clean"
MAIN = "com.example.privhost.CleanMain"
EARLY = "com.example.startapp"  # startup.apk, behind it a program that reads in its <clinit>


@pytest.fixture(scope="module")
def adapter(samples_build):
    import adbutils

    from tests.device_double.adb_server import AdbServer
    from tests.device_double.frida_device import DoubleFridaDevice

    classes = samples_build / "jvm_host" / "classes"
    from samples.jvm_host.values import EARLY_MAIN_CLASS

    device = Device(load_profile("api34-emulator"),
                    apps={PKG: (str(classes), MAIN),
                          EARLY: (str(classes), EARLY_MAIN_CLASS)}).start()
    server = AdbServer([device]).start()
    try:
        dev = adbutils.AdbClient(host="127.0.0.1", port=server.port).device(device.serial)
        dev.install(str(samples_build / "clean.apk"), nolaunch=True, silent=True)
        dev.install(str(samples_build / "startup.apk"), nolaunch=True, silent=True)
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("ANDROID_ADB_SERVER_PORT", str(server.port))
            yield device, dev, DoubleFridaDevice(device.serial)
    finally:
        server.stop()
        device.stop()


def test_spawn_holds_the_app_before_its_code_with_the_vm_up(adapter):
    device, dev, fdev = adapter
    pid = fdev.spawn([PKG])
    try:
        # the device's pid (as frida-server reports it): toybox pidof agrees
        assert dev.shell(f"pidof {PKG}").split() == [str(pid)]
        host = fdev.host_pid(pid)
        assert host != pid
        with open(f"/proc/{host}/cmdline", "rb") as f:
            assert f.read().split(b"\0")[0] == PKG.encode()
        with open(f"/proc/{host}/comm") as f:
            assert f.read().strip() == PKG[:15]  # prctl(PR_SET_NAME), as zygote names it
        assert dev.shell(f"ls {DEBUG_DIR}").split() == [str(pid)]
        session = fdev.attach(pid)
        seen = []
        script = session.create_script(
            "send({jvm: Process.findModuleByName('libjvm.so') !== null})")
        script.on("message", lambda m, _d: seen.append(m))
        script.load()
        assert wait_for(lambda: seen, 10), seen
        assert seen[0]["type"] == "send" and seen[0]["payload"]["jvm"] is True
        # held: the VM exists, the program's main has not run
        assert "privhost: start" not in device.app_log(PKG)
        fdev.resume(pid)
        assert wait_for(lambda: "privhost: start" in device.app_log(PKG), 30), device.app_log(PKG)
        assert dev.shell(f"ls {DEBUG_DIR}").strip() == ""
        with pytest.raises(frida.InvalidArgumentError):
            fdev.resume(pid)  # not held any more
        apps = {a.identifier: a.pid for a in fdev.enumerate_applications()}
        assert apps[PKG] == pid
        session.detach()
    finally:
        fdev.kill(pid)
    assert wait_for(lambda: dev.shell(f"pidof {PKG}").strip() == "", 10)
    assert {a.identifier: a.pid for a in fdev.enumerate_applications()}[PKG] == 0


def test_spawn_stops_the_running_app_first(adapter):
    device, dev, fdev = adapter
    dev.shell(f"am start -n {PKG}/.MainActivity")
    assert wait_for(lambda: dev.shell(f"pidof {PKG}").strip() != "", 30)
    old = int(dev.shell(f"pidof {PKG}").split()[0])
    pid = fdev.spawn([PKG])
    try:
        assert pid != old and dev.shell(f"pidof {PKG}").split() == [str(pid)]
    finally:
        fdev.kill(pid)  # while held: its fifo goes with it
    assert dev.shell(f"ls {DEBUG_DIR}").strip() == ""


def test_spawn_of_a_package_that_is_not_installed(adapter):
    _device, _dev, fdev = adapter
    with pytest.raises(frida.ExecutableNotFoundError,
                       match="unable to find application with identifier 'com.example.none'"):
        fdev.spawn(["com.example.none"])


def test_privascope_takes_the_frida_device_the_environment_names(adapter, monkeypatch):
    from privascope.runtime.android import AndroidTarget
    from tests.device_double.frida_device import DoubleFridaDevice

    _device, _dev, fdev = adapter
    monkeypatch.setenv("PRIVASCOPE_FRIDA_DEVICE", "tests.device_double.frida_device:device_for")
    chosen = AndroidTarget(fdev.id, PKG).frida_device()
    assert isinstance(chosen, DoubleFridaDevice) and chosen.id == fdev.id


def test_spawn_gating_holds_the_packages_relaunch_and_reports_it(adapter):
    import queue

    device, dev, fdev = adapter
    added: "queue.Queue" = queue.Queue()
    fdev.on("spawn-added", added.put)
    fdev.enable_spawn_gating()
    try:
        pid = fdev.spawn([PKG])  # explicit: completes its own request, never reported
        fdev.resume(pid)
        fdev.kill(pid)
        assert wait_for(lambda: dev.shell(f"pidof {PKG}").strip() == "", 10)
        starts = device.app_log(PKG).count("privhost: start")
        dev.shell(f"am start -n {PKG}/.MainActivity")  # a relaunch privascope did not ask for
        spawn = added.get(timeout=30)
        assert spawn.identifier == PKG and spawn.pid != pid
        assert dev.shell(f"pidof {PKG}").split() == [str(spawn.pid)]
        assert [s.pid for s in fdev.enumerate_pending_spawn()] == [spawn.pid]
        assert device.app_log(PKG).count("privhost: start") == starts  # held before its code
        fdev.resume(spawn.pid)
        assert wait_for(lambda: device.app_log(PKG).count("privhost: start") > starts, 30)
        assert fdev.enumerate_pending_spawn() == [] and added.empty()
        fdev.kill(spawn.pid)
    finally:
        fdev.off("spawn-added", added.put)
        fdev.disable_spawn_gating()
    # gating off: the debug app is cleared, the next launch runs at once
    assert wait_for(lambda: dev.shell(f"pidof {PKG}").strip() == "", 10)
    dev.shell(f"am start -n {PKG}/.MainActivity")
    assert wait_for(lambda: dev.shell(f"pidof {PKG}").strip() != "", 30)
    assert dev.shell(f"ls {DEBUG_DIR}").strip() == ""
    dev.shell(f"am force-stop {PKG}")


def test_am_set_debug_app_follows_activity_manager(adapter):
    device, dev, _fdev = adapter
    assert dev.shell("am set-debug-app -x " + PKG) == "Error: Unknown option: -x"
    dev.shell(f"am set-debug-app -w {PKG}")  # transient: the next launch only
    assert device.system_server.debug_app == (PKG, True, False)
    dev.shell(f"am start -n {PKG}/.MainActivity")
    assert device.system_server.debug_app is None
    held = dev.shell(f"ls {DEBUG_DIR}").split()
    assert held and dev.shell(f"pidof {PKG}").split() == held
    dev.shell(f"am force-stop {PKG}")
    dev.shell(f"am set-debug-app --persistent {PKG}")  # no -w: debuggable, not held
    dev.shell("am clear-debug-app")
    assert device.system_server.debug_app is None


def test_a_read_in_the_first_static_initialiser_is_recorded(adapter, monkeypatch, tmp_path):
    # issue 11 item 4 on the double: privascope spawns the package held, the real agent
    # installs its hooks, the app is resumed once they are live; the very first code of the
    # program (its main class's <clinit>) reads the IMEI, and that read is recorded
    from privascope.model import ConsentPhase
    from privascope.runtime.android import AndroidTarget
    from privascope.runtime.session import Session
    from samples.jvm_host.values import EARLY_MAIN_CLASS, IMEI

    device, _dev, fdev = adapter
    target = AndroidTarget(fdev.id, EARLY, frida_device_factory=lambda _serial: fdev)
    session = Session(target, events_path=tmp_path / "events.jsonl")
    try:
        ready = session.start()
        assert ready.runtime == "jvm" and ready.launcher == "absent"
        assert wait_for(lambda: "early: read" in device.app_log(EARLY), 30), device.app_log(EARLY)
        session.wait_until(lambda s: s.detached is not None, 10)  # main returned: it exits
    finally:
        evidence = session.stop()
    (call,) = [c for c in evidence.api_calls if c.pi_type == "device.imei"]
    assert call.obtained and call.consent_phase is ConsentPhase.BEFORE
    assert call.caller.startswith(f"{EARLY_MAIN_CLASS}.<clinit>")
    assert IMEI not in (tmp_path / "events.jsonl").read_text(encoding="utf-8")


def test_system_parameters_name_the_device(adapter):
    _device, _dev, fdev = adapter
    params = fdev.query_system_parameters()
    assert params["os"]["id"] == "android" and params["api-level"] == 34
    assert params["arch"] == "x64" and params["access"] == "full"


def test_an_explicit_spawn_is_never_reported_as_a_gated_one(adapter):
    # frida-core: a zygote child for a package with a spawn() in flight completes that request;
    # only others are "spawn-added". The adapter's watcher polls while spawn() waits for the
    # held process: it must not take that process for a gated one (privascope would attach a
    # second session to it and count every read twice)
    import queue

    _device, _dev, fdev = adapter
    added: "queue.Queue" = queue.Queue()
    fdev.on("spawn-added", added.put)
    interval, fdev.watch_interval = fdev.watch_interval, 0.01  # poll all the time
    fdev.enable_spawn_gating()
    try:
        for _ in range(3):
            pid = fdev.spawn([PKG])
            fdev.resume(pid)
            fdev.kill(pid)
        assert added.empty(), [added.get().pid for _ in range(added.qsize())]
    finally:
        fdev.off("spawn-added", added.put)
        fdev.disable_spawn_gating()
        fdev.watch_interval = interval
