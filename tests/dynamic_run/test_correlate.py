"""Correlation of runtime reads with traffic matches, on hand-built model objects."""
from __future__ import annotations

import dataclasses

from privascope import privacy
from privascope.dynamic_run.correlate import correlate, summarise_reads
from privascope.runtime.phases import PhaseClock
from privascope.model import (AppInfo, AppState, AppStateChange, Bundle, ConsentEvent, ConsentKind,
                            ConsentPhase, Destination, PIMatch, RuntimeEvent, RuntimeEvidence,
                            Tool, TrafficEvent)

SALT = b"test-salt"
IMEI = "860000000000123"
AID = "9f86d081884c7d65"


def read(eid, t, pi, value, sdk="umeng-common", phase=ConsentPhase.BEFORE,
         state=AppState.FOREGROUND, api=None):
    return RuntimeEvent(
        id=eid, time=t, api=api or f"api.for.{pi}", pi_type=pi,
        value=privacy.masked(value, SALT), obtained=True, exception=None, thread="main",
        stack=("com.umeng.commonsdk.UMConfigure.init(UMConfigure.java:1)",), sdk=sdk,
        caller="com.umeng.commonsdk.UMConfigure.init", app_state=state, consent_phase=phase)


def request(tid, t, host, matches=(), sdk=None):
    return TrafficEvent(id=tid, time=t, method="POST", scheme="http", host=host, port=80,
                        path="/collect", destination=Destination.UNKNOWN, sdk=sdk,
                        matches=tuple(matches))


def match(pi, value, encoding, source=None):
    return PIMatch(pi_type=pi, encoding=encoding, location="body", key="imei",
                   preview=privacy.mask(value), detector="known",
                   digest=privacy.digest(value, SALT), canary_source=source)


class FakeSdk:
    def __init__(self, sid):
        self.id = sid


def umeng_hosts(host):
    return FakeSdk("umeng-common") if host.endswith("umeng.com") else None


def runtime(events, consent=(), states=()):
    return RuntimeEvidence(target="jvm:test", started_at=0.0, ended_at=100.0,
                           api_calls=tuple(events), consent=tuple(consent),
                           app_states=tuple(states))


RT = runtime(
    [read("r1", 1.0, "device.imei", IMEI),
     read("r2", 2.0, "device.android_id", AID),
     read("r3", 3.0, "device.android_id", AID),
     read("r4", 12.0, "device.imei", IMEI, phase=ConsentPhase.AFTER_REJECT,
          state=AppState.BACKGROUND)],
    consent=[ConsentEvent("c1", 5.0, ConsentKind.DIALOG_SHOWN, "agent"),
             ConsentEvent("c2", 10.0, ConsentKind.REJECT, "scenario")],
    states=[AppStateChange("s1", 0.5, AppState.FOREGROUND),
            AppStateChange("s2", 11.0, AppState.BACKGROUND)])


def test_phase_clock():
    clock = PhaseClock(RT.consent, RT.app_states)
    assert clock.phase_at(4.9) == ConsentPhase.BEFORE
    assert clock.phase_at(5.5) == ConsentPhase.BEFORE  # a dialog shown is not an answer
    assert clock.phase_at(10.0) == ConsentPhase.AFTER_REJECT
    assert clock.state_at(0.1) == AppState.UNKNOWN
    assert clock.state_at(11.5) == AppState.BACKGROUND


def test_canary_source_links_request_to_the_read_its_sdk_and_phase():
    t = request("t1", 4.0, "alog.umeng.com", [match("device.imei", IMEI, "md5", source="r1")])
    (out,) = correlate(RT, [t], umeng_hosts)
    assert out.related_events == ("r1",)
    assert out.sdk == "umeng-common" and out.destination == Destination.THIRD_PARTY
    assert out.consent_phase == ConsentPhase.BEFORE
    assert out.app_state == AppState.FOREGROUND


def test_digest_fallback_picks_the_latest_read_before_the_request():
    t = request("t2", 13.0, "api.example.com", [match("device.imei", IMEI, "raw")])
    (out,) = correlate(RT, [t], umeng_hosts)
    assert out.related_events == ("r4",)
    assert out.matches[0].canary_source == "r4"
    assert out.sdk is None and out.destination == Destination.UNKNOWN  # first party host
    assert out.consent_phase == ConsentPhase.AFTER_REJECT
    assert out.app_state == AppState.BACKGROUND


