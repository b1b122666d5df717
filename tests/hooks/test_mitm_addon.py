"""The addon with mitmproxy's own test helpers (taddons context, tflow flows)."""
import hashlib
import json
import time

import pytest
from mitmproxy import exceptions
from mitmproxy.test import taddons, tflow

from privascope.traffic import CanaryStore
from privascope.jsonlines import read_objects
from privascope.model import TrafficEvent
from privascope.hooks.mitm_addon import PrivascopeAddon, request_view
from tests.traffic.values import ANDROID_ID, IMEI


@pytest.fixture
def known_file(tmp_path):
    f = tmp_path / "known.txt"
    f.write_text(f"device.imei={IMEI}\ndevice.android_id={ANDROID_ID}\n")
    f.chmod(0o600)
    return f


def _post(host="api.example.com", path="/v1/ev", body=b"", ctype="application/json"):
    flow = tflow.tflow()
    flow.request.host = host
    flow.request.path = path
    flow.request.headers["content-type"] = ctype
    flow.request.content = body
    return flow


def test_options_write_events_as_json_lines(tmp_path, known_file, catalog):
    out = tmp_path / "t.jsonl"
    addon = PrivascopeAddon(catalog=catalog)
    with taddons.context(addon) as tctx:
        tctx.configure(addon, privascope_known=str(known_file), privascope_out=str(out),
                       privascope_first_party="example.com")
        body = json.dumps({"d": hashlib.md5(IMEI.encode()).hexdigest()}).encode()
        addon.request(_post(body=body))
        addon.request(_post(path="/nothing"))
        addon.flush()  # analysis runs off the proxy's loop
        events = read_objects(out, "traffic_event", TrafficEvent)  # readable while the proxy still runs
    assert len(events) == 2
    (m,) = events[0].matches
    assert (m.pi_type, m.encoding, m.key, m.detector) == ("device.imei", "md5", "d", "known")
    assert events[0].destination.value == "first_party" and events[1].matches == ()
    assert IMEI not in out.read_text()


@pytest.mark.parametrize("options,message", [
    ({"privascope_known": "/nonexistent/known.txt"}, "no such file"),
    ({"privascope_out": "/nonexistent/dir/t.jsonl"}, "directory does not exist"),
    ({"privascope_max_body": 0}, "positive"),
])
def test_bad_options_are_refused_in_configure(options, message, catalog):
    addon = PrivascopeAddon(catalog=catalog)
    with taddons.context(addon) as tctx:
        with pytest.raises(exceptions.OptionsError, match=message):
            tctx.configure(addon, **options)


def test_malformed_known_file_names_the_line(tmp_path, catalog):
    bad = tmp_path / "known.txt"
    bad.write_text(f"device.imei={IMEI}\njust-a-value\n")
    addon = PrivascopeAddon(catalog=catalog)
    with taddons.context(addon) as tctx:
        with pytest.raises(exceptions.OptionsError, match=r"known.txt:2"):
            tctx.configure(addon, privascope_known=str(bad))


def test_in_process_store_fed_live(catalog):
    store, events = CanaryStore(), []
    addon = PrivascopeAddon(store=store, on_event=events.append, catalog=catalog)
    with taddons.context(addon) as tctx:
        tctx.configure(addon)
        addon.request(_post(path=f"/r?aid={ANDROID_ID}"))
        addon.flush()
        store.add("device.android_id", ANDROID_ID, "rt-7")  # arrives from the agent mid-run
        addon.request(_post(path=f"/r?aid={ANDROID_ID}"))
        addon.flush()
    assert events[0].matches == ()
    assert [m.canary_source for m in events[1].matches] == ["rt-7"]
    assert events[1].related_events == ("rt-7",)


def test_a_raising_matcher_never_breaks_the_flow(catalog, caplog):
    addon = PrivascopeAddon(catalog=catalog)
    with taddons.context(addon) as tctx:
        tctx.configure(addon)

        def boom(*_args):
            raise RuntimeError("matcher exploded")

        addon.analyzer.analyze_request = boom
        flow = _post(body=b"{}")
        before = flow.request.get_state()
        addon.request(flow)  # must not raise
        addon.flush()
    assert addon.errors == 1 and flow.error is None
    assert flow.request.get_state() == before  # passed on unchanged
    assert "matcher exploded" in caplog.text and "passed on" in caplog.text


