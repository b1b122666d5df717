"""SARIF 2.1.0 for CI: one run, the rules with help text, one result per finding with its
locations (APK dex + class/method for static call sites, the URL for traffic), fingerprints
and suppressions. Validated in tests against the official OASIS schema (schema/)."""
from __future__ import annotations

from typing import Any, Optional
from urllib.parse import quote

from privascope.catalog import Catalog
from privascope.model import Bundle, Finding, Severity
from privascope.rules.definitions import RuleDef, load_rules

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
         Severity.LOW: "note", Severity.INFO: "note"}
# GitHub code scanning reads a 0-10 "security-severity" from rule properties
SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5",
                     Severity.LOW: "3.0", Severity.INFO: "0.0"}
MAX_LOCATIONS = 10


def to_sarif(bundle: Bundle, catalog: Catalog, lang: str = "zh") -> dict[str, Any]:
    rules = load_rules(catalog)
    index = {r.code: i for i, r in enumerate(rules)}
    apk = bundle.app.file_name or "app.apk"
    lookup = _Lookup(bundle)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": bundle.tool.name, "version": bundle.tool.version,
                # the schema wants a string or nothing: a dev build's version is left out
                **({"semanticVersion": bundle.tool.version} if _semver(bundle.tool.version) else {}),
                "language": "zh-CN" if lang == "zh" else "en-US",
                "rules": [_rule(r, catalog, lang) for r in rules],
            }},
            "taxonomies": _taxonomies(rules, catalog, lang),
            "artifacts": [{"location": {"uri": quote(apk)}, "roles": ["analysisTarget"],
                           **({"hashes": {"sha-256": bundle.app.sha256}} if bundle.app.sha256 else {})}],
            "results": [_result(f, index, bundle, apk, lang, lookup) for f in bundle.findings
                        if f.rule in index],
            "properties": {"package": bundle.app.package, "schema_version": bundle.schema_version,
                           "kinds": list(bundle.method.kinds), "partial": bundle.partial,
                           # the bundle's own verdict (rules.verdict), as in HTML and batch
                           "verdict": (bundle.assessment.verdict.value
                                       if bundle.assessment else None)},
        }],
    }


def _semver(v: str) -> bool:
    import re

    return bool(re.fullmatch(r"\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?", v))


