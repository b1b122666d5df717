"""The report's "Policy and behaviour" section: two matrices built from the bundle's `policy`.

PI types x (declared / "not collected" statement / reachable / observed / sent) and SDKs x
(disclosed / present / active). Every cell links to what it rests on: the quoted policy sentence
(listed below the matrices, anchors pq-N) or the evidence (timeline and data-flow rows, else the
finding that cites it). Quotes are app-controlled text: plain strings here, escaped by jinja2.
"""
from __future__ import annotations

from typing import Any, Optional

from privascope.catalog import Catalog
from privascope.model import Bundle, EvidenceRef
from privascope.policy.compare import SDK_LEVELS, sdk_levels

LABELS: dict[str, dict[str, Any]] = {  # per language: a label, or a table of labels
    "zh": {"title": "隐私政策与实际行为", "sources": "政策来源", "pi_matrix": "个人信息类型",
           "sdk_matrix": "第三方SDK", "pi": "个人信息", "declared": "政策声明收集",
           "negated": "政策声明不收集", "reachable": "代码可达", "observed": "运行时读取",
           "sent": "网络发送", "sdk": "SDK", "disclosed": "政策中列出", "present": "安装包中存在",
           "active": "活动程度", "quotes": "政策原文", "statements": "其他声明",
           "none": "未在应用中找到隐私政策文本，也未通过--policy提供：未做比对。",
           "urls": "应用中的隐私政策链接（未联网获取，请保存页面后用--policy提供）",
           "limits": "局限", "no_sdk_list": "政策中没有第三方SDK清单",
           "kinds": {"asset": "安装包内文件", "file": "用户提供的文件", "string": "资源字符串"},
           "levels": {"present": "仅存在", "calls_pi": "调用个人信息接口", "started": "随启动运行",
                      "observed_read": "观察到读取", "observed_sent": "观察到发送"},
           "statement_kinds": {"update_date": "更新日期", "contact": "联系方式",
                               "account_deletion": "注销账号", "children": "儿童条款",
                               "sdk_list": "第三方SDK清单"},
           "yes": "是", "no": "否", "undisclosed": "未列出"},
    "en": {"title": "Policy and behaviour", "sources": "Policy sources", "pi_matrix": "PI types",
           "sdk_matrix": "Third-party SDKs", "pi": "Personal information",
           "declared": "Declared collected", "negated": "Declared NOT collected",
           "reachable": "Reachable in code", "observed": "Read at run time",
           "sent": "Sent in traffic", "sdk": "SDK", "disclosed": "Listed in policy",
           "present": "In the APK", "active": "Activity", "quotes": "Policy sentences",
           "statements": "Other statements",
           "none": "No privacy-policy text was found in the app or given with --policy: "
                   "nothing was compared.",
           "urls": "Policy links in the app (not fetched: save the page and give it with "
                   "--policy)",
           "limits": "Limits", "no_sdk_list": "The policy has no third-party SDK list",
           "kinds": {"asset": "file in the APK", "file": "file given by the user",
                     "string": "resource string"},
           "levels": {"present": "present only", "calls_pi": "calls PI APIs",
                      "started": "started at launch", "observed_read": "observed reading",
                      "observed_sent": "observed sending"},
           "statement_kinds": {"update_date": "Update date", "contact": "Contact",
                               "account_deletion": "Account deletion", "children": "Children",
                               "sdk_list": "Third-party SDK list"},
           "yes": "yes", "no": "no", "undisclosed": "not listed"},
}
MAX_ROWS = 200


