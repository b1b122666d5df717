"""index.html across the apps of a batch: one sortable, self-contained table (no CDN, no
network), every app-controlled string escaped by jinja2's autoescape."""
from __future__ import annotations

import os
import time
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape

from privascope.model import Severity, Verdict

TEMPLATES = Path(__file__).resolve().parent / "templates"
SEVERITIES = tuple(s.value for s in Severity.worst_first())  # count columns, critical first
# sort order of the verdict column: the bundle's verdicts worst first, an error after "fail"
VERDICT_RANK = {v: n for n, v in enumerate(
    [Verdict.FAIL.value, "error", *(v.value for v in Verdict if v != Verdict.FAIL)])}

LABELS = {
    "en": {"title": "privascope batch index", "app": "App", "package": "Package",
           "version": "Version", "verdict": "Verdict", "sdks": "SDKs", "started": "SDKs started before consent",
           "top": "Top findings",
           "report": "Report", "apps": "apps", "errors": "errors", "partial": "partial",
           "generated": "Generated", "open": "open", "sort_hint": "Click a column header to sort.",
           "critical": "Critical", "high": "High", "medium": "Medium", "low": "Low", "info": "Info",
           "verdicts": {"fail": "fail", "review": "review", "pass": "pass",
                        "not_tested": "not tested", "error": "error"}},
    "zh": {"title": "privascope 批量检测索引", "app": "应用", "package": "包名", "version": "版本",
           "verdict": "结论", "sdks": "SDK", "started": "同意前启动的SDK", "top": "主要问题", "report": "报告",
           "apps": "个应用",
           "errors": "出错", "partial": "部分分析", "generated": "生成时间", "open": "打开",
           "sort_hint": "点击列标题排序。", "critical": "严重", "high": "高", "medium": "中",
           "low": "低", "info": "提示",
           "verdicts": {"fail": "不通过", "review": "待复核", "pass": "通过",
                        "not_tested": "未能检测", "error": "出错"}},
}


def _report_css() -> str:
    """Reuse the single-app report's stylesheet when the report templates ship one."""
    for name in ("report.css", "style.css"):
        if (TEMPLATES / name).is_file():
            return (TEMPLATES / name).read_text(encoding="utf-8")
    found = sorted(TEMPLATES.glob("*.css"))
    return found[0].read_text(encoding="utf-8") if found else ""


def _href(rel: str | None) -> str | None:
    """A relative link to a file we wrote; each segment URL-quoted, never absolute."""
    if not rel or rel.startswith("/") or ".." in rel.split("/"):
        return None
    return "/".join(quote(seg) for seg in rel.split("/"))


def _row(rec: dict, zh: bool = False) -> dict:
    counts = rec.get("severity_counts") or {}
    reports = rec.get("reports") or {}
    # the record carries the bundle's verdict; never guess one here
    verdict = rec.get("verdict") or ("error" if rec.get("status") == "error" else "?")
    return {
        "app": rec.get("label") or rec.get("package") or rec.get("file_name") or "?",
        "file_name": rec.get("file_name") or "",
        "package": rec.get("package") or "",
        "version": rec.get("version") or "",
        "verdict": verdict,
        "verdict_rank": VERDICT_RANK.get(verdict, 9),
        "status": rec.get("status"),
        "reason": rec.get("reason") or "",
        "counts": [int(counts.get(s, 0) or 0) for s in SEVERITIES],
        "sdks": list(rec.get("sdks_zh" if zh else "sdks") or rec.get("sdks") or ()),
        # static: an SDK init reachable at process start with no consent check (issue 13)
        "started": list(rec.get("sdks_started_zh" if zh else "sdks_started")
                        or rec.get("sdks_started") or ()),
        "top": [dict(f, title=(f.get("title_zh") or f.get("title")) if zh else f.get("title"))
                for f in rec.get("top_findings") or ()],
        "href": _href(reports.get("html") or reports.get("json")),
        "sha256": rec.get("sha256") or "",
    }


def render_index(records: list[dict], lang: str = "en") -> str:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    rows = [_row(r, zh=lang == "zh") for r in records]
    return env.get_template("batch_index.html.j2").render(
        rows=rows, t=LABELS.get(lang, LABELS["en"]), lang=lang, severities=SEVERITIES,
        css=_report_css(), generated=time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        total=len(rows), n_errors=sum(r["status"] == "error" for r in rows),
        n_partial=sum(r["status"] == "partial" for r in rows))


def write_index(records: list[dict], out_dir: Path, lang: str = "en") -> Path:
    path = Path(out_dir) / "index.html"
    tmp = path.with_name(f".index.html.tmp-{os.getpid()}")
    tmp.write_text(render_index(records, lang), encoding="utf-8")
    os.replace(tmp, path)
    return path
