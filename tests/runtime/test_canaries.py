"""CanarySink: the one way raw runtime values reach the traffic matcher's store; session ids of a
later process carry their prefix."""
from __future__ import annotations

from privascope.runtime.canaries import CanarySink, PrefixedSink, prefixed
from privascope.traffic import CanaryStore

IMEI = "861234567890127"


class Recorder:
    def __init__(self):
        self.values = []

    def add(self, pi_type, value, source_event_id=None):
        self.values.append((pi_type, value, source_event_id))


def test_the_canary_store_is_a_sink():
    assert isinstance(CanaryStore(), CanarySink)
    assert not isinstance(object(), CanarySink)


def test_a_prefixed_sink_prefixes_the_source_only():
    rec = Recorder()
    sink = prefixed(rec, "s2-")
    assert isinstance(sink, PrefixedSink) and isinstance(sink, CanarySink)
    sink.add("device.imei", IMEI, "rt-00001")
    sink.add("device.serial", "R58M12ABCDE", None)
    assert rec.values == [("device.imei", IMEI, "s2-rt-00001"), ("device.serial", "R58M12ABCDE", None)]
    assert prefixed(rec, "") is rec  # the first session's ids stay as they are


def test_values_reach_the_store_under_the_prefixed_source(catalog):
    store = CanaryStore.for_catalog(catalog)
    prefixed(store, "s3-").add("device.imei", IMEI, "rt-00007")
    (canary,) = [c for c in store.canaries() if c.pi_type == "device.imei"]
    assert canary.source == "s3-rt-00007"


def test_a_session_hands_its_raw_values_to_the_sink(catalog, tmp_path):
    """Through the real Session message handling (replayed agent messages, no device)."""
    from tests.runtime.test_session_unit import NoTarget, api_call

    from privascope.runtime.session import Session

    store = CanaryStore.for_catalog(catalog)
    session = Session(NoTarget(), catalog=catalog, events_path=tmp_path / "ev.jsonl", salt=b"s")
    try:
        session.canaries_to(prefixed(store, "s2-"))
        session.replay([api_call()])
    finally:
        session._writer.close()
    (event,) = session.api_calls
    (canary,) = [c for c in store.canaries() if c.pi_type == "device.imei"]
    assert canary.source == "s2-" + event.id and event.value.digest
    assert IMEI not in (tmp_path / "ev.jsonl").read_text()
