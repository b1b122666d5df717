"""Session message handling without a device: Frida messages replayed through the same
conversion the live worker uses."""
from __future__ import annotations

import json
import logging

import pytest

from privascope.model import AppState, ConsentKind, ConsentPhase
from privascope.privacy import masked
from privascope.jsonlines import read_records
from privascope.runtime.session import Session
from privascope.runtime.targets import Target

IMEI = "861234567890127"
SALT = b"unit-salt"


class NoTarget(Target):
    package = "com.example.unit"

    @property
    def name(self):
        return "unit:none"

    def launch(self):
        raise AssertionError("not used")

    def frida_device(self):
        raise AssertionError("not used")

    def release(self):
        pass

    def stop(self):
        pass


def send(payload):
    return {"type": "send", "payload": payload}


def api_call(value=IMEI, t=1000, **kw):
    p = {"type": "api:call", "api": "android.telephony.TelephonyManager.getDeviceId",
         "pi_type": "device.imei", "value": value, "values": None, "obtained": value is not None,
         "exception": None, "thread": "main", "time": t,
         "stack": ["android.telephony.TelephonyManager.getDeviceId(Native Method)",
                   "com.umeng.commonsdk.UMConfigure.init(UMConfigure.java:1)",
                   "com.example.unit.Main.onCreate(Main.java:2)"],
         "hooked": "android.telephony.TelephonyManager.getDeviceId"}
    p.update(kw)
    return send(p)


@pytest.fixture
def session(catalog, tmp_path):
    s = Session(NoTarget(), catalog=catalog, events_path=tmp_path / "events.jsonl", salt=SALT)
    yield s
    s._writer.close()


def test_api_call_is_masked_attributed_and_canaried(session, tmp_path):
    canaries, events = [], []
    session.on_canary(lambda *a: canaries.append(a))
    session.on_event(events.append)
    session.replay([api_call()])
    (event,) = session.api_calls
    assert event.value == masked(IMEI, SALT)
    assert event.sdk == "umeng-common" and event.caller.startswith("com.umeng.commonsdk.UMConfigure")
    assert event.consent_phase is ConsentPhase.BEFORE and event.app_state is AppState.UNKNOWN
    assert canaries == [("device.imei", IMEI, event.id)]
    assert events == [event]
    text = (tmp_path / "events.jsonl").read_text()
    assert IMEI not in text and event.value.digest in text


def test_consent_phases_follow_agent_and_key_press(session):
    session.replay([api_call(t=1), send({"type": "consent:dialog_shown", "time": 2, "text": "隐私政策"}),
                    send({"type": "consent:reject", "time": 3, "text": "不同意"}), api_call(t=4)])
    session.mark_consent("accept", detected_by="key_press", time=0.005)  # between t=4 and 6 ms
    session.replay([api_call(t=6)])
    phases = [e.consent_phase for e in session.api_calls]
    assert phases == [ConsentPhase.BEFORE, ConsentPhase.AFTER_REJECT, ConsentPhase.AFTER_ACCEPT]
    assert [(c.kind, c.detected_by) for c in session.consent] == [
        (ConsentKind.DIALOG_SHOWN, "agent"), (ConsentKind.REJECT, "agent"), (ConsentKind.ACCEPT, "key_press")]


def test_app_state_changes_and_pause_alone_is_not_background(session):
    msgs = [send({"type": "app:state", "time": t, "state": s, "callback": c, "activity": "a.Main"})
            for t, s, c in [(1, "foreground", "onResume"), (2, "paused", "onPause"), (3, "background", "onStop")]]
    session.replay(msgs[:2] + [api_call(t=2.5)] + msgs[2:] + [api_call(t=4)])
    assert [e.app_state for e in session.api_calls] == [AppState.FOREGROUND, AppState.BACKGROUND]
    assert [a.state for a in session.app_states] == [AppState.FOREGROUND, AppState.BACKGROUND]


def test_permission_result_fills_the_request(session):
    session.replay([
        send({"type": "permission:request", "time": 1, "permissions": ["android.permission.CAMERA", "android.permission.READ_PHONE_STATE"],
              "request_code": 7, "stack": ["android.app.Activity.requestPermissions(Native Method)", "com.example.unit.Main.ask(Main.java:3)"]}),
        send({"type": "permission:result", "time": 2, "request_code": 7,
              "permissions": ["android.permission.CAMERA", "android.permission.READ_PHONE_STATE"], "granted": ["android.permission.CAMERA"]}),
    ])
    (req,) = session.permission_requests
    assert req.granted == ("android.permission.CAMERA",)
    assert req.caller.startswith("com.example.unit.Main.ask") and req.consent_phase is ConsentPhase.BEFORE