def test_websocket_client_messages_only(catalog):
    store, events = CanaryStore(), []
    store.add("device.imei", IMEI)
    addon = PrivascopeAddon(store=store, on_event=events.append, catalog=catalog)
    with taddons.context(addon) as tctx:
        tctx.configure(addon)
        flow = tflow.twebsocketflow()
        from mitmproxy.websocket import WebSocketMessage
        from wsproto.frame_protocol import Opcode

        flow.websocket.messages.append(WebSocketMessage(Opcode.TEXT, True, json.dumps({"imei": IMEI}).encode()))
        addon.websocket_message(flow)
        flow.websocket.messages.append(WebSocketMessage(Opcode.TEXT, False, json.dumps({"imei": IMEI}).encode()))
        addon.websocket_message(flow)  # server -> client: not data leaving the device
        addon.flush()
    assert len(events) == 1
    assert events[0].scheme == "ws" and [(m.location, m.key) for m in events[0].matches] == [("websocket", "imei")]


def test_body_size_option_marks_truncation(catalog):
    events = []
    addon = PrivascopeAddon(on_event=events.append, catalog=catalog)
    with taddons.context(addon) as tctx:
        tctx.configure(addon, privascope_max_body=1024)
        addon.request(_post(body=b"x" * 4096, ctype="text/plain"))
        addon.flush()
    assert events[0].truncated


def test_errors_in_the_hook_itself_are_contained(catalog, caplog):
    """Even a failure before analysis (here: a flow without a request) never escapes a hook."""
    addon = PrivascopeAddon(catalog=catalog, background=False)
    with taddons.context(addon) as tctx:
        tctx.configure(addon)
        flow = tflow.tflow()
        flow.request = None
        addon.request(flow)
    assert addon.errors == 1 and "passed on" in caplog.text


def test_flow_is_not_held_while_a_large_body_is_analysed(catalog):
    """The hook only copies the request; the search happens in the worker."""
    import threading

    gate, events = threading.Event(), []
    addon = PrivascopeAddon(on_event=events.append, catalog=catalog)
    with taddons.context(addon) as tctx:
        tctx.configure(addon)
        real = addon.analyzer.analyze_request

        def slow(view, *stamp):
            gate.wait(10)  # the analysis cannot finish until the hook has returned
            return real(view, *stamp)

        addon.analyzer.analyze_request = slow
        addon.request(_post(body=json.dumps({"imei": IMEI}).encode()))
        assert events == []  # the hook returned before the analysis finished
        gate.set()
        addon.flush()
    assert [m.pi_type for m in events[0].matches] == ["device.imei"]


def test_consent_phase_is_taken_when_the_request_arrives(catalog):
    """The worker may run later; the phase must be the one at arrival."""
    from privascope.model import AppState, ConsentPhase

    clock = {"phase": ConsentPhase.BEFORE}
    events = []
    addon = PrivascopeAddon(on_event=events.append, catalog=catalog,
                            context=lambda: (clock["phase"], AppState.FOREGROUND))
    with taddons.context(addon) as tctx:
        tctx.configure(addon)
        addon.flush()
        def busy():  # keeps the worker busy while /early arrives
            time.sleep(0.3)
            return addon.analyzer.analyze_request(request_view(_post(path="/warm")))

        addon._worker.submit(busy)
        addon.request(_post(path="/early"))
        clock["phase"] = ConsentPhase.AFTER_ACCEPT  # the user accepts while /early waits
        addon.flush()
    early = next(e for e in events if e.path == "/early")
    assert early.consent_phase is ConsentPhase.BEFORE


def test_the_device_setups_proxy_probe_is_answered_and_no_traffic_event(tmp_path, catalog):
    """adb.proxy_reachable's probe (proxy-probe.privascope.invalid/<token>) is privascope's own
    request: answered by the addon, its token noted, never a traffic event of the app."""
    from privascope.hooks.mitm_keeper import RequestKeeper
    from privascope.runtime.adb import PROXY_PROBE_HOST

    out = tmp_path / "t.jsonl"
    addon, keeper = PrivascopeAddon(catalog=catalog), RequestKeeper()
    with taddons.context(addon) as tctx:
        tctx.configure(addon, privascope_out=str(out))
        probe = tflow.tflow()
        probe.request.host, probe.request.path = PROXY_PROBE_HOST, "/0123abcd"
        probe.request.method = "GET"
        for flow in (probe, _post()):
            addon.request(flow)
            keeper.request(flow)
        addon.flush()
        events = read_objects(out, "traffic_event", TrafficEvent)
    assert [e.host for e in events] == ["api.example.com"]
    assert probe.response is not None and probe.response.status_code == 204
    assert addon.probe_seen("0123abcd") and not addon.probe_seen("ffff")
    assert len(keeper._pending) == 1  # only the app's request waits for its event
