"""Report renderers. (Placeholder: JSON only until the report issue lands.)"""
from __future__ import annotations

from pathlib import Path

from analyzer.model import to_json


def write_reports(bundle, out_dir, formats=("json",), lang="zh"):
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "bundle.json"
    path.write_text(to_json(bundle), encoding="utf-8")
    return {"json": path}
