"""The report's view model: everything the HTML needs, computed from the bundle once.

Values stay plain data (strings, numbers, lists, dicts); the template only lays them out and
jinja2's autoescape escapes every app-controlled string. Nothing here marks text as safe.
"""
from __future__ import annotations

import time
from collections import Counter
from typing import Any, Optional

from privascope.catalog import Catalog
from privascope.dynamic_run.correlate import requests_by_read
from privascope.model import (AppState, Assessment, Bundle, ConsentPhase, Destination, Finding,
                            RuntimeEvent, SdkPresence, Severity)
from privascope.rules.definitions import load_rules
from privascope.reports.i18n import CATEGORIES, LABELS
from privascope.reports.startup_view import startup_view
from privascope.reports.policy_view import policy_view

MAX_EVIDENCE = 30  # per finding in HTML; the JSON keeps every reference
MAX_HOSTS = 200  # static hosts listed in HTML (big apps embed thousands of URLs)


def build_view(bundle: Bundle, catalog: Catalog, lang: str = "zh") -> dict[str, Any]:
    rules = load_rules(catalog)
    rule_by_code = {r.code: r for r in rules}
    L = LABELS[lang]
    names = _Names(bundle, catalog, lang)
    assessment = _assessment(bundle)
    open_findings = [f for f in bundle.findings if f.suppressed is None]
    counts = assessment.severity_counts
    checklist = assessment.checklist
    # Built before the findings so each piece of evidence can link to where it is shown.
    dataflow = _dataflow(bundle, names) if bundle.traffic else None
    timeline = _timeline(bundle, names, L, dataflow) if bundle.runtime else None
    links = _evidence_links(timeline, dataflow)
    return {
        "lang": lang, "L": L,
        "app": bundle.app, "tool": bundle.tool, "schema_version": bundle.schema_version,
        "generated": _fmt_time(bundle.method.started_at),
        "verdict": assessment.verdict.value,
        "counts": [(s.value, L["severities"][s.value], counts.get(s.value, 0))
                   for s in Severity.worst_first()],
        "total": len(open_findings),
        "suppressed_count": len(bundle.findings) - len(open_findings),
        "checklist": _checklist(checklist, catalog, lang),
        "status_counts": Counter(c.status.value for c in checklist),
        "findings": [_finding(f, rule_by_code.get(f.rule), bundle, names, lang, links)
                     for f in bundle.findings],
        "timeline": timeline,
        "sdks": _sdks(bundle, names),
        "permissions": _permissions(bundle, catalog, names),
        "dataflow": dataflow,
        "device_traffic": _device_traffic(bundle, names),
        "hosts": [{"host": h.host, "urls": list(h.sample_urls[:3]), "sources": list(h.sources[:3]),
                   "sdk": names.sdk(h.sdk, both=False) if h.sdk else ""}
                  for h in bundle.hosts[:MAX_HOSTS]],
        "hosts_total": len(bundle.hosts),
        "policy": [{"kind": p.kind, "value": p.value, "source": p.source}
                   for p in bundle.privacy_policy[:10]],
        "method": _method(bundle),
        "startup_view": startup_view(bundle, lang, lambda s: names.sdk(s, both=False),
                                     names.pi),
        "policy_view": policy_view(bundle, catalog, lang, lambda s: names.sdk(s, both=False),
                                   names.pi, links),
    }


class _Names:
    def __init__(self, bundle: Bundle, catalog: Catalog, lang: str):
        self.bundle, self.catalog, self.lang = bundle, catalog, lang
        self.L = LABELS[lang]
        self._sdks = {s.id: s for s in bundle.sdks}

    def sdk(self, sdk_id: Optional[str], both: bool = True) -> str:
        if not sdk_id:
            return LABELS[self.lang]["app_code"]
        s = self._sdks.get(sdk_id)
        zh_en = (s.name_zh, s.name) if s else None
        if s is None and sdk_id in self.catalog.sdks:
            c = self.catalog.sdks[sdk_id]
            zh_en = c.name_zh, c.name_en
        if zh_en is None:
            return sdk_id
        zh, en = zh_en
        first, second = (zh, en) if self.lang == "zh" else (en, zh)
        return f"{first} ({second})" if both and first != second else first

    def pi(self, pi: str) -> str:
        t = self.catalog.pi_types.get(pi)
        return (t.name_zh if self.lang == "zh" else t.name_en) if t else pi


