"""`privascope trace` end to end on the JVM host app, and its one-line errors."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from privascope.model import Bundle, from_json
from privascope.jsonlines import read_records
from samples.jvm_host import values as V
from tests.conftest import REPO


def trace(*args, **kw):
    return subprocess.run([sys.executable, "-m", "privascope.cli", "trace", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=kw.pop("timeout", 120), **kw)


@pytest.fixture(scope="module")
def host_target(samples_build):
    return f"jvm:{samples_build / 'jvm_host' / 'classes'}:{V.MAIN_CLASS}"


def test_trace_records_events_and_bundle_without_raw_values(host_target, tmp_path):
    proc = trace("--target", host_target, "--duration", "9", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "agent ready on jvm:" in proc.stdout
    assert "umeng-common" in proc.stdout and "device.imei" in proc.stdout
    bundle = from_json(Bundle, (tmp_path / "runtime-bundle.json").read_text(encoding="utf-8"))
    apis = {e.api for e in bundle.runtime.api_calls}
    assert "android.telephony.TelephonyManager.getDeviceId" in apis
    assert [c.kind.value for c in bundle.runtime.consent] == ["dialog_shown", "accept"]
    lines = read_records(tmp_path / "events.jsonl")
    assert sum(1 for line in lines if line["kind"] == "runtime_event") == len(bundle.runtime.api_calls)
    for text in (proc.stdout, proc.stderr, (tmp_path / "events.jsonl").read_text(),
                 (tmp_path / "runtime-bundle.json").read_text()):
        assert V.IMEI not in text and V.ANDROID_ID not in text
    assert oct((tmp_path / "events.jsonl").stat().st_mode & 0o777) == "0o600"


class Lines:
    """A child's output read on a thread, so that every wait has a deadline (a blocking
    readline() would not)."""

    def __init__(self, stream):
        self.lines: list[str] = []
        self._cond = threading.Condition()
        self._eof = False
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream) -> None:
        for line in stream:
            with self._cond:
                self.lines.append(line)
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def wait_for(self, text: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not any(text in line for line in self.lines):
                left = deadline - time.monotonic()
                if left <= 0 or self._eof:
                    return False
                self._cond.wait(min(left, 0.5))
            return True

    def wait_eof(self, timeout: float) -> None:
        with self._cond:
            self._cond.wait_for(lambda: self._eof, timeout)

    @property
    def text(self) -> str:
        with self._cond:
            return "".join(self.lines)


def interrupted_trace(host_target, out, signals: int):
    """Runs `trace`, sends SIGINT `signals` times once the agent saw consent (the second at once,
    the others during the teardown), and returns (exit code, stdout, stderr). Every wait is bounded; the
    limits are generous because a loaded CI machine is slow, not because teardown may be."""
    proc = subprocess.Popen([sys.executable, "-m", "privascope.cli", "trace", "--target", host_target,
                             "--duration", "300", "--out", str(out)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.PIPE, text=True)
    stdout, stderr = Lines(proc.stdout), Lines(proc.stderr)
    try:
        assert stdout.wait_for("consent accept (agent)", 120), stdout.text + stderr.text
        proc.send_signal(signal.SIGINT)
        if signals > 1:
            proc.send_signal(signal.SIGINT)  # at once: before the teardown has even begun
            assert stderr.wait_for("interrupted", 60), stderr.text
            for _ in range(signals - 2):
                proc.send_signal(signal.SIGINT)  # during the teardown
        code = proc.wait(timeout=90)
        stdout.wait_eof(10)
        stderr.wait_eof(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    return code, stdout.text, stderr.text


def jvm_pid(out) -> int:
    (ready,) = read_records(out / "events.jsonl", "agent_ready")
    return ready["data"]["pid"]


def assert_gone(pid: int) -> None:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return
    with open(f"/proc/{pid}/stat") as fh:  # a zombie is gone too (its parent has exited)
        assert fh.read().split(") ", 1)[1].startswith("Z"), f"the JVM {pid} is still running"


def test_ctrl_c_ends_cleanly_and_keeps_the_record(host_target, tmp_path):
    code, out, err = interrupted_trace(host_target, tmp_path, signals=1)
    assert code == 130, err
    assert "interrupted" in err and "Traceback" not in err
    bundle = from_json(Bundle, (tmp_path / "runtime-bundle.json").read_text(encoding="utf-8"))
    assert bundle.runtime.api_calls and bundle.runtime.ended_at is not None
    assert read_records(tmp_path / "events.jsonl")
    assert_gone(jvm_pid(tmp_path))


def test_second_ctrl_c_does_not_abandon_the_teardown(host_target, tmp_path):
    code, out, err = interrupted_trace(host_target, tmp_path, signals=3)
    assert code == 130, err
    assert "Traceback" not in err
    bundle = from_json(Bundle, (tmp_path / "runtime-bundle.json").read_text(encoding="utf-8"))
    assert bundle.runtime.api_calls and bundle.runtime.ended_at is not None
    assert_gone(jvm_pid(tmp_path))


def test_key_press_marks_consent(samples_build, tmp_path):
    # A dialog the agent cannot see (consent "none": no click): the tester types `r`.
    from privascope.runtime.session import Session
    from privascope.runtime.targets import JvmTarget
    from tests.runtime.jvm_runs import settle

    target = JvmTarget(str(samples_build / "jvm_host" / "classes"), V.MAIN_CLASS,
                       ["--consent", "ask", "--loop", "2", "--interval-ms", "100"])
    session = Session(target, events_path=tmp_path / "events.jsonl")
    try:
        session.start()
        assert target.wait_output("type accept or reject", 60)
        settle(session)  # the dialog is shown before the prompt: its event has arrived
        assert session.consent  # the tester sees the dialog
        session.mark_consent("reject", detected_by="key_press")
        target.send_line("none")  # the app gets no click at all
        assert target.wait_output("privhost: done", 60)
        settle(session)
    finally:
        evidence = session.stop()
    assert [(c.kind.value, c.detected_by) for c in evidence.consent] == [("dialog_shown", "agent"), ("reject", "key_press")]
    assert any(e.consent_phase.value == "after_reject" for e in evidence.api_calls)


@pytest.mark.parametrize("args, code, message", [
    (["--target", "jvm:/no/such/dir:Main"], 2, "does not exist"),
    (["--target", "nonsense"], 2, "jvm:CLASSPATH:MAINCLASS"),
    ([], 2, "give --target"),
    (["--serial", "emulator-5554", "--package", "bad;name"], 2, "not an Android package name"),
    (["--target", "jvm:x:Y", "--serial", "s"], 2, "not both"),
    (["--target", "jvm:/tmp:Main", "--duration", "0"], 2, "--duration"),
])
def test_bad_input_is_one_line(args, code, message, tmp_path):
    proc = trace(*args, "--out", str(tmp_path))
    assert proc.returncode == code
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_missing_device_is_exit_3_one_line(tmp_path):
    env = {**os.environ, "ANDROID_SERIAL": ""}
    proc = trace("--serial", "privascope-no-such-device", "--package", "com.example.app", "--out",
                 str(tmp_path), "--duration", "1", env=env)
    assert proc.returncode == 3, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
