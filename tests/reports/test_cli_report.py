"""`privascope report BUNDLE.json`: formats, --lang, --suppress, --fail-on and exit codes."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reports.conftest import FIXTURES

REPO = Path(__file__).resolve().parents[2]
BUNDLE = FIXTURES / "hostile_full_bundle.json"


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "privascope.cli", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli")
    proc = _run("report", str(BUNDLE), "-o", str(out), "--format", "html,json,sarif",
                "--fail-on", "high")
    return out, proc


def test_report_writes_all_formats_and_fails_on_high(first_run):
    out, proc = first_run
    assert proc.returncode == 1, proc.stderr
    for name in ("bundle.json", "report.html", "report.sarif"):
        assert (out / name).stat().st_size > 0
    assert "Traceback" not in proc.stderr


def test_suppressing_every_high_finding_clears_fail_on(first_run, tmp_path):
    out, _ = first_run
    findings = json.loads((out / "bundle.json").read_text(encoding="utf-8"))["findings"]
    highs = [f for f in findings if f["severity"] in ("high", "critical")]
    assert highs
    sup = tmp_path / "sup.yaml"
    sup.write_text("suppressions:\n" + "".join(
        f"  - {{rule: {f['rule']}, fingerprint: {f['fingerprint']}, reason: accepted in review}}\n"
        for f in highs), encoding="utf-8")
    proc = _run("report", str(BUNDLE), "-o", str(tmp_path / "o"), "--format", "json",
                "--fail-on", "high", "--suppress", str(sup))
    assert proc.returncode == 0, proc.stderr
    again = json.loads((tmp_path / "o" / "bundle.json").read_text(encoding="utf-8"))["findings"]
    assert sum(1 for f in again if f["suppressed"]) == len(highs)
    proc = _run("report", str(BUNDLE), "-o", str(tmp_path / "o"), "--format", "json",
                "--fail-on", "medium", "--suppress", str(sup))
    assert proc.returncode == 1


@pytest.mark.parametrize("content,needle", [
    ("suppressions: [{rule: PS101}]", "reason"),
    (None, "cannot read"),
])
def test_bad_suppression_file_is_a_one_line_error(tmp_path, content, needle):
    sup = tmp_path / "sup.yaml"
    if content is not None:
        sup.write_text(content, encoding="utf-8")
    proc = _run("report", str(BUNDLE), "-o", str(tmp_path / "o"), "--suppress", str(sup))
    assert proc.returncode == 2
    assert needle in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr


def test_bad_bundle_is_a_one_line_error(tmp_path):
    bad = tmp_path / "b.json"
    bad.write_text('{"tool": {}}', encoding="utf-8")
    proc = _run("report", str(bad), "-o", str(tmp_path / "o"))
    assert proc.returncode == 2 and "not a privascope bundle" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_english_html(tmp_path):
    proc = _run("report", str(BUNDLE), "-o", str(tmp_path), "--format", "html", "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "Clause checklist" in html