def _fmt_time(t: Optional[float]) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(t)) if t else ""


def _assessment(bundle: Bundle) -> Assessment:
    """The verdict and checklist stored by rules.evaluate: the report shows them, it does not
    work out its own (the batch index shows the same ones)."""
    if bundle.assessment is None:
        raise ValueError("the bundle has no assessment: run privascope.rules.evaluate first")
    return bundle.assessment


def _checklist(items, catalog: Catalog, lang: str) -> list[dict]:
    groups: dict[str, dict] = {}
    for c in items:
        fw = catalog.frameworks.get(c.framework)
        clause = catalog.clauses.get((c.framework, c.item))
        g = groups.setdefault(c.framework, {
            "id": c.framework,
            "name": (fw.name_zh if lang == "zh" else fw.name_en) if fw else c.framework,
            "rows": []})
        g["rows"].append({
            "item": c.item,
            "title": ((clause.title_zh if lang == "zh" else clause.title_en) if clause else ""),
            "status": c.status.value, "rules": c.rules, "findings": c.findings,
            "suppressed": c.suppressed, "verified": clause.verified if clause else False})
    return list(groups.values())


def _finding(f: Finding, rule, bundle: Bundle, names: _Names, lang: str,
             links: Optional[dict[str, str]] = None) -> dict:
    zh = lang == "zh"
    return {
        "fp": f.fingerprint, "rule": f.rule, "name": f.name,
        "title": (f.title_zh or f.title) if zh else f.title,
        "message": (f.message_zh or f.message) if zh else f.message,
        "fix": (f.fix_zh or f.fix) if zh else f.fix,
        "explanation": rule.text("explanation", lang) if rule else "",
        "severity": f.severity.value, "confidence": f.confidence.value,
        "source": f.source or (rule.source if rule else ""),
        "clauses": [f"{c.framework} {c.item}" for c in f.clauses],
        "pi": [names.pi(p) for p in f.pi_types],
        "sdks": [names.sdk(s) for s in f.sdks],
        "evidence": _evidence(f, bundle, names, links)[:MAX_EVIDENCE],
        "evidence_total": len(f.evidence),
        "suppressed": f.suppressed,
    }


def _evidence(f: Finding, bundle: Bundle, names: _Names,
              links: Optional[dict[str, str]] = None) -> list[dict]:
    idx = _evidence_index(bundle)
    out = []
    for ref in f.evidence:
        item = idx.get((ref.kind, ref.id))
        line = _describe(ref.kind, ref.id, item, bundle, names)
        line["href"] = (links or {}).get(ref.id, "")  # the timeline / data-flow row showing it
        out.append(line)
    return out


def _evidence_links(timeline: Optional[list[dict]], dataflow: Optional[list[dict]]) -> dict:
    """Evidence id -> "#anchor" of the report row that shows it: runtime reads -> their
    timeline row, requests -> their first data-flow row."""
    links: dict[str, str] = {}
    for row in dataflow or ():
        for tid in row["traffic_ids"]:
            links.setdefault(tid, "#" + row["anchor"])
    for row in timeline or ():
        for eid in row.get("ids", ()):
            links[eid] = "#" + row["anchor"]
    return links


_INDEX_CACHE: dict[int, tuple[Bundle, dict]] = {}  # id(bundle) -> (that bundle, its index)


