"""One analysis of an APK (privascope.pipeline) behind `scan` and the batch worker: for the same
APK both give the same bundle, apart from when it ran and how long it took."""
from __future__ import annotations

import json

import pytest

from privascope.batch.worker import scan_one
from privascope.cli import main
from privascope.model import Bundle, from_json
from privascope.pipeline import AnalysisOptions, analyze_apk, judge, static_evidence
from privascope.static.scan import ScanError


def _comparable(text: str) -> dict:
    data = json.loads(text)
    data["method"].pop("timings", None)
    data["method"].pop("started_at", None)
    # the start-up analysis reports its own duration: a timing, not evidence
    ((data.get("startup") or {}).get("stats") or {}).pop("seconds", None)
    return data


def test_scan_and_the_batch_worker_give_the_same_bundle(samples_build, tmp_path, capsys):
    apk = samples_build / "sdk.apk"
    assert main(["scan", str(apk), "-o", str(tmp_path / "scan"), "--format", "json"]) in (0, 1)
    scanned = (tmp_path / "scan" / "bundle.json").read_text(encoding="utf-8")
    rec = scan_one({"path": str(apk), "apps_dir": str(tmp_path / "batch" / "apps"),
                    "formats": ["json"], "lang": "en"})
    assert rec["status"] == "ok", rec
    batched = (tmp_path / "batch" / rec["reports"]["json"]).read_text(encoding="utf-8")
    assert _comparable(batched) == _comparable(scanned)
    bundle = from_json(Bundle, scanned)
    assert bundle.findings, "the sample SDK app has findings: the comparison must cover them"


def test_analyze_apk_is_the_static_evidence_judged(samples_build, catalog):
    apk = samples_build / "sdk.apk"
    evidence = static_evidence(apk, catalog)
    assert evidence.findings == ()
    whole = analyze_apk(apk, AnalysisOptions(catalog=catalog))
    again = judge(evidence, catalog=catalog)
    assert whole.findings and [f.fingerprint for f in whole.findings] == \
        [f.fingerprint for f in again.findings]


def test_not_an_apk_is_a_scan_error(tmp_path):
    bad = tmp_path / "x.apk"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ScanError):
        analyze_apk(bad)
