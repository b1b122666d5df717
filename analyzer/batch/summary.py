"""summary.json and summary.csv across a batch: one record per APK (results and errors alike)."""
from __future__ import annotations

import csv
import json
import os
import time
from pathlib import Path

from privascope.model import Severity

SEVERITIES = tuple(s.value for s in Severity.worst_first())  # CSV columns, critical first
CSV_FIELDS = ("file", "sha256", "status", "reason", "package", "label", "version", "verdict",
              *SEVERITIES, "sdks", "top_findings", "report", "duration_s", "peak_rss_mb")


def _cell(value) -> str:
    """CSV cells hold app-controlled text: neutralise spreadsheet formulas (=, +, -, @)."""
    text = "" if value is None else str(value)
    text = text.replace("\r", " ").replace("\n", " ")
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t") else text


def counts_of(records: list[dict]) -> dict:
    c = {"total": len(records), "ok": 0, "partial": 0, "error": 0, "resumed": 0}
    for r in records:
        c[r.get("status", "error")] = c.get(r.get("status", "error"), 0) + 1
        c["resumed"] += bool(r.get("resumed"))
    return c


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8", newline="")
    os.replace(tmp, path)


def write_summary(records: list[dict], out_dir: Path, meta: dict) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    doc = {"summary_version": "1", **meta, "finished_at": time.time(),
           "counts": counts_of(records), "apps": records}
    json_path = out_dir / "summary.json"
    _atomic_write(json_path, json.dumps(doc, ensure_ascii=False, indent=2))

    import io

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_FIELDS)
    for r in records:
        counts = r.get("severity_counts") or {}
        reports = r.get("reports") or {}
        row = {
            **{k: r.get(k) for k in ("file", "sha256", "status", "reason", "package", "label",
                                     "version", "verdict", "duration_s", "peak_rss_mb")},
            **{s: counts.get(s, 0) for s in SEVERITIES},
            "sdks": "; ".join(r.get("sdks") or ()),
            "top_findings": "; ".join(f"{f['rule']} {f['title']}" for f in r.get("top_findings") or ()),
            "report": reports.get("html") or reports.get("json") or "",
        }
        w.writerow([_cell(row[k]) for k in CSV_FIELDS])
    csv_path = out_dir / "summary.csv"
    _atomic_write(csv_path, buf.getvalue())
    return {"json": json_path, "csv": csv_path}
