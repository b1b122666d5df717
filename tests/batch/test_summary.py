"""summary.json / summary.csv written directly: counts, one CSV row per app whatever the text,
severity columns worst first, report links, atomic replacement. (test_index_summary covers
formula neutralising with hostile records.)"""
from __future__ import annotations

import csv
import io
import json

import pytest

from privascope.batch.summary import CSV_FIELDS, counts_of, write_summary


def _rec(name, status="ok", **kw):
    rec = {"file": f"/in/{name}.apk", "file_name": f"{name}.apk", "sha256": "ab" * 32,
           "status": status, "reason": None, "package": f"com.{name}", "label": name,
           "version": "1.0", "verdict": "review",
           "severity_counts": {"critical": 0, "high": 1, "medium": 2, "low": 0, "info": 3},
           "sdks": [], "top_findings": [], "reports": {}, "duration_s": 1.5,
           "peak_rss_mb": 120.0, "resumed": False}
    rec.update(kw)
    return rec


def _rows(paths):
    return list(csv.DictReader(io.StringIO(paths["csv"].read_text(encoding="utf-8"))))


def test_counts_resumed_are_also_counted_by_status():
    records = [_rec("a"), _rec("b", resumed=True), _rec("c", "partial", resumed=True),
               _rec("d", "error"), {"file": "x"}]  # a record without status is an error
    assert counts_of(records) == {"total": 5, "ok": 2, "partial": 1, "error": 2, "resumed": 2}
    assert counts_of([]) == {"total": 0, "ok": 0, "partial": 0, "error": 0, "resumed": 0}


def test_json_document_carries_meta_counts_and_every_record(tmp_path):
    records = [_rec("a"), _rec("b", "error", reason="timeout after 5 s")]
    out = tmp_path / "new" / "dir"
    paths = write_summary(records, out, {"tool": {"name": "privascope"}, "jobs": 2})
    doc = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert doc["summary_version"] == "1" and doc["jobs"] == 2
    assert doc["tool"]["name"] == "privascope"
    assert doc["apps"] == records and doc["counts"]["error"] == 1
    assert isinstance(doc["finished_at"], float)
    assert paths == {"json": out / "summary.json", "csv": out / "summary.csv"}


def test_csv_columns_severities_worst_first_and_values(tmp_path):
    rec = _rec("a", sdks=["Umeng", "Bugly"], reports={"json": "apps/a/bundle.json",
                                                    "html": "apps/a/report.html"},
               top_findings=[{"rule": "PS101", "title": "Read before consent"},
                             {"rule": "PS301", "title": "IMEI"}])
    (row,) = _rows(write_summary([rec], tmp_path, {}))
    header = list(CSV_FIELDS)
    sev = header[header.index("verdict") + 1:header.index("sdks")]
    assert sev == ["critical", "high", "medium", "low", "info"]
    assert [row[s] for s in sev] == ["0", "1", "2", "0", "3"]
    assert row["sdks"] == "Umeng; Bugly"
    assert row["top_findings"] == "PS101 Read before consent; PS301 IMEI"
    assert row["report"] == "apps/a/report.html"  # the HTML report when there is one
    assert (row["duration_s"], row["peak_rss_mb"]) == ("1.5", "120.0")
    json_only = _rows(write_summary([_rec("b", reports={"json": "apps/b/bundle.json"})],
                                    tmp_path, {}))
    assert json_only[0]["report"] == "apps/b/bundle.json"


def test_error_record_without_counts_gives_zero_columns(tmp_path):
    rec = {"file": "/in/x.apk", "status": "error", "reason": "not a valid APK"}
    (row,) = _rows(write_summary([rec], tmp_path, {}))
    assert row["status"] == "error" and row["high"] == "0" and row["package"] == ""


@pytest.mark.parametrize("label,cell", [
    ("line1\nline2\r\nline3", "line1 line2  line3"),
    ("@SUM(A1)", "'@SUM(A1)"), ("-2+3", "'-2+3"), ("\t=1", "'\t=1"),
    ("微信 (WeChat)", "微信 (WeChat)"), ("a,b;\"c\"", "a,b;\"c\""),
])
def test_one_row_per_app_whatever_the_label(tmp_path, label, cell):
    rows = _rows(write_summary([_rec("a", label=label), _rec("b")], tmp_path, {}))
    assert len(rows) == 2 and rows[0]["label"] == cell and rows[1]["label"] == "b"


def test_rewrite_replaces_atomically_and_leaves_no_temp_files(tmp_path):
    write_summary([_rec("a"), _rec("b")], tmp_path, {})
    paths = write_summary([_rec("c")], tmp_path, {})
    assert [r["package"] for r in _rows(paths)] == ["com.c"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.csv", "summary.json"]
