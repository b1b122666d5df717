"""The data model: JSON round trip of every kind of field, type-checked decoding that fails with a
ModelError naming the place, frozen (hashable) values, and the small behaviours on the types."""
from __future__ import annotations

import dataclasses
import json

import pytest

from privascope.model import (
    SCHEMA_VERSION, ApiCallSite, AppInfo, AppState, AppStateChange, Bundle, Certificate,
    ClauseRef, Component, ComponentLaunch, Confidence, ConsentEvent, ConsentKind, ConsentPhase,
    Destination, EvidenceRef, Finding, HostRef, ManifestFlags, MaskedValue, Method, ModelError,
    PackerHit, Permission, PermissionRequest, PIMatch, PrivacyPolicyRef, RuntimeEvent,
    RuntimeEvidence, SdkPresence, Severity, Suppression, Tool, TrafficEvent, Via, from_data,
    from_json, to_data, to_json,
)

MV = MaskedValue(digest="hmac-sha256:" + "ab" * 16, preview="86*********0123", length=15)


def full_bundle() -> Bundle:
    """A bundle with every field of every model type set to a non-default value."""
    rt = RuntimeEvidence(
        target="jvm:/tmp/x.jar:Main", started_at=1767000000.0, ended_at=1767000060.5,
        api_calls=(
            RuntimeEvent(id="r1", time=1767000001.25,
                         api="android.telephony.TelephonyManager.getDeviceId",
                         pi_type="device.imei", value=MV, obtained=True, exception=None,
                         thread="main", stack=("a.B.c(B.java:1)", "d.E.f(E.java:2)"),
                         sdk="umeng-common", caller="a.B.c", app_state=AppState.BACKGROUND,
                         consent_phase=ConsentPhase.BEFORE),
            RuntimeEvent(id="r2", time=1767000002.0, api="x.Y.z", pi_type="device.imei",
                         value=None, obtained=False,
                         exception="java.lang.SecurityException: denied", thread="t-2",
                         stack=(), sdk=None, caller=None, app_state=AppState.UNKNOWN,
                         consent_phase=ConsentPhase.AFTER_REJECT),
        ),
        consent=(ConsentEvent(id="c1", time=1767000003.0, kind=ConsentKind.REJECT,
                              detected_by="ui_automation", text="不同意 <b>"),),
        permission_requests=(PermissionRequest(
            id="p1", time=1767000004.0, permissions=("android.permission.CAMERA",),
            granted=(), consent_phase=ConsentPhase.AFTER_ACCEPT, caller="a.B.c", sdk="s"),),
        app_states=(AppStateChange(id="s1", time=1767000005.0, state=AppState.FOREGROUND,
                                   activity="a.Main"),),
        component_launches=(ComponentLaunch(
            id="l1", time=1767000006.0, kind="service", target_package="com.other",
            target="com.other.Push", consent_phase=ConsentPhase.BEFORE, sdk="jpush"),),
        agent_errors=("hook failed: x",),
    )
    traffic = (TrafficEvent(
        id="t1", time=1767000007.0, method="POST", scheme="http", host="log.umeng.com", port=8080,
        path="/a", destination=Destination.THIRD_PARTY, sdk="umeng-common",
        matches=(PIMatch(pi_type="device.imei", encoding="md5", location="body", key="imei",
                         preview="ab****cd", detector="known", digest="hmac-sha256:00",
                         canary_source="r1"),
                 PIMatch(pi_type="device.imei", encoding="raw", location="query", key=None,
                         preview="86***23", detector="imei")),
        truncated=True, consent_phase=ConsentPhase.BEFORE, app_state=AppState.FOREGROUND,
        related_events=("r1",)),)
    finding = Finding(
        rule="PS101", name="pi-collected-before-consent", title="t", severity=Severity.HIGH,
        confidence=Confidence.MEDIUM, evidence=(EvidenceRef("runtime_event", "r1"),),
        pi_types=("device.imei",), sdks=("umeng-common",),
        clauses=(ClauseRef("cac191", "3.1"), ClauseRef("pipl", "art13")), message="m", fix="f",
        fingerprint="0123456789abcdef01234567",
        suppressed=Suppression(reason="accepted", source="sup.yaml"),
        title_zh="标题", message_zh="消息", fix_zh="修复", source="runtime")
    return Bundle(
        tool=Tool("privascope", "9.9.9"),
        app=AppInfo(package="com.example", label="Ex", version_name="1.0", version_code="7",
                    min_sdk=21, target_sdk=33, sha256="00" * 32, size_bytes=1234, dex_count=2,
                    file_name="ex.apk",
                    certificates=(Certificate("CN=a", "CN=b", "11" * 32, "2020-01-01", None),)),
        manifest=ManifestFlags(debuggable=True, allow_backup=False, uses_cleartext_traffic=True,
                               network_security_config="res/xml/nsc.xml",
                               cleartext_permitted_domains=("a.example",),
                               cleartext_permitted_by_default=False),
        permissions=(Permission("android.permission.CAMERA", "dangerous", ("camera",), "相机",
                                "perm1", custom=True),),
        components=(Component("receiver", "a.R", True, "comp1"),),
        sdks=(SdkPresence(id="umeng-common", name="Umeng", name_zh="友盟", vendor="Umeng",
                          category="analytics", matched_prefixes=("com.umeng",), class_count=3,
                          calls_pi_apis=True, country="CN", pi_types=("device.imei",),
                          matched_hosts=("umeng.com",)),),
        api_calls=(ApiCallSite(id="s1", api="x.Y.z", pi_type="device.imei", caller_class="a.B",
                               caller_method="c()V", dex="assets/x.jar!classes.dex",
                               sdk=None, via=Via.REFLECTION, confidence=Confidence.LOW,
                               permission="android.permission.READ_PHONE_STATE"),),
        hosts=(HostRef("log.umeng.com", ("http://log.umeng.com/a",), ("classes.dex",),
                       "umeng-common"),),
        privacy_policy=(PrivacyPolicyRef("url", "https://e.x/p", "res/values/strings.xml"),),
        packers=(PackerHit("jiagu360", "360", ("file assets/libjiagu.so",)),),
        runtime=rt, traffic=traffic, findings=(finding,),
        method=Method(kinds=("static", "runtime", "traffic"), catalog_versions={"apis": "3"},
                      scenario="full", timings={"static": 1.5, "rules": 2}, started_at=1.0,
                      limits=("no device",)),
        partial=True, errors=("classes2.dex: bad",),
    )