def test_unknown_message_type_is_logged_counted_and_recorded(session, tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="privascope.runtime"):
        session.replay([send({"type": "agent:telemetry", "detail": "x-marks"})])
    assert session.unknown_messages == 1
    assert any("agent:telemetry" in r.getMessage() and "x-marks" in r.getMessage() for r in caplog.records)
    lines = read_records(tmp_path / "events.jsonl")
    assert lines[-1] == {"kind": "unknown_message", "data": {"type": "agent:telemetry", "keys": ["detail", "type"]}}


def test_malformed_message_is_counted_not_fatal(session):
    session.replay([send({"type": "api:call", "api": 3}), api_call()])
    assert session.malformed_messages == 1 and len(session.api_calls) == 1


def test_exception_means_not_obtained(session):
    session.replay([api_call(value=None, exception="java.lang.SecurityException: denied")])
    (event,) = session.api_calls
    assert event.obtained is False and event.value is None and "SecurityException" in event.exception


def test_list_values_become_one_canary_each_with_their_types(session):
    canaries = []
    session.on_canary(lambda *a: canaries.append(a))
    session.replay([api_call(value="39.9,116.3", values=["39.9", "116.3"],
                             value_types=["location.precise", "location.precise"], pi_type="location.precise")])
    assert [c[:2] for c in canaries] == [("location.precise", "39.9"), ("location.precise", "116.3")]


def test_static_field_value_is_a_canary_not_an_app_access(session, tmp_path):
    canaries = []
    session.on_canary(lambda *a: canaries.append(a))
    session.replay([send({"type": "api:call", "api": "android.os.Build.SERIAL", "pi_type": "device.serial",
                          "value": "PHSERIAL0042", "values": None, "obtained": True, "exception": None,
                          "thread": "agent", "time": 1, "stack": [], "hooked": "android.os.Build.SERIAL",
                          "field": True})])
    assert session.api_calls == [] and canaries == [("device.serial", "PHSERIAL0042", "android.os.Build.SERIAL")]
    assert "PHSERIAL0042" not in (tmp_path / "events.jsonl").read_text()


def test_jsonl_is_written_per_event_and_survives_a_torn_line(session, tmp_path):
    session.replay([api_call(t=1)])
    first = read_records(tmp_path / "events.jsonl")
    assert len(first) == 1 and first[0]["kind"] == "runtime_event"
    with open(tmp_path / "events.jsonl", "a") as fh:
        fh.write('{"kind": "runtime_ev')  # a run killed mid-write
    assert read_records(tmp_path / "events.jsonl") == first
    json.loads((tmp_path / "events.jsonl").read_text().splitlines()[0])


def test_background_only_when_the_last_visible_activity_stops(session):
    def state(t, s, c, inst):
        return send({"type": "app:state", "time": t, "state": s, "callback": c, "activity": "a.X", "instance": inst})
    session.replay([state(1, "foreground", "onResume", 1), state(2, "paused", "onPause", 1),
                    state(3, "foreground", "onResume", 2), state(4, "background", "onStop", 1), api_call(t=5),
                    state(6, "background", "onStop", 2), api_call(t=7)])
    assert [e.app_state for e in session.api_calls] == [AppState.FOREGROUND, AppState.BACKGROUND]
    assert [a.state for a in session.app_states] == [AppState.FOREGROUND, AppState.BACKGROUND]


def test_net_connect_becomes_a_connection_of_the_evidence_in_host_time(session, tmp_path):
    session.clock_offset = 3600.0  # the device an hour ahead: its record is corrected like a read
    session.replay([send({
        "type": "net:connect", "kind": "http", "host": "alog.umeng.com", "ip": None, "port": 443,
        "transport": "tcp", "via_proxy": False, "scheme": "https", "thread": "main",
        "stack": ["com.android.okhttp.internal.huc.HttpURLConnectionImpl.execute(X.java:1)",
                  "com.umeng.commonsdk.UMConfigure.init(UMConfigure.java:1)"],
        "time": 3_601_000})])
    (c,) = session.evidence().connections
    assert (c.kind, c.host, c.port, c.via_proxy) == ("http", "alog.umeng.com", 443, False)
    assert c.time == pytest.approx(1.0) and c.id.startswith("nc-")
    assert c.sdk == "umeng-common" and c.caller.startswith("com.umeng.commonsdk.UMConfigure.init")
    assert '"net_connection"' in (tmp_path / "events.jsonl").read_text(encoding="utf-8")
