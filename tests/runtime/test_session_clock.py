"""Device-host clock offset (issue 11 item 13) and consent marked at the tap (item 6): device
timestamps become host time in one place, and a consent the agent missed is placed at the
moment it was given, re-phasing what was recorded since."""
from __future__ import annotations

import time

import pytest

from privascope.model import ConsentKind, ConsentPhase
from privascope.runtime.session import Session
from tests.runtime.test_session_order import FakeTarget

HOUR = 3600.0


def api_call(t_ms: float) -> dict:
    return {"type": "send", "payload": {
        "type": "api:call", "api": "android.telephony.TelephonyManager.getDeviceId",
        "pi_type": "device.imei", "value": None, "values": None, "obtained": False,
        "exception": None, "thread": "main", "time": t_ms,
        "hooked": "android.telephony.TelephonyManager.getDeviceId",
        "stack": ["android.telephony.TelephonyManager.getDeviceId(Native Method)",
                  "com.example.unit.Main.onCreate(Main.java:2)"]}}


def started(catalog, skew: float) -> tuple[Session, FakeTarget]:
    target = FakeTarget(spawned=True)
    target.script.skew = skew
    session = Session(target, catalog=catalog, bundle_source="// fake", ready_timeout=10)
    session.start()
    return session, target


def test_a_device_an_hour_ahead_is_measured_and_its_event_times_are_host_times(catalog):
    session, target = started(catalog, HOUR)
    try:
        assert session.clock_offset == pytest.approx(HOUR, abs=session.clock_rtt / 2 + 0.002)
        now = time.time()
        target.script.emit(api_call((now + HOUR) * 1000)["payload"])  # the device's clock
        assert session.flush(10)
        (event,) = session.calls()
        assert event.time == pytest.approx(now, abs=session.clock_rtt / 2 + 0.002)
    finally:
        evidence = session.stop()
    assert evidence.clock_offset_ms == pytest.approx(HOUR * 1000, abs=50)
    assert evidence.started_at <= evidence.api_calls[0].time + 0.01  # host time throughout


def test_same_clock_gives_an_offset_within_the_measurement_error(catalog):
    session, _target = started(catalog, 0.0)
    session.stop()
    assert session.clock_rtt is not None
    assert session.clock_offset == 0.0  # within the measurement's error: not corrected


def test_a_read_just_after_a_reject_tap_the_agent_missed_is_after_reject(catalog):
    session = Session(FakeTarget(spawned=True), catalog=catalog, bundle_source="// fake")
    tap = 1_700_000_000.0
    # the app reads 0.2 s after the tap; the agent's click hook is absent, so the scenario
    # marks the refusal only seconds later, at the time of the tap
    session.replay([api_call((tap - 0.5) * 1000), api_call((tap + 0.2) * 1000)])
    assert [e.consent_phase for e in session.api_calls] == [ConsentPhase.BEFORE] * 2
    session.mark_consent(ConsentKind.REJECT, detected_by="ui_automation", time=tap)
    session.replay([api_call((tap + 3.0) * 1000)])
    assert [e.consent_phase for e in session.api_calls] == [
        ConsentPhase.BEFORE, ConsentPhase.AFTER_REJECT, ConsentPhase.AFTER_REJECT]
    assert session.consent[-1].time == tap
