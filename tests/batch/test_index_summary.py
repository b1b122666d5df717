"""index.html and summary.csv with hostile app-controlled text: escaped, no formula injection,
self-contained, sortable in a real headless Chromium."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from privascope.batch.summary import write_summary
from privascope.batch.worker import error_record
from privascope.reports.batch_index import render_index, write_index

from tests.conftest import CHROMIUM, open_page
XSS = '<img src=x onerror=alert("pwn")><script>alert("s")</script>'


def _rec(package, label, counts, sdks=(), top=(), verdict="review", app_dir=None):
    return {"file": f"/in/{package}.apk", "file_name": f"{package}.apk", "sha256": "ab" * 32,
            "status": "ok", "reason": None, "package": package, "label": label, "version": "1.0",
            "verdict": verdict, "severity_counts": counts,
            "max_severity": next((s for s in ("critical", "high", "medium", "low", "info")
                                  if counts.get(s)), None),
            "findings_total": sum(counts.values()), "sdks": list(sdks), "top_findings": list(top),
            "app_dir": app_dir, "reports": {"html": f"{app_dir}/report.html"} if app_dir else {},
            "errors": [], "resumed": False}


def _records():
    z = {"critical": 0, "high": 0, "medium": 0, "low": 0, "info": 0}
    return [
        _rec("com.b", "Bravo", dict(z, medium=2), ["Umeng"], verdict="review",
             app_dir="apps/bbbbbbbbbbbbbbbb-com.b"),
        _rec("com.a", XSS, dict(z, high=5, low=1), [XSS],
             [{"rule": "PS101", "title": XSS, "severity": "high"}], verdict="fail",
             app_dir="apps/aaaaaaaaaaaaaaaa-com.a"),
        _rec("=HYPERLINK(\"http://x\")", "+cmd", dict(z), verdict="pass"),
        error_record("/in/../x\"<b>.apk", "not a valid APK: <b>bad</b>"),
    ]


def test_index_escapes_every_app_controlled_string():
    html = render_index(_records(), lang="en")
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html
    assert "<b>bad</b>" not in html and "&lt;b&gt;bad&lt;/b&gt;" in html
    assert 'href="apps/aaaaaaaaaaaaaaaa-com.a/report.html"' in html
    # self-contained: no external resources of any kind
    assert "http://" not in html.replace('HYPERLINK(&#34;http://x', "") and "https://" not in html
    assert "<link" not in html and "src=" not in html.replace("src=x", "")


def test_index_uses_the_report_stylesheet_when_present():
    css = Path(__file__).resolve().parents[2] / "reports" / "templates" / "report.css"
    html = render_index(_records(), lang="zh")
    if css.is_file():
        assert css.read_text(encoding="utf-8").strip()[:60] in html
    assert "批量检测索引" in html


def test_unsafe_report_links_are_dropped():
    rec = _records()[0]
    rec["reports"] = {"html": "../../etc/passwd"}
    html = render_index([rec], lang="en")
    assert "etc/passwd" not in html


def test_summary_csv_neutralises_formulas_and_keeps_one_row_per_app(tmp_path):
    paths = write_summary(_records(), tmp_path, {"tool": {"name": "privascope"}})
    rows = list(csv.DictReader(io.StringIO(paths["csv"].read_text(encoding="utf-8"))))
    assert len(rows) == 4
    formula = rows[2]
    assert formula["package"].startswith("'=") and formula["label"] == "'+cmd"
    assert rows[1]["high"] == "5" and rows[3]["status"] == "error"
    doc = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert doc["counts"] == {"total": 4, "ok": 3, "partial": 0, "error": 1, "resumed": 0}


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed")
def test_index_sorts_in_headless_chromium_without_running_app_text(tmp_path, browser):
    path = write_index(_records(), tmp_path, lang="en")
    page, seen = open_page(browser, path)
    try:
        col = lambda i: page.eval_on_selector_all(  # noqa: E731
            "#apps tbody tr", f"rows => rows.map(r => r.cells[{i}].textContent.trim())")
        page.click("th:nth-child(2)")  # package, ascending
        assert col(1) == sorted(col(1))
        page.click("th:nth-child(6)")  # high count, ascending
        page.click("th:nth-child(6)")  # then descending
        assert col(1)[0] == "com.a"
        page.click("th:nth-child(4)")  # verdict: fail first
        assert col(3)[0].startswith("fail")
    finally:
        page.close()
    assert seen["dialogs"] == [] and seen["requests"] == [] and seen["page_errors"] == []


def test_index_shows_the_records_verdict_and_sorts_it_worst_first():
    """The index shows the verdict the record carries (the bundle's, see rules.verdict), with
    a label for each one, and never makes one up for a record without it."""
    from privascope.model import Verdict
    from privascope.reports.batch_index import LABELS, VERDICT_RANK, _row

    z = {"critical": 0, "high": 0, "medium": 0, "low": 0, "info": 0}
    for v in Verdict:
        for lang in ("en", "zh"):
            assert v.value in LABELS[lang]["verdicts"]
    # a fail with no high finding (the issue-12 case) stays a fail
    assert _row(_rec("com.x", "X", dict(z, medium=1), verdict="fail"))["verdict"] == "fail"
    html = render_index([_rec("com.n", "N", z, verdict="not_tested")], lang="en")
    assert 'class="verdict v-not_tested">not tested<' in html
    missing = dict(_rec("com.m", "M", z), verdict=None)
    assert _row(missing)["verdict"] not in VERDICT_RANK  # unknown, not "pass"
    order = sorted(["pass", "not_tested", "error", "review", "fail"], key=VERDICT_RANK.get)
    assert order == ["fail", "error", "review", "pass", "not_tested"]