def test_every_field_survives_the_json_round_trip():
    b = full_bundle()
    assert from_json(Bundle, to_json(b)) == b
    assert from_data(Bundle, to_data(b)) == b
    # compact form too (batch workers write it without indentation)
    assert from_json(Bundle, to_json(b, indent=None)) == b


def test_to_data_is_plain_json_data():
    data = to_data(full_bundle())
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["api_calls"][0]["via"] == "reflection"  # enums by value
    assert data["runtime"]["api_calls"][0]["stack"] == ["a.B.c(B.java:1)", "d.E.f(E.java:2)"]
    assert data["method"]["timings"] == {"static": 1.5, "rules": 2}
    assert data["runtime"]["api_calls"][1]["value"] is None

    def plain(v):
        if isinstance(v, dict):
            return all(isinstance(k, str) and plain(x) for k, x in v.items())
        if isinstance(v, list):
            return all(plain(x) for x in v)
        return v is None or type(v) in (str, int, float, bool)

    assert plain(data)
    assert json.loads(json.dumps(data)) == data


def test_json_keeps_non_ascii_text_readable():
    text = to_json(full_bundle())
    assert "不同意" in text and "\\u" not in text


def test_decoding_converts_integers_to_float_and_fills_defaults():
    b = from_data(Bundle, {"tool": {"name": "p", "version": "1"}, "app": {"package": "a.b"},
                           "method": {"timings": {"static": 3}}})
    assert b.method.timings == {"static": 3.0} and isinstance(b.method.timings["static"], float)
    assert b.manifest == ManifestFlags() and b.runtime is None and b.findings == ()
    assert b.schema_version == SCHEMA_VERSION and b.method.kinds == ("static",)


def test_unknown_keys_are_ignored():
    data = to_data(full_bundle())
    data["added_in_a_later_version"] = {"x": 1}
    data["app"]["new_field"] = [1, 2]
    assert from_data(Bundle, data) == full_bundle()


def _mutated(path, value=None, delete=False):
    data = to_data(full_bundle())
    *parents, last = path
    node = data
    for p in parents:
        node = node[p]
    if delete:
        del node[last]
    else:
        node[last] = value
    return data


