"""Bundles of the previous schema version (1.0: no `assessment`) load, and `privascope report`
brings them up to date: current schema version, verdict and checklist stored, every output
showing that verdict. fixtures/bundle_schema_1_0.json is the JSON output of the 1.0 code
(commit d07d237) for the hostile full bundle."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from privascope.model import SCHEMA_VERSION, Bundle, from_json
from privascope.reports.schema import generate
from tests.reports.conftest import FIXTURES

REPO = Path(__file__).resolve().parents[2]
OLD = FIXTURES / "bundle_schema_1_0.json"


def test_a_1_0_bundle_loads_without_an_assessment():
    data = json.loads(OLD.read_text(encoding="utf-8"))
    assert data["schema_version"] == "1.0" and "assessment" not in data
    b = from_json(Bundle, OLD.read_text(encoding="utf-8"))
    assert b.schema_version == "1.0" and b.assessment is None and b.findings


def test_rendering_an_unevaluated_bundle_is_refused_not_guessed(report_catalog):
    from privascope.reports.view import build_view

    b = from_json(Bundle, OLD.read_text(encoding="utf-8"))
    with pytest.raises(ValueError, match="evaluate"):
        build_view(b, report_catalog)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    out = tmp_path_factory.mktemp("migrated")
    proc = subprocess.run([sys.executable, "-m", "privascope.cli", "report", str(OLD), "-o",
                           str(out), "--format", "json,html,sarif", "--lang", "en",
                           "--fail-on", "critical"],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    return out, proc


def test_report_migrates_a_1_0_bundle(migrated, report_catalog):
    out, proc = migrated
    assert proc.returncode == 0, proc.stderr  # no critical finding in this bundle
    data = json.loads((out / "bundle.json").read_text(encoding="utf-8"))
    assert data["schema_version"] == SCHEMA_VERSION != "1.0"
    schema = json.loads((Path(generate.__file__).parent / "bundle.schema.json").read_text())
    errors = list(jsonschema.validators.validator_for(schema)(schema).iter_errors(data))
    assert not errors, errors[0].message
    old = json.loads(OLD.read_text(encoding="utf-8"))
    assert [f["fingerprint"] for f in data["findings"]] == \
        [f["fingerprint"] for f in old["findings"]]  # the same findings, re-evaluated
    verdict = data["assessment"]["verdict"]
    assert verdict == "fail" and data["assessment"]["checklist"]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert re.findall(r'data-verdict="(\w+)"', html) == [verdict]
    for c in data["assessment"]["checklist"]:
        assert f'data-clause="{c["framework"]}/{c["item"]}" data-status="{c["status"]}"' in html
    sarif = json.loads((out / "report.sarif").read_text(encoding="utf-8"))
    assert sarif["runs"][0]["properties"]["verdict"] == verdict


def test_report_of_a_migrated_bundle_is_stable(migrated, tmp_path):
    """Re-rendering the 1.1 output again gives the same assessment (nothing depends on the
    version the bundle came from)."""
    out, _ = migrated
    proc = subprocess.run([sys.executable, "-m", "privascope.cli", "report",
                           str(out / "bundle.json"), "-o", str(tmp_path), "--format", "json",
                           "--fail-on", "high"],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr  # high findings: --fail-on high trips
    first = json.loads((out / "bundle.json").read_text(encoding="utf-8"))["assessment"]
    again = json.loads((tmp_path / "bundle.json").read_text(encoding="utf-8"))["assessment"]
    assert again == first


def test_batch_resume_redoes_apps_recorded_before_the_assessment(corpus_dir, tmp_path, capsys):
    """A batch record of schema 1.0 carries the old severity-only verdict: --resume must scan
    that app again rather than keep a verdict its report would contradict."""
    from privascope.batch import load_completed
    from privascope.cli import main

    apk = corpus_dir / "droidbench_AndroidSpecific_LogNoLeak.apk"
    out = tmp_path / "out"
    assert main(["batch", str(apk), "-o", str(out), "--jobs", "1"]) == 0
    (done,) = load_completed(out).values()
    assert done["schema_version"] == SCHEMA_VERSION
    result = out / done["app_dir"] / "result.json"
    old = dict(done, verdict="review")  # what the 1.0 batch wrote: no schema_version
    del old["schema_version"]
    result.write_text(json.dumps(old), encoding="utf-8")
    assert load_completed(out) == {}
    assert main(["batch", str(apk), "-o", str(out), "--jobs", "1", "--resume"]) == 0
    capsys.readouterr()
    (rec,) = json.loads((out / "summary.json").read_text(encoding="utf-8"))["apps"]
    assert rec["resumed"] is False and rec["verdict"] == done["verdict"]
    # and a current record is resumed as before
    assert main(["batch", str(apk), "-o", str(out), "--jobs", "1", "--resume"]) == 0
    (rec,) = json.loads((out / "summary.json").read_text(encoding="utf-8"))["apps"]
    assert rec["resumed"] is True
