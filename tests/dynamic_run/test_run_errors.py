"""What the user sees when something is missing or wrong (one line, exit 2 or 3), and that an
interrupted run still stops the app and the proxy and restores the device."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from privascope.cli import main
from privascope.dynamic_run import DynamicOptions, DynamicRun
from privascope.runtime import adb as device
from privascope.dynamic_run.live_panel import Progress
from privascope.dynamic_run.scenarios import get_scenario

REPO = Path(__file__).resolve().parents[2]
MAIN = "com.example.privhost.HostMain"


def cli(capsys, *argv) -> tuple[int, str]:
    code = main(["dynamic", *argv])
    err = capsys.readouterr().err.strip().splitlines()
    return code, err[-1] if err else ""


def test_neither_apk_nor_target(capsys, tmp_path):
    code, err = cli(capsys, "-o", str(tmp_path))
    assert code == 2 and "give either an APK" in err


def test_unknown_scenario(capsys, tmp_path):
    code, err = cli(capsys, "--target", "jvm:x:y", "--scenario", "dance", "-o", str(tmp_path))
    assert code == 2 and "unknown scenario 'dance'" in err


def test_bad_target_spec_and_missing_classpath(capsys, tmp_path):
    code, err = cli(capsys, "--target", "android:foo", "-o", str(tmp_path))
    assert code == 2 and "jvm:CLASSPATH:MAINCLASS" in err
    code, err = cli(capsys, "--target", f"jvm:{tmp_path}/nope:{MAIN}", "-o", str(tmp_path))
    assert code == 2 and "does not exist" in err


def test_proxy_must_stay_on_loopback(capsys, tmp_path, samples_build):
    classes = samples_build / "jvm_host" / "classes"
    code, err = cli(capsys, "--target", f"jvm:{classes}:{MAIN}", "--proxy-host", "0.0.0.0",
                    "-o", str(tmp_path))
    assert code == 2 and "loopback" in err


def test_apk_without_a_device_is_exit_3(capsys, tmp_path, samples_build):
    code, err = cli(capsys, str(samples_build / "clean.apk"), "-o", str(tmp_path))
    assert code == 3 and err == "privascope: error: no device: give --serial SERIAL (see `adb devices`)"


def test_unknown_serial_is_exit_3(capsys, tmp_path, samples_build):
    code, err = cli(capsys, str(samples_build / "clean.apk"), "--serial", "no-such-device",
                    "-o", str(tmp_path))
    assert code == 3 and ("no device: no-such-device" in err or "no adb server" in err)


def test_missing_jdk17_is_exit_3(tmp_path, samples_build):
    classes = samples_build / "jvm_host" / "classes"
    env = dict(os.environ, PRIVASCOPE_JAVA17=str(tmp_path / "no-java"))
    proc = subprocess.run([sys.executable, "-m", "privascope.cli", "dynamic", "--target",
                           f"jvm:{classes}:{MAIN}", "--scenario", "launch-idle", "--duration", "1",
                           "-o", str(tmp_path / "out")], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 3
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("privascope: error: JDK 17 not found") and "Traceback" not in proc.stderr


class InterruptAt(Progress):
    """Ctrl-C arriving while the scenario reaches the given phase."""

    def __init__(self, when: str, **kw):
        super().__init__(**kw)
        self.when = when

    def phase(self, label):
        super().phase(label)
        if self.when in label:
            raise KeyboardInterrupt


@pytest.mark.slow
def test_ctrl_c_mid_scenario_stops_the_app_and_the_proxy(tmp_path, samples_build):
    import io

    from rich.console import Console

    classes = samples_build / "jvm_host" / "classes"
    args = DynamicOptions(target=f"jvm:{classes}:{MAIN}", scenario="reject", duration=1.0,
                          out=tmp_path)
    run = DynamicRun(args, get_scenario("reject"),
                     progress=InterruptAt("reject consent",
                                          console=Console(file=io.StringIO()), live=False))
    with pytest.raises(KeyboardInterrupt):
        run.execute()
    (_prefix, session), = run.driver.sessions
    assert session.target.proc.poll() is not None  # the JVM is gone
    assert session.ended_at is not None
    assert not run.proxy._thread.is_alive()  # the proxy's event loop has ended


class FakeAdb:
    """Stands in for AdbShell: records the device state the run changes."""

    def __init__(self, serial):
        self.proxy = "10.1.2.3:8888"
        self.reverses = set()
        self.installed = []

    def shell(self, args, timeout=30.0):
        import frida

        replies = {"getprop ro.product.cpu.abi": "x86_64",
                   "ls -l /data/local/tmp/frida-server": "-rwxr-xr-x root frida-server",
                   "/data/local/tmp/frida-server --version": frida.__version__,
                   "pidof frida-server": "321",
                   "cmd package compile -m verify -f com.example.clean": "Success"}
        if " ".join(args) in replies:
            return replies[" ".join(args)]
        if args[:3] == ["settings", "get", "global"]:
            return self.proxy
        if args[:3] == ["settings", "put", "global"]:
            self.proxy = args[4]
        if args[:3] == ["settings", "delete", "global"]:
            self.proxy = "null"
        if args[0] == "sh" and "nc -w" in args[2]:  # the proxy probe: sent to the run's proxy
            return self._probe(args[2])
        if args[0] == "sh" and "cacerts" in args[2]:
            return "SYSTEM"
        return ""

    def _probe(self, script):
        """What the device's nc would do: the probe's request to the reversed port, which is
        the host's proxy (the run passes when its proxy saw that very request)."""
        import re
        import socket

        request = re.search(r"printf '([^']*)'", script).group(1).replace("\\r\\n", "\r\n")
        port = int(re.search(r"nc -w \d+ 127\.0\.0\.1 (\d+)", script).group(1))
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(request.encode())
            return s.recv(4096).decode(errors="replace")

    def reverse(self, remote, local):
        self.reverses.add(remote)

    def remove_reverse(self, remote):
        self.reverses.discard(remote)

    def install(self, apk):
        self.installed.append(apk)