def test_a_later_request_links_to_the_latest_read_not_the_first_one():
    # the canary store remembers r1 (first read); the request after the refusal carries the
    # value read again after the refusal (r4)
    t = request("t6", 13.0, "alog.umeng.com", [match("device.imei", IMEI, "raw", source="r1")])
    (out,) = correlate(RT, [t], umeng_hosts)
    assert out.related_events == ("r4",) and out.matches[0].canary_source == "r4"


def test_unrelated_value_links_nothing_and_values_already_set_are_kept():
    t = request("t3", 4.0, "x.umeng.com", [match("device.imei", "111111111111111", "raw")],
                sdk="other-sdk")
    (out,) = correlate(RT, [t], umeng_hosts)
    assert out.related_events == ()
    assert out.sdk == "other-sdk"


def test_a_request_just_after_a_tap_marked_late_is_after_the_answer():
    # the proxy stamped it live from the session's state, before the scenario marked the
    # refusal (issue 11 item 6); the refusal carries the time of the tap (10.0)
    t = dataclasses.replace(request("t7", 10.2, "alog.umeng.com"),
                            consent_phase=ConsentPhase.BEFORE)
    (out,) = correlate(RT, [t], umeng_hosts)
    assert out.consent_phase == ConsentPhase.AFTER_REJECT


def test_without_runtime_evidence_phase_stays_unknown():
    (out,) = correlate(None, [request("t4", 1.0, "alog.umeng.com")], umeng_hosts)
    assert out.consent_phase is None and out.sdk == "umeng-common"


def test_summary_groups_reads_per_sdk_and_pi_type_with_their_flows():
    traffic = correlate(RT, [
        request("t1", 4.0, "alog.umeng.com", [match("device.imei", IMEI, "md5", source="r1")]),
        request("t5", 4.5, "alog.umeng.com", [match("device.imei", IMEI, "base64", source="r1"),
                                               match("device.android_id", AID, "raw")]),
    ], umeng_hosts)
    bundle = Bundle(tool=Tool("privascope", "0"), app=AppInfo(package="p"), runtime=RT,
                    traffic=traffic)
    groups = summarise_reads(bundle)
    assert [(g.sdk, g.pi_type, g.count) for g in groups] == [
        ("umeng-common", "device.imei", 2), ("umeng-common", "device.android_id", 2)]
    imei, aid = groups
    assert imei.phases == {"before": 1, "after_reject": 1}
    assert imei.states == {"foreground": 1, "background": 1}
    assert (imei.first, imei.last) == (1.0, 12.0)
    (flow,) = imei.flows
    assert (flow.host, flow.count, flow.encodings, flow.cleartext) == \
        ("alog.umeng.com", 2, ["md5", "base64"], True)
    assert aid.flows[0].traffic_ids == ["t5"]  # linked by digest to r3
    assert aid.max_rate_per_minute == 60.0


def test_one_call_yielding_two_pi_types_files_each_match_under_its_own_type():
    mac = "3c:5a:b4:01:02:03"
    rt = runtime([read("w1", 1.0, "network.wifi_ssid", mac, api="WifiManager.getConnectionInfo"),
                  read("m1", 1.1, "device.mac", mac, api="WifiInfo.getMacAddress")])
    traffic = correlate(rt, [request("t1", 2.0, "alog.umeng.com",
                                     [match("device.mac", mac, "raw", source="w1")])], umeng_hosts)
    bundle = Bundle(tool=Tool("privascope", "0"), app=AppInfo(package="p"), runtime=rt,
                    traffic=traffic)
    by_type = {g.pi_type: g for g in summarise_reads(bundle)}
    assert [(f.host, f.encodings) for f in by_type["device.mac"].flows] == \
        [("alog.umeng.com", ["raw"])]
    assert by_type["network.wifi_ssid"].flows == []


def _correlated_bundle():
    traffic = correlate(RT, [
        request("t1", 4.0, "alog.umeng.com", [match("device.imei", IMEI, "md5", source="r1")]),
        request("t5", 4.5, "alog.umeng.com", [match("device.imei", IMEI, "base64", source="r1"),
                                               match("device.android_id", AID, "raw")]),
        request("t6", 13.0, "api.example.cn", [match("device.imei", IMEI, "raw", source="r1")]),
    ], umeng_hosts)
    return Bundle(tool=Tool("privascope", "0"), app=AppInfo(package="p"), runtime=RT,
                  traffic=traffic)


