"""SARIF details beyond tests/reports/test_json_sarif.py: levels per severity, every kind of
location (static site, URL, runtime caller, manifest), their cap and de-duplication, the
fallback location, stale rule codes, non-semver tool versions, languages."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import jsonschema
import pytest

from privascope.model import (
    ApiCallSite, AppInfo, Bundle, ClauseRef, Confidence, Destination, EvidenceRef, Finding,
    Method, Permission, RuntimeEvent, RuntimeEvidence, Severity, Tool, TrafficEvent, Via,
    AppState, ConsentPhase,
)
from privascope.reports.sarif import LEVEL, MAX_LOCATIONS, to_sarif

SCHEMA = Path(__file__).resolve().parents[2] / "reports" / "schema" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def sarif_validator():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.validators.validator_for(schema)(schema)


def _site(i: int, dex="classes.dex") -> ApiCallSite:
    return ApiCallSite(id=f"s{i}", api="android.telephony.TelephonyManager.getDeviceId",
                       pi_type="device.imei", caller_class=f"com.example.C{i}",
                       caller_method="run()V", dex=dex, sdk=None, via=Via.INVOKE)


def _flow(id, scheme, host, port, path="/v1/x y"):
    return TrafficEvent(id=id, time=1.0, method="GET", scheme=scheme, host=host, port=port,
                        path=path, destination=Destination.UNKNOWN, sdk=None)


def _event(id, caller):
    return RuntimeEvent(id=id, time=1.0, api="a.B.c", pi_type="device.imei", value=None,
                        obtained=True, exception=None, thread="main", stack=(), sdk=None,
                        caller=caller, app_state=AppState.FOREGROUND,
                        consent_phase=ConsentPhase.BEFORE)


def _finding(rule, severity, *evidence, message="m", message_zh="消息", fp="ab" * 12):
    return Finding(rule=rule, name="x-y", title="t", severity=severity,
                   confidence=Confidence.HIGH,
                   evidence=tuple(EvidenceRef(k, i) for k, i in evidence),
                   pi_types=("device.imei",), sdks=(), clauses=(ClauseRef("cac191", "3.1"),),
                   message=message, fix="f", fingerprint=fp, message_zh=message_zh)


def _bundle(*findings, version="1.2.3", file_name="my app 应用.apk", sha256=None):
    return Bundle(
        tool=Tool("privascope", version),
        app=AppInfo(package="com.example", file_name=file_name, sha256=sha256),
        method=Method(kinds=("static", "runtime", "traffic")),
        api_calls=tuple(_site(i) for i in range(15)) + (_site(99, "assets/p.jar!classes.dex"),),
        permissions=(Permission("android.permission.CAMERA", "dangerous", id="perm1"),),
        traffic=(_flow("t1", "https", "api.example.com", 443), _flow("t2", "http", "h.cn", 8080),
                 _flow("t3", "http", "h.cn", 80, path="")),
        runtime=RuntimeEvidence(target="jvm:x", started_at=0.0, ended_at=1.0,
                                api_calls=(_event("r1", "com.umeng.A.init"), _event("r2", None))),
        findings=findings)


def _results(bundle, catalog, lang="zh"):
    return to_sarif(bundle, catalog, lang)["runs"][0]["results"]


def _uris(result):
    return [loc.get("physicalLocation", {}).get("artifactLocation", {}).get("uri")
            for loc in result["locations"]]


def test_levels_follow_severity(catalog):
    findings = [_finding("PS101", s, fp=f"{i:024x}") for i, s in enumerate(Severity)]
    results = _results(_bundle(*findings), catalog)
    assert [r["level"] for r in results] == [LEVEL[s] for s in Severity]
    assert [r["level"] for r in results] == ["note", "note", "warning", "error", "error"]
    assert all(r["properties"]["severity"] == s.value for r, s in zip(results, Severity))


def test_static_locations_are_capped_and_name_the_nested_dex(catalog):
    refs = [("api_call", f"s{i}") for i in range(15)]
    (r,) = _results(_bundle(_finding("PS301", Severity.HIGH, ("api_call", "s99"), *refs)),
                    catalog)
    assert len(r["locations"]) == MAX_LOCATIONS
    assert _uris(r)[0] == "my%20app%20%E5%BA%94%E7%94%A8.apk%21assets/p.jar%21classes.dex"
    assert r["locations"][1]["logicalLocations"][0]["fullyQualifiedName"] == "com.example.C0.run()V"
    assert r["properties"]["evidence_count"] == 16  # the count is not capped


def test_url_locations_omit_default_ports_and_quote_paths(catalog):
    (r,) = _results(_bundle(_finding("PS203", Severity.HIGH, ("traffic_event", "t1"),
                                     ("traffic_event", "t2"), ("traffic_event", "t3"))), catalog)
    assert _uris(r) == ["https://api.example.com/v1/x%20y", "http://h.cn:8080/v1/x%20y",
                        "http://h.cn/"]


def test_runtime_caller_and_manifest_locations(catalog):
    (r,) = _results(_bundle(_finding("PS101", Severity.HIGH, ("runtime_event", "r1"),
                                     ("runtime_event", "r2"), ("permission", "perm1"),
                                     ("manifest", "AndroidManifest.xml"))), catalog)
    locs = r["locations"]
    assert locs[0] == {"logicalLocations": [{"fullyQualifiedName": "com.umeng.A.init",
                                             "kind": "function"}]}
    # r2 has no caller: no location of its own
    assert _uris(r)[1:] == ["my%20app%20%E5%BA%94%E7%94%A8.apk%21AndroidManifest.xml"] * 2
    assert [loc["logicalLocations"][0]["name"] for loc in locs[1:]] == [
        "perm1", "AndroidManifest.xml"]


def test_duplicate_and_dangling_evidence(catalog):
    (r,) = _results(_bundle(_finding("PS301", Severity.HIGH, ("api_call", "s1"),
                                     ("api_call", "s1"), ("api_call", "gone"),
                                     ("traffic_event", "gone"), ("sdk", "umeng-common"))), catalog)
    assert len(r["locations"]) == 1
    # nothing resolvable at all: the APK itself, so every result has a location
    (r,) = _results(_bundle(_finding("PS305", Severity.MEDIUM)), catalog)
    assert r["locations"] == [{"physicalLocation": {"artifactLocation": {
        "uri": "my%20app%20%E5%BA%94%E7%94%A8.apk"}}}]


def test_unknown_rule_codes_are_left_out_not_fatal(catalog):
    b = _bundle(_finding("PS999", Severity.HIGH), _finding("PS101", Severity.LOW))
    results = _results(b, catalog)
    assert [r["ruleId"] for r in results] == ["PS101"]
    rules = to_sarif(b, catalog)["runs"][0]["tool"]["driver"]["rules"]
    assert rules[results[0]["ruleIndex"]]["id"] == "PS101"


def test_language_picks_the_message_and_falls_back_to_english(catalog):
    b = _bundle(_finding("PS101", Severity.HIGH, message="English", message_zh="中文"))
    assert _results(b, catalog, "zh")[0]["message"]["text"] == "中文"
    assert _results(b, catalog, "en")[0]["message"]["text"] == "English"
    no_zh = _bundle(_finding("PS101", Severity.HIGH, message="English", message_zh=""))
    assert _results(no_zh, catalog, "zh")[0]["message"]["text"] == "English"
    driver = to_sarif(b, catalog, "en")["runs"][0]["tool"]["driver"]
    assert driver["language"] == "en-US"


def test_artifact_hash_and_default_file_name(catalog):
    run = to_sarif(_bundle(sha256="cd" * 32), catalog)["runs"][0]
    assert run["artifacts"][0]["hashes"] == {"sha-256": "cd" * 32}
    nameless = to_sarif(dataclasses.replace(_bundle(), app=AppInfo(package="p")), catalog)
    assert nameless["runs"][0]["artifacts"][0] == {"location": {"uri": "app.apk"},
                                                   "roles": ["analysisTarget"]}


def test_semver_tool_version_validates(catalog, sarif_validator):
    log = to_sarif(_bundle(_finding("PS101", Severity.HIGH, ("runtime_event", "r1"))), catalog)
    assert log["runs"][0]["tool"]["driver"]["semanticVersion"] == "1.2.3"
    errors = list(sarif_validator.iter_errors(json.loads(json.dumps(log))))
    assert not errors, errors[0].message


def test_non_semver_tool_version_still_validates(catalog, sarif_validator):
    log = to_sarif(_bundle(version="0.1.dev3+gabc"), catalog)
    assert "semanticVersion" not in log["runs"][0]["tool"]["driver"]
    errors = list(sarif_validator.iter_errors(json.loads(json.dumps(log))))
    assert not errors, errors[0].message
