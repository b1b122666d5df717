"""run_local: N worker slots, one APK at a time each, records paired with their jobs. One run
with real worker processes on corpus APKs; the slot rules (how many slots, the fresh-process
retry after a memory kill, a failing slot, an abandoned batch) with a scripted slot class."""
from __future__ import annotations

import os
import threading

import pytest

from privascope.batch import local


def _job(path, out):
    return {"path": str(path), "apps_dir": str(out / "apps"), "formats": ["json"], "lang": "en"}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is gone for our purposes
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def test_real_workers_pair_every_job_with_its_record(small_apks, tmp_path, monkeypatch):
    pids: list[int] = []
    real = local.WorkerProcess

    class Tracked(real):  # the real worker; only remember the processes it starts
        def _start(self):
            super()._start()
            pids.append(self.proc.pid)

    monkeypatch.setattr(local, "WorkerProcess", Tracked)
    bad = tmp_path / "notes.apk"
    bad.write_text("not an apk")
    jobs = [_job(p, tmp_path) for p in small_apks[:2]] + [_job(bad, tmp_path)]
    logs = tmp_path / "logs"
    logs.mkdir()
    pairs = list(local.run_local(jobs, workers=2, timeout_s=120, max_memory_mb=1024,
                                 log_dir=logs))
    assert sorted(j["path"] for j, _ in pairs) == sorted(j["path"] for j in jobs)
    for job, rec in pairs:
        assert rec["file"] == job["path"]
        if job["path"] == str(bad):
            assert rec["status"] == "error" and rec["reason"].startswith("not a valid APK")
        else:
            assert rec["status"] in ("ok", "partial") and rec["package"], rec
    assert sorted(p.name for p in logs.iterdir()) == ["worker-0.log", "worker-1.log"]
    assert 1 <= len(pids) <= 2 and not any(_alive(p) for p in pids)  # nothing left running


class Scripted:
    """Stands in for WorkerProcess: records calls, answers from a script."""

    made: list["Scripted"] = []
    script: dict = {}

    def __init__(self, max_memory_mb, log_path=None):
        self.proc, self.tasks_done, self.runs, self.stopped = None, 0, [], 0
        Scripted.made.append(self)

    def run(self, job, timeout_s):
        self.runs.append(job["path"])
        answer = Scripted.script.get(job["path"], {"status": "ok"})
        if isinstance(answer, list):
            answer = answer.pop(0)
        if isinstance(answer, Exception):
            raise answer
        self.tasks_done += 1
        self.proc = None if answer.get("memory_exceeded") else object()
        return {"file": job["path"], **answer}

    def stop(self):
        self.stopped += 1


@pytest.fixture
def scripted(monkeypatch):
    Scripted.made, Scripted.script = [], {}
    monkeypatch.setattr(local, "WorkerProcess", Scripted)
    return Scripted


def _jobs(*names):
    return [{"path": n} for n in names]


def test_no_more_slots_than_jobs(scripted):
    out = list(local.run_local(_jobs("a", "b"), workers=8, timeout_s=1, max_memory_mb=None))
    assert len(scripted.made) == 2 and sorted(r["file"] for _, r in out) == ["a", "b"]
    assert list(local.run_local([], workers=4, timeout_s=1, max_memory_mb=None)) == []
    assert all(s.stopped for s in scripted.made)


def test_memory_kill_after_earlier_apks_is_retried_in_a_fresh_process(scripted):
    scripted.script = {"big": [{"status": "error", "memory_exceeded": True},
                               {"status": "ok"}]}
    out = dict((j["path"], r) for j, r in local.run_local(
        _jobs("small", "big"), workers=1, timeout_s=1, max_memory_mb=512))
    assert out["big"]["status"] == "ok"
    assert scripted.made[0].runs == ["small", "big", "big"]


def test_memory_kill_on_a_fresh_worker_is_the_apks_fault(scripted):
    scripted.script = {"big": [{"status": "error", "memory_exceeded": True},
                               {"status": "ok"}]}
    (pair,) = local.run_local(_jobs("big"), workers=1, timeout_s=1, max_memory_mb=512)
    assert pair[1]["memory_exceeded"] and scripted.made[0].runs == ["big"]


def test_a_failing_slot_is_an_error_not_a_silent_loss(scripted):
    scripted.script = {"b": RuntimeError("pipe broke")}
    with pytest.raises(RuntimeError, match="batch worker slot failed.*pipe broke"):
        list(local.run_local(_jobs("a", "b", "c"), workers=1, timeout_s=1, max_memory_mb=None))
    assert scripted.made[0].stopped


def test_abandoning_the_batch_stops_every_slot(scripted, monkeypatch):
    gate = threading.Event()

    class Slow(Scripted):
        def run(self, job, timeout_s):
            if job["path"] != "a":
                gate.wait(5)
            return super().run(job, timeout_s)

    monkeypatch.setattr(local, "WorkerProcess", Slow)
    gen = local.run_local(_jobs("a", "b", "c"), workers=2, timeout_s=1, max_memory_mb=None)
    first = next(gen)
    gen.close()  # the consumer stops (e.g. Ctrl-C in the batch command)
    gate.set()
    assert first[1]["file"] in ("a", "b", "c")
    assert len(Scripted.made) == 2 and all(s.stopped for s in Scripted.made)
