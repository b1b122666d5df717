"""Static-only reports for every third-party corpus APK: scan, rules, all three formats; the
outputs validate against their schemas and the HTML opens cleanly in Chromium."""
from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from privascope.reports import write_reports
from privascope.reports.schema import generate
from tests.reports.conftest import open_page

pytestmark = [pytest.mark.slow, pytest.mark.timeout(400)]

SCHEMA_DIR = Path(generate.__file__).resolve().parent
# APIs whose call sites make an immutable-identifier finding expected (corpus ground truth)
IMMUTABLE_APIS = {"TelephonyManager.getDeviceId", "TelephonyManager.getImei",
                  "WifiInfo.getMacAddress"}


def _validator(name):
    schema = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    return jsonschema.validators.validator_for(schema)(schema)


@pytest.fixture(scope="module")
def corpus_reports(corpus_dir, catalog, tmp_path_factory):
    try:
        from privascope.static.scan import ScanError, scan_apk
    except ImportError:
        pytest.skip("privascope.static.scan is not available")
    from privascope.rules import evaluate

    out = tmp_path_factory.mktemp("corpus")
    results = {}
    for apk in sorted(corpus_dir.glob("*.apk")):
        try:
            bundle = scan_apk(apk, catalog)
        except ScanError as exc:  # a clear refusal is acceptable; a crash is not
            results[apk.name] = ("error", str(exc))
            continue
        bundle = evaluate(bundle, catalog=catalog)
        paths = write_reports(bundle, out / apk.stem, ("json", "html", "sarif"), catalog=catalog)
        results[apk.name] = (bundle, paths)
    assert results, "no APK in the corpus"
    return results


def test_every_corpus_apk_renders_valid_outputs(corpus_reports):
    bundle_v, sarif_v = _validator("bundle.schema.json"), _validator("sarif-schema-2.1.0.json")
    rendered = 0
    for name, (bundle, paths) in corpus_reports.items():
        if bundle == "error":
            continue
        rendered += 1
        data = json.loads(paths["json"].read_text(encoding="utf-8"))
        err = next(iter(bundle_v.iter_errors(data)), None)
        assert err is None, (name, err.message)
        sarif = json.loads(paths["sarif"].read_text(encoding="utf-8"))
        err = next(iter(sarif_v.iter_errors(sarif)), None)
        assert err is None, (name, err.message)
        assert len(sarif["runs"][0]["results"]) == len(bundle.findings)
        html = paths["html"].read_text(encoding="utf-8")
        assert 'data-status="not_tested"' in html  # runtime clauses on a static-only run
        # static-only: 3.1 (collection before consent) is never a pass; a start-up chain to an
        # SDK or PI call (PS307/PS308) makes it "review"
        row = re.search(r'data-clause="cac191/3.1" data-status="(\w+)"', html)
        assert row and row.group(1) in ("not_tested", "review"), (name, row)
        assert (row.group(1) == "review") == any(
            f.suppressed is None and any((c.framework, c.item) == ("cac191", "3.1")
                                         for c in f.clauses) for f in bundle.findings), name
    assert rendered >= len(corpus_reports) - 2


def test_corpus_findings_match_ground_truth(corpus_reports, corpus_dir):
    truth = json.loads((corpus_dir / "ground_truth.json").read_text(encoding="utf-8"))
    checked = 0
    for entry in truth:
        got = corpus_reports.get(entry["file"])
        if not got or got[0] == "error":
            continue
        bundle = got[0]
        apis = set(entry.get("observed_static", {}).get("apis", ()))
        rules = {f.rule for f in bundle.findings}
        if apis & IMMUTABLE_APIS:
            assert "PS301" in rules, entry["file"]
            checked += 1
        # static-only: never a runtime or traffic finding
        assert not any(f.source in ("runtime", "traffic") for f in bundle.findings)
    assert checked >= 15


def test_corpus_html_opens_cleanly(corpus_reports, browser):
    page, seen = None, None
    try:
        for name, (bundle, paths) in corpus_reports.items():
            if bundle == "error":
                continue
            if page is None:
                page, seen = open_page(browser, paths["html"])
            else:  # one tab for all reports: only navigation cost per APK
                page.goto(paths["html"].resolve().as_uri())
            assert page.locator("section#checklist tr[data-clause]").count() > 0, name
            assert page.locator("article.finding").count() == len(bundle.findings), name
            assert seen["console_errors"] == [] and seen["page_errors"] == [], name
            assert seen["requests"] == [] and seen["dialogs"] == [], name
    finally:
        if page is not None:
            page.close()