def _evidence_index(bundle: Bundle) -> dict:
    key = id(bundle)
    cached = _INDEX_CACHE.get(key)
    if cached is not None and cached[0] is bundle:
        return cached[1]
    idx: dict = {}
    idx.update((("api_call", s.id), s) for s in bundle.api_calls)
    idx.update((("traffic_event", t.id), t) for t in bundle.traffic)
    idx.update((("permission", p.id or p.name), p) for p in bundle.permissions)
    idx.update((("sdk", s.id), s) for s in bundle.sdks)
    idx.update((("packer", p.id), p) for p in bundle.packers)
    if bundle.runtime:
        rt = bundle.runtime
        idx.update((("runtime_event", e.id), e) for e in rt.api_calls)
        idx.update((("permission_request", r.id), r) for r in rt.permission_requests)
        idx.update((("component_launch", c.id), c) for c in rt.component_launches)
        idx.update((("consent_event", c.id), c) for c in rt.consent)
    _INDEX_CACHE.clear()
    _INDEX_CACHE[key] = (bundle, idx)
    return idx


def _rel(bundle: Bundle, t: float) -> str:
    start = bundle.runtime.started_at if bundle.runtime else None
    return f"+{t - start:.1f}s" if start else _fmt_time(t)


def _describe(kind: str, ref_id: str, item: Any, bundle: Bundle, names: _Names) -> dict:
    """One evidence line: kind, a headline and details (all plain text, escaped later)."""
    if item is None:
        return {"kind": kind, "id": ref_id, "head": ref_id, "details": []}
    if kind == "api_call":
        return {"kind": kind, "id": ref_id, "head": f"{item.caller_class}.{item.caller_method}",
                "details": [item.api, f"{item.dex}", f"via={item.via.value}",
                            names.sdk(item.sdk, both=False)]}
    if kind == "runtime_event":
        return {"kind": kind, "id": ref_id, "head": f"{_rel(bundle, item.time)} {item.api}",
                "details": [names.pi(item.pi_type),
                            item.value.preview if item.value else (item.exception or ""),
                            names.L["states"][item.app_state.value],
                            names.L["phases"][item.consent_phase.value],
                            item.caller or (item.stack[0] if item.stack else "")]}
    if kind == "traffic_event":
        port = "" if (item.scheme, item.port) in (("http", 80), ("https", 443)) else f":{item.port}"
        return {"kind": kind, "id": ref_id,
                "head": f"{item.method} {item.scheme}://{item.host}{port}{item.path}",
                "details": [f"{names.pi(m.pi_type)}: {m.encoding} @ {m.location}"
                            f"{'[' + m.key + ']' if m.key else ''} = {m.preview}"
                            for m in item.matches[:6]]}
    if kind == "permission":
        return {"kind": kind, "id": ref_id, "head": item.name, "details": [item.protection_level]}
    if kind == "permission_request":
        return {"kind": kind, "id": ref_id,
                "head": f"{_rel(bundle, item.time)} {', '.join(item.permissions)}",
                "details": [names.L["phases"][item.consent_phase.value], item.caller or ""]}
    if kind == "component_launch":
        return {"kind": kind, "id": ref_id, "head": f"{_rel(bundle, item.time)} {item.target}",
                "details": [item.kind, names.L["phases"][item.consent_phase.value]]}
    if kind == "packer":
        return {"kind": kind, "id": ref_id, "head": item.name, "details": list(item.evidence[:5])}
    if kind == "sdk":
        return {"kind": kind, "id": ref_id, "head": names.sdk(item.id),
                "details": list(item.matched_prefixes[:5])}
    return {"kind": kind, "id": ref_id, "head": ref_id, "details": []}


# --------------------------------------------------------------------------- timeline


