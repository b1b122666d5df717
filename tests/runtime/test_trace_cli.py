"""`privascope trace` end to end on the JVM host app, and its one-line errors."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
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


def test_ctrl_c_ends_cleanly_and_keeps_the_record(host_target, tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "privascope.cli", "trace", "--target", host_target,
                             "--duration", "120", "--out", str(tmp_path)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        seen = []
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            seen.append(line)
            if "consent accept (agent)" in line or not line:
                break
        assert any("consent accept (agent)" in s for s in seen), "".join(seen)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    bundle = from_json(Bundle, (tmp_path / "runtime-bundle.json").read_text(encoding="utf-8"))
    assert bundle.runtime.api_calls and bundle.runtime.ended_at is not None
    assert read_records(tmp_path / "events.jsonl")


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
        assert target.wait_output("type accept or reject", 30)
        assert session.wait_until(lambda s: bool(s.consent), 10)  # the tester sees the dialog
        session.mark_consent("reject", detected_by="key_press")
        target.send_line("none")  # the app gets no click at all
        assert target.wait_output("privhost: done", 30)
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