def test_requests_by_read_follows_the_read_correlate_chose():
    from privascope.dynamic_run.correlate import requests_by_read

    sent = requests_by_read(_correlated_bundle())
    # t6 came after the refusal: correlate moved its IMEI from the first read (the store's
    # canary source r1) to the latest read before it (r4)
    assert {r: [(s.traffic.id, [m.encoding for m in s.matches]) for s in v]
            for r, v in sent.items()} == {
        "r1": [("t1", ["md5"]), ("t5", ["base64"])],
        "r3": [("t5", ["raw"])],
        "r4": [("t6", ["raw"])]}


def test_a_request_linked_without_a_match_still_counts_for_its_read():
    from privascope.dynamic_run.correlate import requests_by_read

    linked = dataclasses.replace(request("t9", 20.0, "x.example.cn"), related_events=("r2",))
    bundle = Bundle(tool=Tool("privascope", "0"), app=AppInfo(package="p"), runtime=RT,
                    traffic=(linked,))
    assert [(s.traffic.id, s.matches) for s in requests_by_read(bundle)["r2"]] == [("t9", ())]
    (aid,) = [g for g in summarise_reads(bundle) if g.pi_type == "device.android_id"]
    assert [(f.host, f.traffic_ids, f.encodings) for f in aid.flows] == \
        [("x.example.cn", ["t9"], [])]


def test_the_report_timeline_and_the_panel_summary_show_the_same_flows(catalog):
    from privascope.reports.view import build_view
    from privascope.rules import evaluate

    bundle = evaluate(_correlated_bundle(), catalog)
    panel = {(g.sdk, g.pi_type): {(f.host, tid) for f in g.flows for tid in f.traffic_ids}
             for g in summarise_reads(bundle)}
    view = build_view(bundle, catalog, lang="en")
    report: dict = {}
    for row in view["timeline"]:
        if row.get("kind") == "read":
            ids = row["ids"]
            (e,) = {(ev.sdk, ev.pi_type) for ev in RT.api_calls if ev.id in ids}
            report.setdefault(e, set()).update((f["host"], tid) for f in row["flows"]
                                               for tid in f["ids"])
    assert report == panel
    assert panel[("umeng-common", "device.imei")] == {
        ("alog.umeng.com", "t1"), ("alog.umeng.com", "t5"), ("api.example.cn", "t6")}


# --------------------------------------------------------------------------- whose request

from privascope.dynamic_run.correlate import bypassing, origin_limits  # noqa: E402
from privascope.model import NetConnection, Origin, app_traffic_only  # noqa: E402

GMS = "android.clients.google.com"


def conn(cid, t, kind, host=None, ip=None, port=80, via_proxy=None, transport="tcp"):
    return NetConnection(id=cid, time=t, kind=kind, host=host, ip=ip, port=port,
                         transport=transport, via_proxy=via_proxy)


def android(connections=(), net_hooks=("libc connect",), events=()):
    return RuntimeEvidence(target="android:emulator-5554/com.example.privhost", started_at=0.0,
                           ended_at=100.0, api_calls=tuple(events), connections=tuple(connections),
                           net_hooks=tuple(net_hooks))


def test_on_android_only_flows_the_apps_process_asked_for_are_the_apps():
    # The device's background client sends the very ANDROID_ID the app read, to a host the app
    # never asked for: device traffic, with its reason, never linked to the app's read.
    rt = android([conn("nc1", 30.0, "http", "alog.umeng.com", via_proxy=True),
                  dataclasses.replace(conn("nc2", 30.1, "socket", "127.0.0.1", "127.0.0.1", 8080),
                                      in_http=True)],  # its socket, to the proxy
                 events=[read("r2", 2.0, "device.android_id", AID)])
    app = request("t1", 30.4, "alog.umeng.com", [match("device.android_id", AID, "raw", source="r2")])
    gms = request("t2", 30.6, GMS, [match("device.android_id", AID, "raw", source="r2")])
    late = request("t3", 30.0 + 121.0, "alog.umeng.com")  # the app asked for it, but 2 min before
    early = request("t4", 30.0 - 11.0, "alog.umeng.com")
    out = {t.id: t for t in correlate(rt, [early, app, gms, late], umeng_hosts)}
    assert out["t1"].origin is Origin.APP and "alog.umeng.com (http)" in out["t1"].origin_reason
    assert out["t2"].origin is Origin.DEVICE
    assert out["t2"].origin_reason == f"no process of the app asked for {GMS}"
    assert out["t3"].origin is Origin.DEVICE and "121s away" in out["t3"].origin_reason
    assert out["t4"].origin is Origin.DEVICE and "11s away" in out["t4"].origin_reason
    # a flow stamped up to 10 s before the app's record is still the app's (clock error)
    (within,) = correlate(rt, [request("t5", 30.0 - 9.5, "alog.umeng.com")])
    assert within.origin is Origin.APP
    # judged, only the app's flow is evidence; the others are kept apart with their reasons
    bundle = app_traffic_only(Bundle(tool=Tool("privascope", "t"), app=AppInfo(package="p"),
                                     runtime=rt, traffic=tuple(out.values())))
    assert [t.id for t in bundle.traffic] == ["t1"]
    assert {t.id for t in bundle.device_traffic} == {"t2", "t3", "t4"}