def _timeline(bundle: Bundle, names: _Names, L: dict,
              dataflow: Optional[list[dict]] = None) -> list[dict]:
    """Launch -> [SDK] read X xN -> dialog -> accept -> ...: runtime reads grouped per SDK, PI
    type and app state between two marker events (consent, state change, permission request,
    start of another app), so a reviewer sees what happened before and after consent."""
    rt = bundle.runtime
    assert rt is not None  # the caller builds a timeline only for a bundle with runtime evidence
    markers: list[tuple[float, dict]] = [(rt.started_at, {"kind": "launch", "text": L["launch"]})]
    for c in rt.consent:
        markers.append((c.time, {"kind": "consent", "subkind": c.kind.value,
                                 "text": L["consent"][c.kind.value], "detail": c.text or ""}))
    for s in rt.app_states:
        markers.append((s.time, {"kind": "state", "text": f"{L['app_state']} "
                                 f"{L['states'][s.state.value]}", "detail": s.activity or ""}))
    for r in rt.permission_requests:
        markers.append((r.time, {"kind": "perm", "text": L["perm_request"],
                                 "detail": ", ".join(r.permissions),
                                 "phase": r.consent_phase.value}))
    for launch in rt.component_launches:
        markers.append((launch.time, {"kind": "launch_other", "text": L["start_other"],
                                      "detail": launch.target, "phase": launch.consent_phase.value}))
    markers.sort(key=lambda m: m[0])
    calls = sorted(rt.api_calls, key=lambda e: e.time)
    sent = requests_by_read(bundle)  # correlate's read -> request links
    cited = _findings_by_evidence(bundle)
    df_anchor = {key: row["anchor"] for row in reversed(dataflow or ()) for key in row["keys"]}
    rows: list[dict] = []
    i = 0
    for n, (t, marker) in enumerate(markers):
        rows.append({"detail": "", "phase": None, "subkind": "", **marker,
                     "time": _rel(bundle, t), "t": t})
        end = markers[n + 1][0] if n + 1 < len(markers) else float("inf")
        segment: list[RuntimeEvent] = []
        while i < len(calls) and calls[i].time < end:
            segment.append(calls[i])
            i += 1
        rows.extend(_read_groups(segment, bundle, names, L, sent, cited, df_anchor))
    return rows


def _read_groups(events: list[RuntimeEvent], bundle: Bundle, names: _Names, L: dict,
                 sent: Optional[dict] = None, cited: Optional[dict] = None,
                 df_anchor: Optional[dict] = None):
    groups: dict[tuple, list[RuntimeEvent]] = {}
    for e in events:
        groups.setdefault((e.sdk, e.pi_type, e.app_state, e.consent_phase), []).append(e)
    for (sdk, pi, state, phase), evs in groups.items():
        obtained = sum(1 for e in evs if e.obtained)
        findings: dict[str, str] = {}
        for e in evs:
            for fp, rule in (cited or {}).get(e.id, ()):
                findings.setdefault(fp, rule)
        yield {"kind": "read", "t": evs[0].time, "time": _rel(bundle, evs[0].time),
               "anchor": f"ev-{evs[0].id}", "ids": [e.id for e in evs],
               "flows": _flows(evs, pi, sent or {}, df_anchor or {}, bundle, names),
               "findings": [{"fp": fp, "rule": rule} for fp, rule in
                            sorted(findings.items(), key=lambda kv: kv[1])],
               "last": _rel(bundle, evs[-1].time), "sdk": names.sdk(sdk, both=False),
               "pi": names.pi(pi), "count": len(evs), "obtained": obtained,
               "state": state.value, "phase": phase.value,
               "apis": sorted({e.api.rsplit(".", 1)[-1] for e in evs})[:4],
               "background": state == AppState.BACKGROUND,
               "before": phase == ConsentPhase.BEFORE}


def _findings_by_evidence(bundle: Bundle) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for f in bundle.findings:
        if f.suppressed is None:
            for ref in f.evidence:
                out.setdefault(ref.id, []).append((f.fingerprint, f.rule))
    return out


