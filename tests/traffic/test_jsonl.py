import os
import stat

from privascope.model import Destination, PIMatch, TrafficEvent
from privascope.traffic.jsonl import JsonlWriter, read_events


def test_events_round_trip_one_flushed_line_each(tmp_path):
    path = tmp_path / "t.jsonl"
    w = JsonlWriter(path)
    ev = TrafficEvent(id="traffic-1", time=1.5, method="GET", scheme="http", host="h.cn", port=80,
                      path="/", destination=Destination.UNKNOWN, sdk=None,
                      matches=(PIMatch("device.imei", "md5", "body", "d", "86***", "known", "hmac-sha256:x"),))
    w.write(ev)
    assert path.read_text().count("\n") == 1  # visible before close: flushed per line
    w.write(ev)
    w.close()
    assert read_events(path) == [ev, ev]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_a_cut_last_line_is_skipped(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text('{"id": "x"\n')
    assert read_events(path) == []


def test_a_new_writer_starts_a_new_file(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text('{"old": "run"}\n')
    JsonlWriter(path).close()
    assert path.read_text() == ""