@pytest.mark.parametrize("path,value,delete,where", [
    (("app", "package"), None, True, "missing key 'package'"),
    (("tool",), None, True, "missing key 'tool'"),
    (("app", "package"), 7, False, "Bundle.app.package: expected str, got int"),
    (("app", "dex_count"), True, False, "Bundle.app.dex_count: expected int, got bool"),
    (("app", "dex_count"), "2", False, "Bundle.app.dex_count"),
    (("runtime", "started_at"), "now", False, "Bundle.runtime.started_at: expected a number"),
    (("runtime", "started_at"), False, False, "expected a number"),
    (("runtime", "api_calls", 0, "app_state"), "sleeping", False,
     "'sleeping' is not a AppState"),
    (("findings", 0, "severity"), "urgent", False, "Bundle.findings[0].severity"),
    (("permissions",), {"name": "x"}, False, "Bundle.permissions: expected a list"),
    (("manifest",), ["x"], False, "Bundle.manifest: expected an object"),
    (("method", "timings"), {"static": "fast"}, False, "Bundle.method.timings.static"),
    (("method", "timings"), [], False, "expected an object"),
    (("app",), None, False, "Bundle.app"),  # null where no Optional allows it
    (("runtime", "api_calls", 1, "value"), {"digest": "x"}, False, "missing key 'preview'"),
    (("api_calls", 0, "via"), None, False, "Bundle.api_calls[0].via"),
])
def test_decoder_errors_name_the_place(path, value, delete, where):
    with pytest.raises(ModelError, match=__import__("re").escape(where)):
        from_data(Bundle, _mutated(path, value, delete))


def test_from_json_rejects_non_json_and_non_objects():
    with pytest.raises(ModelError, match="not JSON"):
        from_json(Bundle, "{not json")
    with pytest.raises(ModelError, match="expected an object"):
        from_json(Bundle, "[1, 2]")
    with pytest.raises(ModelError):
        from_json(Bundle, "null")
    assert issubclass(ModelError, ValueError)  # callers catching ValueError still see it


def test_model_objects_are_frozen_and_hashable():
    b = full_bundle()
    with pytest.raises(dataclasses.FrozenInstanceError):
        b.partial = False  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        b.app.package = "evil"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        b.runtime.api_calls[0].value.preview = "raw"  # type: ignore[misc,union-attr]
    # evidence items are values: equal content, equal hash (used for dedup and sets)
    site = b.api_calls[0]
    assert {site, dataclasses.replace(site)} == {site}
    assert len({b.traffic[0], dataclasses.replace(b.traffic[0], id="t2")}) == 2


def test_severity_rank_orders_from_info_to_critical():
    ranks = [s.rank for s in (Severity.INFO, Severity.LOW, Severity.MEDIUM, Severity.HIGH,
                              Severity.CRITICAL)]
    assert ranks == sorted(ranks) and len(set(ranks)) == 5
    assert Severity("high") is Severity.HIGH and Severity.HIGH == "high"


@pytest.mark.parametrize("scheme,clear", [("http", True), ("ws", True), ("https", False),
                                          ("wss", False)])
def test_traffic_cleartext_follows_the_scheme(scheme, clear):
    t = dataclasses.replace(full_bundle().traffic[0], scheme=scheme)
    assert t.cleartext is clear
    assert "cleartext" not in to_data(t)  # a property, not part of the JSON contract


# --------------------------------------------------------------------------- every model type

def _model_classes():
    import privascope.model as M

    return sorted((obj for obj in vars(M).values()
                   if dataclasses.is_dataclass(obj) and isinstance(obj, type)
                   and obj.__module__ == M.__name__), key=lambda c: c.__name__)


def _strategy(tp, depth=0):
    """Values of a model type annotation, built from the type hints themselves so that fields
    added later are covered without editing this test."""
    import enum
    import types
    import typing

    from hypothesis import strategies as st

    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*[st.none() if a is type(None) else _strategy(a, depth) for a in args])
    if origin is tuple:
        return st.lists(_strategy(args[0], depth + 1), max_size=2 if depth < 2 else 0).map(tuple)
    if origin is dict:
        return st.dictionaries(st.text(max_size=5), _strategy(args[1], depth + 1), max_size=2)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return st.sampled_from(list(tp))
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        return st.builds(tp, **{f.name: _strategy(hints[f.name], depth + 1)
                                for f in dataclasses.fields(tp)})
    if tp is float:
        return st.floats(allow_nan=False, allow_infinity=False)
    if tp is bool:
        return st.booleans()
    if tp is int:
        return st.integers(-2**53, 2**53)
    if tp is str:
        return st.text(max_size=8)
    if tp is typing.Any:
        return st.one_of(st.none(), st.text(max_size=5), st.integers(0, 9))
    raise AssertionError(f"no strategy for {tp!r}: teach _strategy the new field type")


@pytest.mark.parametrize("cls", _model_classes(), ids=lambda c: c.__name__)
def test_every_model_type_round_trips(cls):
    from hypothesis import HealthCheck, given, settings

    @settings(max_examples=15 if cls is Bundle else 40, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(_strategy(cls))
    def check(value):
        assert from_json(cls, to_json(value)) == value

    check()