def _drop_none(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


def _taxonomies(rules, catalog: Catalog, lang: str) -> list[dict]:
    """The clause catalogue as SARIF taxonomies (one per framework, the cited items as taxa),
    so CI tools can group results by regulation clause."""
    cited: dict[str, dict[str, None]] = {}
    for r in rules:
        for c in r.clauses:
            cited.setdefault(c.framework, {})[c.item] = None
    out = []
    for fw_id, items in cited.items():
        fw = catalog.frameworks.get(fw_id)
        taxa = []
        for item in items:
            cl = catalog.clauses.get((fw_id, item))
            name = (cl.title_zh if lang == "zh" else cl.title_en) if cl else item
            taxa.append({"id": item, "shortDescription": {"text": name}})
        out.append(_drop_none({
            "name": fw_id,
            "fullName": ((fw.name_zh if lang == "zh" else fw.name_en) if fw else None),
            "informationUri": None, "taxa": taxa}))
    return out


def _rule(r: RuleDef, catalog: Catalog, lang: str) -> dict:
    other = "en" if lang == "zh" else "zh"
    clauses = []
    for c in r.clauses:
        cl = catalog.clauses.get((c.framework, c.item))
        title = (cl.title_zh if lang == "zh" else cl.title_en) if cl else ""
        clauses.append(f"{c.framework} {c.item} {title}".strip())
    help_text = "\n".join([r.text("explanation", lang), "", r.text("fix", lang), "",
                           *clauses, "", r.text("explanation", other), r.text("fix", other)])
    markdown = "\n".join([
        f"**{r.text('title', lang)}**", "", r.text("explanation", lang), "",
        f"*{r.text('fix', lang)}*", "", *[f"- {c}" for c in clauses], "", "---", "",
        f"**{r.text('title', other)}**", "", r.text("explanation", other), "",
        f"*{r.text('fix', other)}*"])
    return {
        "id": r.code,
        "name": r.name,
        "shortDescription": {"text": r.text("title", lang)},
        "fullDescription": {"text": r.text("explanation", lang)},
        "help": {"text": help_text, "markdown": markdown},
        "defaultConfiguration": {"level": LEVEL[r.severity]},
        "relationships": [{"target": {"id": c.item, "toolComponent": {"name": c.framework}},
                           "kinds": ["relevant"]} for c in r.clauses],
        "properties": {
            "tags": ["privacy", r.source] + [f"{c.framework}:{c.item}" for c in r.clauses],
            "precision": {"high": "high", "medium": "medium", "low": "low"}[r.confidence.value],
            "security-severity": SECURITY_SEVERITY[r.severity],
            "severity": r.severity.value,
            "title_zh": r.text("title", "zh"), "title_en": r.text("title", "en"),
        },
    }


class _Lookup:
    """Evidence by id, built once per report (findings reference evidence, not copies)."""

    def __init__(self, bundle: Bundle):
        self.sites = {s.id: s for s in bundle.api_calls}
        self.traffic = {t.id: t for t in bundle.traffic}
        self.events = {e.id: e for e in bundle.runtime.api_calls} if bundle.runtime else {}


def _result(f: Finding, index: dict, bundle: Bundle, apk: str, lang: str,
            lookup: "_Lookup") -> dict:
    message = (f.message_zh or f.message) if lang == "zh" else f.message
    result = {
        "ruleId": f.rule,
        "ruleIndex": index[f.rule],
        "level": LEVEL[f.severity],
        "message": {"text": message},
        "locations": _locations(f, lookup, apk),
        "partialFingerprints": {"privascope/v1": f.fingerprint},
        "properties": {"severity": f.severity.value, "confidence": f.confidence.value,
                       "source": f.source, "pi_types": list(f.pi_types), "sdks": list(f.sdks),
                       "clauses": [f"{c.framework}:{c.item}" for c in f.clauses],
                       "evidence_count": len(f.evidence)},
    }
    if f.suppressed is not None:
        result["suppressions"] = [{"kind": "external", "status": "accepted",
                                   "justification": f.suppressed.reason,
                                   "location": {"physicalLocation": {"artifactLocation": {
                                       "uri": quote(f.suppressed.source)}}}}]
    return result


def _locations(f: Finding, lookup: _Lookup, apk: str) -> list[dict]:
    sites, traffic, events = lookup.sites, lookup.traffic, lookup.events
    out: list[dict] = []
    seen: set[str] = set()  # repr of each location already listed
    for ref in f.evidence:
        if len(out) >= MAX_LOCATIONS:
            break
        loc: Optional[dict] = None
        if ref.kind == "api_call" and ref.id in sites:
            s = sites[ref.id]
            loc = {"physicalLocation": {"artifactLocation": {"uri": quote(f"{apk}!{s.dex}")}},
                   "logicalLocations": [{"fullyQualifiedName": f"{s.caller_class}.{s.caller_method}",
                                         "kind": "function"}]}
        elif ref.kind == "traffic_event" and ref.id in traffic:
            t = traffic[ref.id]
            port = "" if (t.scheme, t.port) in (("http", 80), ("https", 443)) else f":{t.port}"
            loc = {"physicalLocation": {"artifactLocation": {
                "uri": f"{t.scheme}://{quote(t.host, safe='.-[]:')}{port}"
                       f"{quote(t.path or '/', safe='/-._~%')}"}}}
        elif ref.kind == "runtime_event" and ref.id in events and events[ref.id].caller:
            loc = {"logicalLocations": [{"fullyQualifiedName": events[ref.id].caller,
                                         "kind": "function"}]}
        elif ref.kind in ("permission", "manifest"):
            loc = {"physicalLocation": {"artifactLocation": {
                "uri": quote(f"{apk}!AndroidManifest.xml")}},
                "logicalLocations": [{"name": ref.id, "kind": "declaration"}]}
        if loc is not None:
            key = repr(loc)
            if key not in seen:
                seen.add(key)
                out.append(loc)
    if not out:
        out.append({"physicalLocation": {"artifactLocation": {"uri": quote(apk)}}})
    return out
