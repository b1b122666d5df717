"""What every evaluator shares: the `Hit` it yields, the `Context` it reads, the registry
(`evaluator` decorator, `EVALUATORS`) and small text helpers. Evaluator modules import this, not
the package, so the package can import them without a cycle.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Optional, Union

import string

from privascope.catalog import Catalog
from privascope.model import Bundle, ClauseRef, Confidence, EvidenceRef, Severity
from privascope.rules.errors import RuleConfigError

# a plain value, or {"zh": ..., "en": ...}, or a list of these (the engine joins it per language)
Text = Union[str, int, dict, list, tuple]


@dataclass(frozen=True)
class Hit:
    """One problem found: what the finding is about (sdk, PI types, key) and its evidence."""

    evidence: tuple[EvidenceRef, ...]
    sdk: Optional[str] = None  # SDK id; None = the app's own code (or not SDK-specific)
    pi_types: tuple[str, ...] = ()
    key: str = ""  # the API, host, permission or package that identifies it (fingerprint part)
    fields: dict[str, Text] = field(default_factory=dict)  # message placeholders
    confidence: Optional[Confidence] = None  # lower than the rule's, when evidence is weaker
    severity: Optional[Severity] = None  # lower than the rule's, when evidence is weaker
    clauses: Optional[tuple[ClauseRef, ...]] = None  # a subset of the rule's clauses that this
    # finding cites (e.g. one Data safety category); None = all of them
    per_pi: bool = True  # the PI types identify the finding (False: a per-SDK/host summary
    # whose PI list may grow between runs, so it stays out of the fingerprint)


@dataclass(frozen=True)
class Context:
    bundle: Bundle
    catalog: Catalog

    def is_immutable_id(self, pi: str) -> bool:
        t = self.catalog.pi_types.get(pi)
        return bool(t and t.immutable_device_id)

    def protection_level(self, permission: str) -> str:
        info = self.catalog.permissions.get(permission)
        if info is not None:
            return info.protection_level
        for p in self.bundle.permissions:  # the scanner may know levels the catalog lacks
            if p.name == permission:
                return p.protection_level
        return "unknown"

    def rel_time(self, t: float) -> str:
        start = self.bundle.runtime.started_at if self.bundle.runtime else t
        return f"{max(0.0, t - start):.1f}s"


Evaluator = Callable[[Context, dict[str, Any]], Iterable[Hit]]
EVALUATORS: dict[str, Evaluator] = {}
# evaluator -> the params (dotted paths) holding texts it puts into findings: the texts live in
# rules.yaml with the rule, checked by the rule loader (definitions.py) through `text_problem`
TEXT_PARAMS: dict[str, tuple[str, ...]] = {}
LANGS = ("zh", "en")


def evaluator(name: str, texts: tuple[str, ...] = ()) -> Callable[[Evaluator], Evaluator]:
    def register(fn: Evaluator) -> Evaluator:
        EVALUATORS[name] = fn
        TEXT_PARAMS[name] = texts
        return fn
    return register


def _lookup(params: dict[str, Any], path: str) -> Any:
    value: Any = params
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def text_problem(params: dict[str, Any], path: str) -> Optional[str]:
    """Why params[path] is not a usable bilingual text ({zh, en}, the same {placeholders} in
    both), or None."""
    value = _lookup(params, path)
    if not isinstance(value, dict) or set(value) != set(LANGS) \
            or not all(isinstance(value[lang], str) and value[lang].strip() for lang in LANGS):
        return f"params.{path} must be a text with exactly the languages {LANGS}"
    names = [{f for _, f, _, _ in string.Formatter().parse(value[lang]) if f} for lang in LANGS]
    if names[0] != names[1]:
        return f"params.{path}: the languages use different placeholders {names}"
    return None


def phrase(params: dict[str, Any], path: str, **values: Any) -> dict[str, str]:
    """The rule's bilingual text params[path] (rules.yaml), its {placeholders} filled."""
    problem = text_problem(params, path)
    if problem:
        raise RuleConfigError(problem)
    text = _lookup(params, path)
    return {lang: text[lang].format(**values) for lang in LANGS}


def group_by(items, keyfn) -> dict:
    """Stable grouping (insertion order = first occurrence)."""
    out: dict = {}
    for item in items:
        out.setdefault(keyfn(item), []).append(item)
    return out


def joined(values: Iterable[str], limit: int = 5) -> str:
    """Distinct values in first-seen order, capped so messages stay readable."""
    seen = list(dict.fromkeys(v for v in values if v))
    extra = len(seen) - limit
    return ", ".join(seen[:limit]) + (f" (+{extra})" if extra > 0 else "")


def short_api(api: str) -> str:
    """"android.telephony.TelephonyManager.getDeviceId" -> "TelephonyManager.getDeviceId"."""
    parts = api.split(".")
    return ".".join(parts[-2:]) if len(parts) > 2 and "://" not in api else api