def test_android_run_restores_proxy_and_reverse_after_ctrl_c(monkeypatch, tmp_path,
                                                             samples_build):
    import io

    from rich.console import Console

    adb = FakeAdb("emulator-5554")
    monkeypatch.setattr(device, "AdbShell", lambda serial: adb)
    seen = {}

    class Interrupting:
        sessions: list = []
        limits: list = []

        def __init__(self):
            seen["proxy_during_run"] = adb.proxy
            seen["reverses_during_run"] = set(adb.reverses)

        def is_running(self):
            raise KeyboardInterrupt  # Ctrl-C at the first step

        def set_permissions(self, mode):
            raise KeyboardInterrupt  # the first step decides runtime permissions

        def stop(self):
            seen["stopped"] = True

        def evidence(self):
            return None

    monkeypatch.setattr(DynamicRun, "_android_driver", lambda self, *a: Interrupting())
    args = DynamicOptions(apk=samples_build / "clean.apk", serial="emulator-5554",
                          scenario="reject", duration=1.0, out=tmp_path)
    run = DynamicRun(args, get_scenario("reject"),
                     progress=Progress(console=Console(file=io.StringIO()), live=False))
    with pytest.raises(KeyboardInterrupt):
        run.execute()
    assert seen["proxy_during_run"] == f"127.0.0.1:{run.proxy.port}"
    assert seen["reverses_during_run"] == {run.proxy.port}
    assert seen["stopped"] is True
    assert adb.proxy == "10.1.2.3:8888" and adb.reverses == set()  # restored
    assert adb.installed == [samples_build / "clean.apk"]
    # AOT code reset after the install, and said so in method.device_setup (issue 11 item 10)
    assert run.device_setup == ["compilation reset to verify (`cmd package compile -m verify "
                                "-f`)"]
    assert not run.proxy._thread.is_alive()


def test_a_device_that_goes_away_mid_run_is_exit_3_and_the_rest_is_still_restored(
        monkeypatch, tmp_path, samples_build):
    """adb's errors during the scenario and the teardown (AdbShell turns them into one
    MissingError line) end the run as a missing device, never an internal error (exit 4)."""
    import io

    from rich.console import Console

    from privascope.dynamic_run import RunMissing

    adb = FakeAdb("emulator-5554")
    monkeypatch.setattr(device, "AdbShell", lambda serial: adb)
    gone = device.MissingError("device emulator-5554 went away during the run (offline; "
                               "AdbError: closed): reconnect it (`adb devices`) and run again")

    class Gone:
        sessions: list = []
        limits: list = []

        def is_running(self, *args):
            raise gone

        set_permissions = is_running  # whichever the scenario asks first

        def stop(self):
            raise gone  # `am force-stop` cannot reach the device either

        def evidence(self):
            return None

    monkeypatch.setattr(DynamicRun, "_android_driver", lambda self, *a: Gone())
    args = DynamicOptions(apk=samples_build / "clean.apk", serial="emulator-5554",
                          scenario="reject", duration=1.0, out=tmp_path)
    run = DynamicRun(args, get_scenario("reject"),
                     progress=Progress(console=Console(file=io.StringIO()), live=False))
    with pytest.raises(RunMissing, match=r"^device emulator-5554 went away during the run"):
        run.execute()
    assert adb.proxy == "10.1.2.3:8888" and adb.reverses == set()  # the rest was restored
    assert any("went away" in e for e in run.errors)  # the failed teardown step is said
    assert not run.proxy._thread.is_alive()


@pytest.mark.slow
def test_a_failing_restart_keeps_the_first_process_evidence(monkeypatch, tmp_path, samples_build):
    """full: the reopened app cannot be attached -> partial bundle, not a lost run."""
    import io

    from rich.console import Console

    from privascope.dynamic_run import drivers
    from privascope.runtime.session import SessionError

    real_start = drivers.SessionFactory.start

    def start(self, target, prefix):
        if prefix:  # the second process
            target.stop()
            raise SessionError("the agent did not report ready within 90s")
        return real_start(self, target, prefix)

    monkeypatch.setattr(drivers.SessionFactory, "start", start)
    classes = samples_build / "jvm_host" / "classes"
    args = DynamicOptions(target=f"jvm:{classes}:{MAIN} --loop 2 --interval-ms 100",
                          scenario="full", duration=0.5, out=tmp_path)
    run = DynamicRun(args, get_scenario("full"),
                     progress=Progress(console=Console(file=io.StringIO()), live=False))
    bundle = run.execute()
    assert bundle.partial and "stopped early: Frida agent: the agent did not report ready" \
        in bundle.errors[0]
    assert any(e.pi_type == "device.imei" for e in bundle.runtime.api_calls)
    assert [c.kind.value for c in bundle.runtime.consent if c.kind.value != "dialog_shown"] == \
        ["reject"]
