"""Batch progress without a terminal: one greppable line per APK with rate and ETA; resumed
APKs are named but do not inflate the rate. (test_batch_cli covers the terminal bar.)"""
from __future__ import annotations

import io

import pytest

from privascope.batch import progress as P
from privascope.batch.progress import BatchProgress


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(P.time, "monotonic", lambda: now[0])
    return now


def _lines(buf):
    return buf.getvalue().splitlines()


def test_plain_lines_with_rate_and_eta(clock):
    buf = io.StringIO()
    p = BatchProgress(3, stream=buf)  # a StringIO is not a terminal: plain lines
    clock[0] += 30
    p.update({"status": "ok", "file_name": "a.apk", "package": "com.a"})
    clock[0] += 30
    p.update({"status": "partial", "file_name": "b.apk", "package": "com.b"})
    assert _lines(buf) == ["[1/3] ok      a.apk  com.a  (2.0/min, ETA 60 s)",
                           "[2/3] partial b.apk  com.b  (2.0/min, ETA 30 s)"]
    clock[0] += 60
    p.update({"status": "error", "file_name": "c.apk", "reason": "timeout after 5 s"})
    # the last line has no ETA: nothing is left
    assert _lines(buf)[-1] == "[3/3] error   c.apk  timeout after 5 s  (1.5/min)"
    assert p.counts == {"ok": 1, "partial": 1, "error": 1, "resumed": 0}
    p.close()
    p.close()  # idempotent


def test_resumed_records_do_not_count_towards_the_rate(clock):
    buf = io.StringIO()
    p = BatchProgress(4, stream=buf, tty=False)
    for name in ("a", "b"):
        p.update({"status": "ok", "resumed": True, "file_name": f"{name}.apk"})
    assert p.rate_per_min() == 0.0 and p.eta_s() is None  # no fresh work yet: no guess
    assert _lines(buf)[0] == "[1/4] resumed a.apk  (0.0/min)"
    clock[0] += 60
    p.update({"status": "ok", "file_name": "c.apk"})
    assert p.rate_per_min() == 1.0 and p.eta_s() == 60.0
    assert p.counts == {"ok": 1, "partial": 0, "error": 0, "resumed": 2}


def test_no_elapsed_time_no_division(clock):
    p = BatchProgress(1, stream=io.StringIO(), tty=False)
    assert p.rate_per_min() == 0.0 and p.eta_s() is None


def test_empty_batch_on_a_terminal_draws_no_bar():
    buf = io.StringIO()
    p = BatchProgress(0, stream=buf, tty=True)
    assert p._bar is None
    p.close()
    assert buf.getvalue() == ""
