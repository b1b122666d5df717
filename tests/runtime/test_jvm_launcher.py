"""Unmodified Java programs under the real agent, through privascope's launcher
(hooks/jvm_launcher): hooks are live before the program's first static initialiser, its
arguments arrive unchanged, it ends as `java MAINCLASS` would, and the launcher's wait is bounded
with clear errors. Also `trace` and `dynamic --target jvm:` on such a program."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from privascope.model import Bundle, ConsentPhase, from_json
from privascope.runtime import jvm_launcher
from privascope.runtime.jvm_launcher import LAUNCHER_CLASS, RELEASED, launcher_classpath
from privascope.runtime.session import Session
from privascope.runtime.targets import JDK17_JAVA, JvmTarget, TargetError
from samples.jvm_host import values as V
from tests.conftest import REPO

GET_DEVICE_ID = "android.telephony.TelephonyManager.getDeviceId"


@pytest.fixture(scope="module")
def classes(samples_build) -> Path:
    path = samples_build / "jvm_host" / "classes"
    if not (path / "com" / "example" / "early" / "EarlyMain.class").is_file():
        pytest.fail("EarlyMain not built: run `make samples`")
    return path


def run_under_agent(target: JvmTarget, out: Path):
    session = Session(target, events_path=out / "events.jsonl")
    try:
        ready = session.start()
        assert target.wait_exit(60) is not None  # the program ends by itself once main is done
        session.wait_until(lambda s: s.detached is not None, 10)
    finally:
        evidence = session.stop()
    return ready, evidence


def test_first_static_initialiser_read_is_recorded_before_consent(classes, tmp_path):
    target = JvmTarget(str(classes), V.EARLY_MAIN_CLASS, ["one", "two words", "--consent"])
    ready, evidence = run_under_agent(target, tmp_path)
    assert ready.launcher == "released"
    # Had the program run before the hooks were live, this read would be missing.
    (call,) = evidence.api_calls
    assert call.api == GET_DEVICE_ID and call.pi_type == "device.imei" and call.obtained
    assert call.consent_phase is ConsentPhase.BEFORE and call.sdk is None
    assert call.caller.startswith(f"{V.EARLY_MAIN_CLASS}.<clinit>")
    assert target.proc.returncode == 0
    program = f"early: read {len(V.IMEI)} chars; args=one|two words|--consent"
    assert program in target.output
    assert target.output.index(RELEASED) < target.output.index(program), target.output
    assert V.IMEI not in (tmp_path / "events.jsonl").read_text(encoding="utf-8")


PROGRAM = """
public class Spawner {
    public static void main(String[] args) throws Exception {
        Thread worker = new Thread(() -> {
            try { Thread.sleep(300); } catch (InterruptedException e) { return; }
            System.out.println("worker: done");
        });
        worker.start();
        throw new IllegalStateException("boom");
    }
}
"""


@pytest.fixture(scope="module")
def spawner(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("spawner")
    (src / "Spawner.java").write_text(PROGRAM, encoding="utf-8")
    subprocess.run([str(JDK17_JAVA.with_name("javac")), "-d", str(src), str(src / "Spawner.java")],
                   check=True, timeout=120, capture_output=True)
    return src


def test_program_ends_as_it_would_without_privascope(spawner, tmp_path):
    # Its own non-daemon thread still finishes, its exception is reported, exit status 1: the
    # same as `java Spawner` (Frida's attached thread must not keep the JVM alive).
    plain = JvmTarget(str(spawner), "Spawner", held=False)
    try:
        plain.launch()
        assert plain.wait_exit(60) is not None
    finally:
        plain.stop()
    traced = JvmTarget(str(spawner), "Spawner")
    run_under_agent(traced, tmp_path)
    for target in (plain, traced):
        assert target.proc.returncode == 1, target.output
        assert "worker: done" in target.output
        assert 'Exception in thread "main" java.lang.IllegalStateException: boom' in target.output


def test_a_program_nobody_releases_is_never_started(classes):
    target = JvmTarget(str(classes), V.EARLY_MAIN_CLASS,
                       extra_jvm_args=["-Dprivascope.launcher.timeout=1"])
    try:
        target.launch()  # the launcher waits: nothing attaches
        assert target.wait_exit(60) is not None
    finally:
        target.stop()
    assert target.proc.returncode == 3
    assert any(f"did not release {V.EARLY_MAIN_CLASS} within 1s" in line for line in target.output)
    assert not any(line.startswith("early:") for line in target.output)  # no program code ran


@pytest.mark.parametrize("main, message", [
    ("com.example.NoSuchMain", "main class com.example.NoSuchMain not found on the classpath"),
    ("android.os.Bundle", "android.os.Bundle has no public static void main(String[])"),
])
def test_a_wrong_main_class_is_one_clear_error(classes, main, message):
    target = JvmTarget(str(classes), main)
    with pytest.raises(TargetError) as exc:
        target.launch()
    assert message in str(exc.value)
    assert not target.alive()


def test_launcher_builds_once_even_when_two_runs_race(tmp_path):
    results, errors = [], []

    def build():
        try:
            results.append(launcher_classpath(build_dir=tmp_path))
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=build) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    assert not errors and len(results) == 2 and results[0] == results[1]
    assert results[0].parent == tmp_path and results[0].name == jvm_launcher.source_hash()
    assert (results[0] / Path(*LAUNCHER_CLASS.split("."))).with_suffix(".class").is_file()
    assert [p.name for p in tmp_path.iterdir()] == [results[0].name]  # no half-built leftovers
    assert launcher_classpath(build_dir=tmp_path) == results[0]


def test_trace_runs_an_unmodified_program_with_its_arguments(classes, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "privascope.cli", "trace", "--target",
                           f"jvm:{classes}:{V.EARLY_MAIN_CLASS}", "--duration", "300",
                           "--out", str(tmp_path), "--", "--an-option", "x"],
                          cwd=REPO, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr
    assert "the app is gone" in proc.stdout  # it ended with the program, not after 300 s
    bundle = from_json(Bundle, (tmp_path / "runtime-bundle.json").read_text(encoding="utf-8"))
    assert [(e.api, e.consent_phase) for e in bundle.runtime.api_calls] == [
        (GET_DEVICE_ID, ConsentPhase.BEFORE)]


def test_dynamic_runs_an_unmodified_program(classes, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "privascope.cli", "dynamic", "--target",
                           f"jvm:{classes}:{V.EARLY_MAIN_CLASS}", "--scenario", "launch-idle",
                           "--duration", "1", "-o", str(tmp_path), "--format", "json"],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    bundle = json.loads((tmp_path / "bundle.json").read_text(encoding="utf-8"))
    calls = bundle["runtime"]["api_calls"]
    assert calls and all(c["api"] == GET_DEVICE_ID and c["consent_phase"] == "before" for c in calls)
