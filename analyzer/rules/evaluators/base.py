"""What every evaluator shares: the `Hit` it yields, the `Context` it reads, the registry
(`evaluator` decorator, `EVALUATORS`) and small text helpers. Evaluator modules import this, not
the package, so the package can import them without a cycle.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Optional, Union

from privascope.catalog import Catalog
from privascope.model import Bundle, ClauseRef, Confidence, EvidenceRef

Text = Union[str, int, dict]  # a plain value, or {"zh": ..., "en": ...}


@dataclass(frozen=True)
class Hit:
    """One problem found: what the finding is about (sdk, PI types, key) and its evidence."""

    evidence: tuple[EvidenceRef, ...]
    sdk: Optional[str] = None  # SDK id; None = the app's own code (or not SDK-specific)
    pi_types: tuple[str, ...] = ()
    key: str = ""  # the API, host, permission or package that identifies it (fingerprint part)
    fields: dict[str, Text] = field(default_factory=dict)  # message placeholders
    confidence: Optional[Confidence] = None  # lower than the rule's, when evidence is weaker
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


def evaluator(name: str) -> Callable[[Evaluator], Evaluator]:
    def register(fn: Evaluator) -> Evaluator:
        EVALUATORS[name] = fn
        return fn
    return register


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