def test_a_websocket_message_belongs_to_the_app_long_after_its_connect():
    rt = android([conn("nc1", 10.0, "okhttp", "push.example.com", port=443)])
    ws = dataclasses.replace(request("t1", 500.0, "push.example.com"), scheme="wss")
    (out,) = correlate(rt, [ws])
    assert out.origin is Origin.APP


def test_without_recorded_connections_a_flow_is_unknown_and_the_limit_says_so():
    rt = android(net_hooks=())
    (out,) = correlate(rt, [request("t1", 5.0, GMS)])
    assert out.origin is Origin.UNKNOWN and "not recorded" in out.origin_reason
    assert any("could not be attributed" in lim for lim in origin_limits(rt, [out]))


def test_the_jvm_target_and_runs_without_runtime_keep_every_flow_the_apps():
    for rt in (None, RT):  # RT: a jvm: target (its proxy carries the program alone)
        (out,) = correlate(rt, [request("t1", 5.0, GMS)])
        assert out.origin is Origin.APP and out.origin_reason is None


def test_connections_around_the_proxy_are_a_limit_with_their_hosts():
    rt = android([
        conn("a", 1.0, "http", "api.example.com", port=443, via_proxy=True),  # proxied
        conn("b", 1.1, "socket", "127.0.0.1", "127.0.0.1", 8080),  # the proxy itself
        conn("c", 2.0, "http", "direct.example.com", port=443, via_proxy=False),  # NO_PROXY
        conn("d", 2.1, "socket", "direct.example.com", "203.0.113.7", 443),  # its socket
        conn("e", 3.0, "native", ip="203.0.113.9", port=443, transport="udp"),  # QUIC
        conn("f", 3.1, "native", ip="203.0.113.7", port=443),  # native, a known address
        conn("g", 4.0, "native", ip="10.0.2.3", port=53, transport="udp"),  # DNS: no content
        conn("h", 5.0, "native", ip="::1", port=9000),  # loopback: never leaves the device
    ])
    assert bypassing(rt) == ["direct.example.com:443", "203.0.113.9:443/udp"]
    (limit,) = origin_limits(rt, [])
    assert limit.startswith("2 connection(s) of the app bypassed the proxy: direct.example.com:443, "
                            "203.0.113.9:443/udp") and "not seen" in limit
    assert origin_limits(android([conn("a", 1.0, "http", "x.example", via_proxy=True)]), []) == []


def test_proxy_sockets_no_hooked_http_stack_opened_make_nearby_flows_unknown():
    """An obfuscated or unhooked client of the app still connects to the proxy: flows near such
    a socket cannot be called another process's; flows far from it still can."""
    hooked = dataclasses.replace(conn("s1", 10.0, "socket", "127.0.0.1", "127.0.0.1", 8080),
                                 in_http=True)
    rt = android([conn("nc1", 10.0, "http", "api.example.com", via_proxy=True), hooked])
    (out,) = correlate(rt, [request("t1", 10.5, GMS)])
    assert out.origin is Origin.DEVICE  # every proxy socket of the app is explained
    blind = conn("s2", 50.0, "native", ip="127.0.0.1", port=8080)
    rt = android([conn("nc1", 10.0, "http", "api.example.com", via_proxy=True), hooked, blind])
    near, far = correlate(rt, [request("t1", 50.3, "cdn.example.net"), request("t2", 400.0, GMS)])
    assert near.origin is Origin.UNKNOWN and "does not hook" in near.origin_reason
    assert far.origin is Origin.DEVICE
