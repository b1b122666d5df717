"""The same APK gets the same verdict and the same --fail-on exit code from `scan`, from `report`
re-rendering scan's bundle, and from `batch` (summary, index), for every corpus APK (issue 12)."""
from __future__ import annotations

import contextlib
import io
import json
import re

import pytest

from privascope.cli import main
from privascope.rules.verdict import severity_fails

pytestmark = [pytest.mark.slow, pytest.mark.timeout(400)]

# static-only findings of the corpus top out at medium: scan and batch use one threshold,
# report the next, so both exit codes are checked against the same decision
FAIL_ON, REPORT_FAIL_ON = "medium", "high"


def _cli(*argv) -> int:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return main([str(a) for a in argv])


def _html_verdict(path) -> str:
    found = re.findall(r'data-verdict="(\w+)"', path.read_text(encoding="utf-8"))
    assert len(found) == 1, path
    return found[0]


@pytest.fixture(scope="module")
def runs(corpus_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("verdicts")
    apks = sorted(corpus_dir.glob("*.apk"))
    assert apks, "no APK in the corpus"
    per_apk = {}
    for apk in apks:
        scan_dir, report_dir = out / "scan" / apk.stem, out / "report" / apk.stem
        scan_rc = _cli("scan", apk, "-o", scan_dir, "--format", "json,html,sarif",
                       "--fail-on", FAIL_ON)
        report_rc = _cli("report", scan_dir / "bundle.json", "-o", report_dir,
                         "--format", "json,html", "--fail-on", REPORT_FAIL_ON)
        per_apk[apk.name] = {"scan_dir": scan_dir, "report_dir": report_dir,
                             "scan_rc": scan_rc, "report_rc": report_rc}
    batch_rc = _cli("batch", *apks, "-o", out / "batch", "--jobs", "2", "--format", "json",
                    "--fail-on", FAIL_ON, "--lang", "en")
    summary = json.loads((out / "batch" / "summary.json").read_text(encoding="utf-8"))
    index = (out / "batch" / "index.html").read_text(encoding="utf-8")
    return per_apk, batch_rc, summary, index


def test_scan_report_and_batch_agree_on_every_corpus_apk(runs):
    per_apk, batch_rc, summary, index = runs
    records = {r["file_name"]: r for r in summary["apps"]}
    assert set(records) == set(per_apk)
    compared, verdicts, codes = 0, set(), set()
    for name, run in per_apk.items():
        rec = records[name]
        if rec["status"] == "error":  # a clear refusal: then scan must have refused it too
            assert run["scan_rc"] == 2, name
            continue
        scanned = json.loads((run["scan_dir"] / "bundle.json").read_text(encoding="utf-8"))
        verdict = scanned["assessment"]["verdict"]
        sarif = json.loads((run["scan_dir"] / "report.sarif").read_text(encoding="utf-8"))
        rerendered = json.loads((run["report_dir"] / "bundle.json").read_text(encoding="utf-8"))
        assert _html_verdict(run["scan_dir"] / "report.html") == verdict, name
        assert sarif["runs"][0]["properties"]["verdict"] == verdict, name
        assert rerendered["assessment"] == scanned["assessment"], name
        assert _html_verdict(run["report_dir"] / "report.html") == verdict, name
        assert rec["verdict"] == verdict, name
        assert rec["severity_counts"] == scanned["assessment"]["severity_counts"], name
        # --fail-on: scan, report and the batch record decide alike
        assert run["scan_rc"] == int(severity_fails(rec["max_severity"], FAIL_ON)), name
        assert run["report_rc"] == int(severity_fails(rec["max_severity"], REPORT_FAIL_ON)), name
        codes |= {run["scan_rc"], run["report_rc"]}
        verdicts.add(verdict)
        compared += 1
    assert compared >= len(per_apk) - 2
    assert codes == {0, 1}  # both outcomes of --fail-on occurred
    # the index shows the records' verdicts, one row per APK
    shown = re.findall(r'class="verdict v-(\w+)"', index)
    assert sorted(shown) == sorted(r["verdict"] for r in summary["apps"])
    assert batch_rc == (1 if any(severity_fails(r.get("max_severity"), FAIL_ON)
                                 for r in summary["apps"]) else 0)
    assert verdicts <= {"fail", "review", "pass", "not_tested"}
