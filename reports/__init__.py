"""Report renderers of the one report model (the `Bundle`): JSON (the schema of record), HTML
(jinja2, self-contained) and SARIF 2.1.0. Renderers know nothing of how evidence was found."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

from privascope.model import Bundle, to_json

FILE_NAMES = {"json": "bundle.json", "html": "report.html", "sarif": "report.sarif"}


def write_reports(bundle: Bundle, out_dir, formats: Iterable[str] = ("json", "html", "sarif"),
                  lang: str = "zh", catalog=None) -> dict[str, Path]:
    """Write the requested formats into out_dir; returns {format: path}."""
    formats = tuple(formats)
    bad = [f for f in formats if f not in FILE_NAMES]
    if bad:
        raise ValueError(f"unknown report formats: {bad}")
    if lang not in ("zh", "en"):
        raise ValueError(f"unknown report language {lang!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if catalog is None and set(formats) - {"json"}:
        from privascope.catalog import load_catalog

        catalog = load_catalog()
    paths: dict[str, Path] = {}
    for fmt in formats:
        path = out / FILE_NAMES[fmt]
        path.write_text(_render(fmt, bundle, catalog, lang), encoding="utf-8")
        paths[fmt] = path
    return paths


def _render(fmt: str, bundle: Bundle, catalog, lang: str) -> str:
    if fmt == "json":
        return to_json(bundle)
    if fmt == "html":
        from privascope.reports.html import render_html

        return render_html(bundle, catalog, lang)
    from privascope.reports.sarif import to_sarif

    return json.dumps(_strip_none(to_sarif(bundle, catalog, lang)), ensure_ascii=False, indent=2)


def _strip_none(obj):
    """SARIF forbids nulls where a value is optional: drop them."""
    if isinstance(obj, dict):
        return {k: _strip_none(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, list):
        return [_strip_none(v) for v in obj]
    return obj
