"""The worker turns every way an APK can go wrong into a record: real worker processes, real
limits, real signals."""
from __future__ import annotations

import os
import signal
import threading

import pytest

from privascope.batch.worker import (WorkerProcess, crash_reason, error_record, run_isolated,
                                   safe_name, scan_one)


def _job(apk, out):
    return {"path": str(apk), "apps_dir": str(out / "apps"), "formats": ["json"], "lang": "en"}


def test_safe_name_strips_traversal_and_separators():
    assert safe_name("../../etc/passwd") == "etc_passwd"
    assert safe_name("/abs/path") == "abs_path"
    assert safe_name("..") == "app"
    assert safe_name("com.example.app") == "com.example.app"
    assert safe_name("中文\x00\n<x>") == "x"
    assert len(safe_name("a" * 500)) == 64


def test_scan_one_writes_a_complete_app_directory(base_apk, tmp_path):
    rec = scan_one(_job(base_apk, tmp_path))
    assert rec["status"] in ("ok", "partial")
    app_dir = tmp_path / rec["app_dir"]
    assert app_dir.name.startswith(rec["sha256"][:16] + "-")
    assert (app_dir / "result.json").is_file()
    assert (tmp_path / rec["reports"]["json"]).is_file()
    # nothing half-written is left behind
    assert [p.name for p in (tmp_path / "apps").iterdir()] == [app_dir.name]


def test_not_an_apk_is_an_error_record(tmp_path):
    bad = tmp_path / "x.apk"
    bad.write_bytes(b"hello")
    rec = scan_one(_job(bad, tmp_path))
    assert rec["status"] == "error" and rec["reason"].startswith("not a valid APK")
    assert rec["sha256"] and rec["app_dir"] is None


def test_unreadable_file_is_an_error_record(tmp_path):
    rec = scan_one(_job(tmp_path / "gone.apk", tmp_path))
    assert rec["status"] == "error" and rec["reason"].startswith("unreadable")


def test_long_lived_worker_reuses_its_process(small_apks, tmp_path):
    w = WorkerProcess(1024)
    try:
        recs = [w.run(_job(a, tmp_path), 120) for a in small_apks]
    finally:
        w.stop()
    assert [r["status"] for r in recs] == ["ok"] * len(small_apks) or all(
        r["status"] in ("ok", "partial") for r in recs)
    assert len(w.pids) == 1  # one interpreter for all three APKs
    assert all(r["peak_rss_mb"] and r["peak_rss_mb"] < 1024 for r in recs)


def test_timeout_kills_the_worker_and_the_next_apk_still_runs(base_apk, tmp_path):
    w = WorkerProcess(1024)
    try:
        # 0.05 s cannot cover even the worker's start-up: the task must time out
        rec = w.run(_job(base_apk, tmp_path), 0.05)
        assert rec["status"] == "error" and rec["reason"] == "timeout after 0.05 s"
        first_pid = w.pids[0]
        with pytest.raises(ProcessLookupError):
            os.kill(first_pid, 0)  # killed, not left running
        rec2 = w.run(_job(base_apk, tmp_path), 120)
        assert rec2["status"] in ("ok", "partial")
        assert len(w.pids) == 2
    finally:
        w.stop()


def test_crash_of_the_worker_becomes_a_record_with_the_signal(base_apk, tmp_path, monkeypatch):
    w = WorkerProcess(1024)
    out = {}
    sent = threading.Event()
    send = w._send

    def send_then_tell(job):
        send(job)
        sent.set()

    # Kill only once the job is in the worker's stdin: a worker killed before that is a worker
    # that died between tasks, which run() rightly replaces (a broken pipe, then a new worker)
    monkeypatch.setattr(w, "_send", send_then_tell)
    t = threading.Thread(target=lambda: out.setdefault("rec", w.run(_job(base_apk, tmp_path), 120)))
    t.start()
    assert sent.wait(30), "the job was never sent"
    os.kill(w.pids[0], signal.SIGSEGV)  # while it is still importing the scanner
    t.join(60)
    w.stop()
    assert out["rec"]["status"] == "error"
    assert out["rec"]["reason"] == "worker crashed (signal 11)"


def test_memory_limit_becomes_a_record_and_the_worker_restarts(base_apk, tmp_path):
    w = WorkerProcess(40)  # below what the interpreter plus the scanner need
    try:
        rec = w.run(_job(base_apk, tmp_path), 120)
        assert rec["status"] == "error"
        assert rec["reason"] == "memory limit 40 MB exceeded"
        assert w.proc is None  # a worker whose heap blew up is not reused
    finally:
        w.stop()


def test_zip_bomb_stays_under_the_memory_limit(broken_dir, tmp_path):
    w = WorkerProcess(512)
    try:
        rec = w.run(_job(broken_dir / "zip_bomb.apk", tmp_path), 120)
    finally:
        w.stop()
    assert rec["status"] in ("partial", "error")
    if rec["status"] == "partial":
        assert any("dex" in e or "bomb" in e for e in rec["errors"])
    else:
        assert rec["reason"] == "memory limit 512 MB exceeded"
    if rec.get("peak_rss_mb"):
        assert rec["peak_rss_mb"] < 512


def test_run_isolated_uses_a_fresh_process_with_the_same_limits(base_apk, tmp_path):
    ok = run_isolated(_job(base_apk, tmp_path), 120, 1024)
    assert ok["status"] in ("ok", "partial")
    assert run_isolated(_job(base_apk, tmp_path), 0.05, 1024)["reason"] == "timeout after 0.05 s"
    assert run_isolated(_job(base_apk, tmp_path), 120, 40)["reason"] == "memory limit 40 MB exceeded"


def test_crash_reason_wording():
    assert crash_reason(-9) == "worker crashed (signal 9)"
    assert crash_reason(3) == "worker exited unexpectedly (code 3)"
    rec = error_record("/nonexistent/a.apk", "x")
    assert rec["sha256"] is None and rec["status"] == "error"
