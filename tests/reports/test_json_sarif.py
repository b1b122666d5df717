"""JSON (schema of record, golden) and SARIF (official 2.1.0 schema) outputs."""
from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from privascope.model import Bundle, from_json
from privascope.reports import write_reports
from privascope.reports.schema import generate

SCHEMA_DIR = Path(generate.__file__).resolve().parent
GOLDEN = Path(__file__).resolve().parent / "golden"


def _validator(name: str):
    schema = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def test_bundle_schema_in_sync_with_model():
    current = (SCHEMA_DIR / "bundle.schema.json").read_text(encoding="utf-8")
    assert current == generate.render(), "run: python -m privascope.reports.schema.generate"


def test_json_output_validates_and_round_trips(hostile_bundle, report_catalog, tmp_path):
    path = write_reports(hostile_bundle, tmp_path, ("json",), catalog=report_catalog)["json"]
    data = json.loads(path.read_text(encoding="utf-8"))
    errors = sorted(_validator("bundle.schema.json").iter_errors(data), key=str)
    assert not errors, errors[0]
    assert from_json(Bundle, path.read_text(encoding="utf-8")) == hostile_bundle


def test_schema_rejects_what_the_model_rejects(hostile_bundle):
    data = json.loads(json.dumps(__import__("privascope.model", fromlist=["to_data"]).to_data(
        hostile_bundle)))
    data["findings"][0]["severity"] = "urgent"
    assert list(_validator("bundle.schema.json").iter_errors(data))
    data = json.loads(json.dumps(__import__("privascope.model", fromlist=["to_data"]).to_data(
        hostile_bundle)))
    del data["app"]["package"]
    assert list(_validator("bundle.schema.json").iter_errors(data))


# Texts derived from the catalog (PI/SDK names, clause titles) are left out of the golden on
# purpose: the catalog grows independently, and the lint tests check those texts.
_TEXT_KEYS = ("title", "title_zh", "message", "message_zh", "fix", "fix_zh")


def _normalised(bundle_json: str) -> dict:
    """Drop what legitimately changes between runs and machines (times, tool/catalog versions)."""
    data = json.loads(bundle_json)
    data["tool"]["version"] = "*"
    data["method"]["catalog_versions"] = {}
    data["method"]["timings"] = {}
    data["method"]["started_at"] = None
    for f in data["findings"]:
        for k in _TEXT_KEYS:
            f[k] = bool(f[k])
    return data


def test_json_golden(hostile_bundle, report_catalog, tmp_path):
    """The findings of the hostile full bundle, field by field: a change here is a change
    reviewers see. Regenerate deliberately with PRIVASCOPE_UPDATE_GOLDEN=1 and review the diff."""
    path = write_reports(hostile_bundle, tmp_path, ("json",), catalog=report_catalog)["json"]
    got = _normalised(path.read_text(encoding="utf-8"))
    golden = GOLDEN / "hostile_full_bundle.out.json"
    if os.environ.get("PRIVASCOPE_UPDATE_GOLDEN"):
        golden.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    expected = json.loads(golden.read_text(encoding="utf-8"))
    assert [(f["rule"], f["fingerprint"]) for f in got["findings"]] == \
        [(f["rule"], f["fingerprint"]) for f in expected["findings"]]
    assert got == expected


def test_messages_carry_counts_and_names(hostile_bundle):
    by_rule = {}
    for f in hostile_bundle.findings:
        by_rule.setdefault(f.rule, []).append(f)
    pre = next(f for f in by_rule["PS101"] if f.sdks == ("umeng-common",))
    assert "5" in pre.message and "0.5s" in pre.message and "友盟" in pre.message_zh
    freq = by_rule["PS105"][0]
    assert "up to 5 times within 60 s (threshold 3)" in freq.message
    unknown = next(f for f in by_rule["PS202"] if not f.sdks)
    assert unknown.message.startswith("An unidentified third party sent")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sarif_valid_and_complete(hostile_bundle, report_catalog, tmp_path, lang):
    from privascope.rules import evaluate

    target = next(f for f in hostile_bundle.findings if f.rule == "PS301")
    b = evaluate(hostile_bundle, catalog=report_catalog, suppressions=[
        {"rule": "PS301", "fingerprint": target.fingerprint, "reason": "legacy build only"}])
    path = write_reports(b, tmp_path, ("sarif",), lang=lang, catalog=report_catalog)["sarif"]
    log = json.loads(path.read_text(encoding="utf-8"))
    errors = list(_validator("sarif-schema-2.1.0.json").iter_errors(log))
    assert not errors, errors[0].message
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules} >= {f.rule for f in b.findings}
    assert all(r["help"]["text"] and r["help"]["markdown"] for r in rules)
    # clauses as taxonomies, linked from the rules
    taxa = {(t["name"], x["id"]) for t in run["taxonomies"] for x in t["taxa"]}
    assert ("cac191", "3.1") in taxa and ("pipl", "art51") in taxa
    ps101 = next(r for r in rules if r["id"] == "PS101")
    assert {(x["target"]["toolComponent"]["name"], x["target"]["id"])
            for x in ps101["relationships"]} <= taxa
    results = run["results"]
    assert len(results) == len(b.findings)
    by_fp = {r["partialFingerprints"]["privascope/v1"]: r for r in results}
    # static call site: the dex inside the APK plus the calling class/method
    static = by_fp[target.fingerprint]
    loc = static["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"]["uri"] == "hostile%20demo.apk%21classes.dex"
    assert loc["logicalLocations"][0]["fullyQualifiedName"].startswith("com.example.demo.")
    assert static["suppressions"][0]["justification"] == "legacy build only"
    # traffic: the URL
    cleartext = next(r for r in results if r["ruleId"] == "PS203")
    assert cleartext["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith(
        "http://api.example.com:8080/v1/")
    msg = static["message"]["text"]
    assert (("调用" in msg) if lang == "zh" else ("call site" in msg))