def _flows(evs: list[RuntimeEvent], pi: str, sent: dict, df_anchor: dict, bundle: Bundle,
           names: _Names) -> list[dict]:
    """The requests that carried what these reads returned, per host: encodings, count,
    first time, clear text, the host's SDK, and a link to the data-flow row."""
    flows: dict[str, dict] = {}
    for e in evs:
        for t, matches in sent.get(e.id, ()):
            f = flows.get(t.host)
            if f is None:
                f = flows[t.host] = {
                    "host": t.host, "sdk": names.sdk(t.sdk, both=False) if t.sdk else "",
                    "party": t.destination.value, "encodings": [], "ids": [],
                    "cleartext": False, "first": _rel(bundle, t.time),
                    "href": ""}
            if t.id not in f["ids"]:
                f["ids"].append(t.id)
            f["cleartext"] = f["cleartext"] or t.cleartext
            for m in matches:
                if m.encoding not in f["encodings"]:
                    f["encodings"].append(m.encoding)
                anchor = df_anchor.get((m.pi_type, t.host, m.encoding))
                if anchor and not f["href"]:
                    f["href"] = "#" + anchor
    for f in flows.values():
        f["count"] = len(f["ids"])
    return list(flows.values())


# --------------------------------------------------------------------------- tables


def _sdks(bundle: Bundle, names: _Names) -> list[dict]:
    runtime_pi: dict[Optional[str], set] = {}
    if bundle.runtime:
        for e in bundle.runtime.api_calls:
            if e.obtained:
                runtime_pi.setdefault(e.sdk, set()).add(e.pi_type)
    static_pi: dict[Optional[str], set] = {}
    for site in bundle.api_calls:
        if not site.library:  # library wrapper code is neither the app's nor an SDK's
            static_pi.setdefault(site.sdk, set()).add(site.pi_type)
    hosts: dict[str, set] = {}  # only SDK-attributed hosts
    for h in bundle.hosts:
        if h.sdk:
            hosts.setdefault(h.sdk, set()).add(h.host)
    for t in bundle.traffic:
        if t.sdk:
            hosts.setdefault(t.sdk, set()).add(t.host)
    present = list(bundle.sdks)
    # SDKs seen only at run time or in traffic (runtime-only runs have no static SDK list)
    seen_ids = {s.id for s in present}
    for sdk_id in list(runtime_pi) + sorted(hosts):
        if sdk_id and sdk_id not in seen_ids and sdk_id in names.catalog.sdks:
            c = names.catalog.sdks[sdk_id]
            present.append(SdkPresence(id=c.id, name=c.name_en, name_zh=c.name_zh, vendor=c.vendor,
                                       category=c.category, matched_prefixes=(), class_count=0,
                                       calls_pi_apis=False, country=c.country))
            seen_ids.add(sdk_id)
    rows = []
    for s in present:
        rows.append({
            "id": s.id, "name": s.name, "name_zh": s.name_zh, "vendor": s.vendor,
            "category": CATEGORIES[names.lang].get(s.category, s.category),
            "country": s.country or "",
            "classes": s.class_count or "—",
            "static_pi": sorted(names.pi(p) for p in (set(s.pi_types) | static_pi.get(s.id, set()))),
            "runtime_pi": sorted(names.pi(p) for p in runtime_pi.get(s.id, set())),
            "hosts": sorted(hosts.get(s.id, set()))[:12],
        })
    return rows


