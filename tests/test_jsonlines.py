"""The one JSON-lines format (privascope.jsonlines): records written by the runtime session and
the mitmproxy addon, flushed per line, owner-only, readable after a crash."""
from __future__ import annotations

import os
import stat
import threading

from privascope.jsonlines import JsonLinesWriter, read_objects, read_records
from privascope.model import Destination, PIMatch, TrafficEvent

EVENT = TrafficEvent(id="traffic-1", time=1.5, method="GET", scheme="http", host="h.cn", port=80,
                     path="/", destination=Destination.UNKNOWN, sdk=None,
                     matches=(PIMatch("device.imei", "md5", "body", "d", "86***", "known",
                                      "hmac-sha256:x"),))


def test_records_round_trip_one_flushed_line_each(tmp_path):
    path = tmp_path / "sub" / "t.jsonl"  # the folder is created
    w = JsonLinesWriter(path)
    w.write("traffic_event", EVENT)
    assert path.read_text().count("\n") == 1  # visible before close: flushed per line
    w.write("note", {"text": "中文"})
    w.close()
    assert read_objects(path, "traffic_event", TrafficEvent) == [EVENT]
    assert [r["kind"] for r in read_records(path)] == ["traffic_event", "note"]
    assert read_records(path, "note") == [{"kind": "note", "data": {"text": "中文"}}]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert w.lines == 2


def test_a_torn_or_foreign_line_is_skipped_not_fatal(tmp_path):
    path = tmp_path / "t.jsonl"
    with JsonLinesWriter(path) as w:
        w.write("traffic_event", EVENT)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write('[1, 2]\n{"kind": "traffic_event", "data": {"id": 3}}\n{"kind": "traffic_ev')
    assert read_objects(path, "traffic_event", TrafficEvent) == [EVENT]
    assert len(read_records(path)) == 2  # the record that does not fit the model is still a record


def test_new_writer_truncates_append_writer_continues(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text('{"kind": "old", "data": 1}\n')
    os.chmod(path, 0o644)
    JsonLinesWriter(path, append=True).close()
    assert read_records(path) == [{"kind": "old", "data": 1}]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600  # an existing file is narrowed too
    JsonLinesWriter(path).close()
    assert path.read_text() == ""


def test_concurrent_writers_never_interleave_lines(tmp_path):
    path = tmp_path / "t.jsonl"
    w = JsonLinesWriter(path)

    def burst(n):
        for i in range(200):
            w.write("n", {"thread": n, "i": i, "pad": "x" * 500})
    threads = [threading.Thread(target=burst, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    w.close()
    assert len(read_records(path)) == 800


def test_writes_after_close_are_dropped(tmp_path):
    w = JsonLinesWriter(tmp_path / "t.jsonl")
    w.close()
    w.write("late", {})  # a late agent callback during teardown
    assert read_records(tmp_path / "t.jsonl") == [] and w.lines == 0