def policy_view(bundle: Bundle, catalog: Catalog, lang: str, sdk_name, pi_name,
                links: dict[str, str]) -> Optional[dict[str, Any]]:
    """None when the bundle has no `policy` key (an older bundle, or a run without it)."""
    p = bundle.policy
    if p is None:
        return None
    L = LABELS[lang]
    finding_of = _finding_anchors(bundle)
    quotes: list[dict] = []
    quote_anchor: dict[tuple[str, int], str] = {}  # (sentence, source) -> anchor

    def q(kind: str, i: int, text: str, source: int) -> dict:
        key = (text, source)  # one anchor per sentence, however many rows rest on it
        if key not in quote_anchor:
            quote_anchor[key] = f"pq-{len(quotes)}"
            quotes.append({"anchor": quote_anchor[key], "text": text,
                           "source": p.sources[source].path if 0 <= source < len(p.sources)
                           else ""})
        return {"href": "#" + quote_anchor[key], "text": text}

    def ev(refs: list[EvidenceRef]) -> Optional[dict]:
        if not refs:
            return None
        href = next((links[r.id] for r in refs if r.id in links), None) \
            or next((finding_of[r.id] for r in refs if r.id in finding_of), None)
        return {"count": len(refs), "href": href}

    # ---- PI matrix
    declared: dict[str, dict] = {}
    negated: dict[str, dict] = {}
    purposes: dict[str, str] = {}
    for i, d in enumerate(p.declared_pi):
        target = negated if d.negated else declared
        target.setdefault(d.pi_type, q("pi", i, d.quote, d.source))
        if d.purpose and not d.negated:
            purposes.setdefault(d.pi_type, d.purpose)
    reach: dict[str, list] = {}
    seen: dict[str, list] = {}
    sent: dict[str, list] = {}
    for c in bundle.api_calls:
        reach.setdefault(c.pi_type, []).append(EvidenceRef("api_call", c.id))
    if bundle.runtime:
        for e in bundle.runtime.api_calls:
            if e.obtained:
                seen.setdefault(e.pi_type, []).append(EvidenceRef("runtime_event", e.id))
    for t in bundle.traffic:
        for m in t.matches:
            refs = sent.setdefault(m.pi_type, [])
            if not refs or refs[-1].id != t.id:
                refs.append(EvidenceRef("traffic_event", t.id))
    undeclared = {u.pi_type for u in p.undeclared_pi}
    pis = list(dict.fromkeys(list(declared) + list(negated) + list(sent) + list(seen)
                             + list(reach)))
    pi_rows = [{"id": pi, "name": pi_name(pi), "declared": declared.get(pi),
                "purpose": purposes.get(pi, ""),
                "negated": negated.get(pi), "reachable": ev(reach.get(pi, [])),
                "observed": ev(seen.get(pi, [])), "sent": ev(sent.get(pi, [])),
                "problem": pi in undeclared and bool(p.sources),
                "finding": _finding_for(bundle, ("PS502", "PS503"), pi=pi)}
               for pi in pis[:MAX_ROWS]]

    # ---- SDK matrix
    levels = sdk_levels(bundle).items
    from privascope.policy.compare import disclosed as covered_by

    covered = covered_by(catalog, p.declared_sdks)
    row_of: dict[str, dict] = {}
    for i, ds in enumerate(p.declared_sdks):
        row_of.setdefault(ds.sdk or ds.vendor or f"name:{ds.name}", q("sdk", i, ds.quote, ds.source))
    undisclosed = {u.sdk for u in p.undisclosed_sdks}
    present = {s.id for s in bundle.sdks}
    sdk_rows = []
    keys = list(dict.fromkeys([k for k in levels] + [d.sdk or f"name:{d.name}"
                                                     for d in p.declared_sdks]))
    for key in keys[:MAX_ROWS]:
        level = levels.get(key, [None, [], {}])
        quote = row_of.get(key)
        if quote is None and key in covered and key in catalog.sdks:
            quote = row_of.get(catalog.sdks[key].vendor)  # disclosed by vendor name
        sdk_rows.append({
            "id": key, "name": key[5:] if key.startswith("name:") else sdk_name(key),
            "disclosed": quote, "covered": key in covered or key.startswith("name:"),
            "present": key in present,
            "active": L["levels"].get(level[0], "") if level[0] else "",
            "active_ref": ev(level[1]) if level[0] and level[0] != "present" else None,
            "problem": key in undisclosed and bool(p.sources),
            "finding": _finding_for(bundle, ("PS501", "PS504"), sdk=key),
        })
    sdk_rows.sort(key=lambda r: (not r["problem"],
                                 -SDK_LEVELS.index(levels[r["id"]][0]) if r["id"] in levels
                                 else 1, r["name"]))
    return {
        "L": L, "has_sources": bool(p.sources),
        "sources": [{"kind": L["kinds"].get(s.kind, s.kind), "path": s.path,
                     "language": s.language, "sha256": s.sha256[:16]} for s in p.sources],
        "pi_rows": pi_rows, "sdk_rows": sdk_rows, "quotes": quotes,
        "statements": [{"kind": L["statement_kinds"].get(s.kind, s.kind), "text": s.quote,
                        "value": s.value} for s in p.statements],
        "sdk_list": p.sdk_list, "urls": list(p.urls[:10]), "limits": list(p.limits),
    }


def _finding_anchors(bundle: Bundle) -> dict[str, str]:
    out: dict[str, str] = {}
    for f in bundle.findings:
        if f.suppressed is None:
            for ref in f.evidence:
                out.setdefault(ref.id, "#f-" + f.fingerprint)
    return out


def _finding_for(bundle: Bundle, rules: tuple[str, ...], pi: str = "",
                 sdk: str = "") -> Optional[str]:
    for f in bundle.findings:
        if f.rule in rules and f.suppressed is None and (
                (pi and pi in f.pi_types and not sdk) or (sdk and sdk in f.sdks)):
            return "#f-" + f.fingerprint
    return None