def _permissions(bundle: Bundle, catalog: Catalog, names: _Names) -> list[dict]:
    used = {s.pi_type for s in bundle.api_calls}
    if bundle.runtime:
        used |= {e.pi_type for e in bundle.runtime.api_calls}
    requested: dict[str, set] = {}
    if bundle.runtime:
        for r in bundle.runtime.permission_requests:
            for p in r.permissions:
                requested.setdefault(p, set()).add(r.consent_phase.value)
    perms = [(p.name, p.protection_level, p.pi_types, p.name_zh) for p in bundle.permissions]
    declared = {p.name for p in bundle.permissions}
    for name in sorted(set(requested) - declared):  # requested at run time, no manifest seen
        info = catalog.permissions.get(name)
        perms.append((name, info.protection_level if info else "unknown", (), None))
    rows = []
    for name, level, pi_types, name_zh in sorted(perms, key=lambda p: (p[1] != "dangerous", p[0])):
        info = catalog.permissions.get(name)
        pis = pi_types or (info.pi_types if info else ())
        rows.append({
            "name": name, "name_zh": name_zh or (info.name_zh if info else ""),
            "level": level, "pi": [names.pi(x) for x in pis],
            "used": (bool(set(pis) & used) if pis else None),
            "requested": sorted(requested.get(name, ())),
        })
    return rows


def _device_traffic(bundle: Bundle, names: _Names) -> list[dict]:
    """Flows the device's proxy carried that the app's process did not make, per host and
    origin, with the reason correlate gave (the first one) and the PI they carried."""
    rows: dict[tuple, dict] = {}
    for t in sorted(bundle.device_traffic, key=lambda t: t.time):
        row = rows.setdefault((t.host, t.origin.value), {
            "host": t.host, "origin": t.origin.value, "reason": t.origin_reason or "",
            "methods": set(), "pi": set(), "count": 0})
        row["count"] += 1
        row["methods"].add(f"{t.method} {t.scheme}")
        row["pi"].update(names.pi(m.pi_type) for m in t.matches)
    return [{**r, "methods": sorted(r["methods"]), "pi": sorted(r["pi"])}
            for r in sorted(rows.values(), key=lambda r: (-r["count"], r["host"]))]


def _dataflow(bundle: Bundle, names: _Names) -> list[dict]:
    """PI type -> host -> encoding -> first/third party, clear text, phase; counted."""
    rows: dict[tuple, dict] = {}
    for t in bundle.traffic:
        for m in t.matches:
            key = (m.pi_type, t.host, m.encoding, t.destination, t.scheme, t.sdk)
            row = rows.setdefault(key, {
                "pi": names.pi(m.pi_type), "host": t.host, "encoding": m.encoding,
                "party": t.destination.value, "sdk": names.sdk(t.sdk, both=False) if t.sdk else "",
                "cleartext": t.cleartext, "locations": set(), "phases": set(), "count": 0,
                "third": t.destination == Destination.THIRD_PARTY, "traffic_ids": [],
                "keys": {(m.pi_type, t.host, m.encoding)}})
            row["count"] += 1
            if t.id not in row["traffic_ids"]:
                row["traffic_ids"].append(t.id)
            row["locations"].add(m.location + (f"[{m.key}]" if m.key else ""))
            if t.consent_phase:
                row["phases"].add(t.consent_phase.value)
    out = []
    for row in rows.values():
        row["locations"] = sorted(row["locations"])[:5]
        row["phases"] = sorted(row["phases"])
        out.append(row)
    out.sort(key=lambda r: (not r["third"], not r["cleartext"], r["pi"], r["host"]))
    for n, row in enumerate(out, 1):
        row["anchor"] = f"df-{n}"  # evidence and timeline rows link here
    return out


def _method(bundle: Bundle) -> dict:
    m = bundle.method
    rt = bundle.runtime
    return {
        "kinds": list(m.kinds), "catalog_versions": dict(m.catalog_versions),
        "scenario": m.scenario or "", "timings": {k: f"{v:.2f}s" for k, v in m.timings.items()},
        "limits": list(m.limits), "partial": bundle.partial, "errors": list(bundle.errors),
        "device_setup": list(m.device_setup),
        "clock_offset_ms": rt.clock_offset_ms if rt else 0.0,
        "target": rt.target if rt else "", "agent_errors": list(rt.agent_errors) if rt else [],
        "packers": [p.name for p in bundle.packers],
    }
