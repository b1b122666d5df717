"""The report's "At process start" section, built from the bundle's `startup` key.

Per entry point (Application, providers, androidx.startup initializers, with their process):
the SDKs it starts and the PI calls it reaches, each with its chain as readable method names
(full names in a tooltip), gated or not, and the confidence of the chain. When the bundle also
has a runtime run, static "reachable at start" sits next to runtime "observed before consent"
per SDK and PI type, and agreement is marked. Names are app-controlled text: plain strings
here, escaped by jinja2.
"""
from __future__ import annotations

from typing import Any, Optional

from privascope.model import Bundle, ConsentPhase

LABELS: dict[str, dict[str, Any]] = {
    "zh": {"title": "进程启动时",
           "intro": "进程启动时（任何界面与同意弹窗出现之前）由系统运行的代码可达的SDK初始化"
                    "与个人信息调用（静态：可达，并非已观察到）。",
           "entries": "启动入口", "kind": "类型", "class": "类", "process": "进程",
           "default_process": "默认进程", "sdk": "SDK", "starts": "启动的SDK",
           "calls": "可达的个人信息调用", "target": "初始化接口", "chain": "调用链",
           "gated": "同意检查", "yes_gated": "有（已通过）", "not_gated": "无",
           "confidence": "可信度", "pi": "个人信息", "api": "接口", "none": "无",
           "app": "App自身", "limits": "局限", "compare": "与运行时对照",
           "static": "启动时可达（静态）", "runtime": "同意前观察到（运行时）",
           "agree": "一致", "static_only": "仅静态", "runtime_only": "仅运行时",
           "kinds": {"application": "Application", "provider": "ContentProvider",
                     "initializer": "androidx.startup初始化器"},
           "roles": {"init": "初始化", "provider": "自启动Provider", "deferred": "预初始化",
                     "consent": "合规授权接口"},
           "confidences": {"high": "高", "medium": "中", "low": "低"},
           "more": "另有{n}条未列出（见JSON）"},
    "en": {"title": "At process start",
           "intro": "SDK starts and personal-information calls reachable from code the system "
                    "runs when the process starts, before any screen or consent dialog (static: "
                    "reachable, not observed).",
           "entries": "Entry points", "kind": "Kind", "class": "Class", "process": "Process",
           "default_process": "default", "sdk": "SDK", "starts": "SDKs started",
           "calls": "Reachable personal-information calls", "target": "Init API",
           "chain": "Chain", "gated": "Consent check", "yes_gated": "yes (passed)",
           "not_gated": "none", "confidence": "Confidence", "pi": "Personal information",
           "api": "API", "none": "none", "app": "the app itself", "limits": "Limits",
           "compare": "Compared with the runtime run", "static": "Reachable at start (static)",
           "runtime": "Observed before consent (runtime)", "agree": "agree",
           "static_only": "static only", "runtime_only": "runtime only",
           "kinds": {"application": "Application", "provider": "ContentProvider",
                     "initializer": "androidx.startup initializer"},
           "roles": {"init": "init", "provider": "self-starting provider",
                     "deferred": "pre-init", "consent": "consent API"},
           "confidences": {"high": "high", "medium": "medium", "low": "low"},
           "more": "{n} more not listed (see the JSON)"},
}
MAX_ROWS = 150


def _short(method: str) -> str:
    """"a.b.App.onCreate()V" -> "App.onCreate"; a bare "a.b.C.init" target -> "C.init"."""
    name = method.split("(")[0]
    return ".".join(name.split(".")[-2:])


def _chain(path) -> list[dict[str, str]]:
    return [{"short": _short(p), "full": p} for p in path]


def startup_view(bundle: Bundle, lang: str, sdk_name, pi_name) -> Optional[dict[str, Any]]:
    """None when the bundle has no `startup` key (an older bundle or a run without it)."""
    s = bundle.startup
    if s is None:
        return None
    L = LABELS[lang]
    entries = []
    for e in s.entry_points:
        mine = lambda items: [i for i in items if i.entry == e.class_name]  # noqa: E731
        entries.append({
            "kind": L["kinds"].get(e.kind, e.kind), "cls": e.class_name,
            "process": e.process or L["default_process"],
            "sdk": sdk_name(e.sdk) if e.sdk else "",
            "starts": [{"sdk": sdk_name(i.sdk), "role": L["roles"].get(i.role, i.role),
                        "target": i.target, "chain": _chain(i.path), "gated": i.gated,
                        "gate": i.gate or "", "confidence": i.confidence.value}
                       for i in mine(s.sdk_inits)],
            "calls": [{"sdk": sdk_name(c.sdk) if c.sdk else L["app"], "pi": pi_name(c.pi_type),
                       "api": _short(c.api), "chain": _chain(c.path), "gated": c.gated,
                       "gate": c.gate or "", "confidence": c.confidence.value}
                      for c in mine(s.reachable_calls)[:MAX_ROWS]],
            "more": max(0, len(mine(s.reachable_calls)) - MAX_ROWS),
        })
    return {"L": L, "entries": entries, "limits": list(s.limits),
            "compare": _compare(bundle, L, sdk_name, pi_name)}


def _compare(bundle: Bundle, L: dict, sdk_name, pi_name) -> Optional[list[dict[str, Any]]]:
    """Static reachable-at-start (ungated) vs runtime observed-before-consent, per SDK and PI."""
    if bundle.runtime is None or bundle.startup is None:
        return None
    static = {(c.sdk, c.pi_type) for c in bundle.startup.reachable_calls if not c.gated}
    observed = {(e.sdk, e.pi_type) for e in bundle.runtime.api_calls
                if e.consent_phase == ConsentPhase.BEFORE}
    rows = []
    for key in sorted(static | observed, key=lambda k: (k[0] or "", k[1])):
        both = key in static and key in observed
        rows.append({"sdk": sdk_name(key[0]) if key[0] else L["app"], "pi": pi_name(key[1]),
                     "static": key in static, "runtime": key in observed,
                     "agreement": L["agree"] if both else
                     (L["static_only"] if key in static else L["runtime_only"]),
                     "agree": both})
    return rows
