"""What the policy declares next to what the evidence shows.

Evidence levels, weakest first. SDKs: present (classes or hosts in the APK) < calls_pi (its code
reaches a PI API) < started (runs at process start; bundle key `startup` when the run has it) <
observed_read (read PI at run time) < observed_sent (PI found in its traffic). PI types:
reachable < observed_read < observed_sent. Only the strongest level is kept, with the refs
behind it, so a reader can follow each cell to its evidence.
"""
from __future__ import annotations

from typing import Any, Optional

from privascope.catalog import Catalog
from privascope.model import (Bundle, DeclaredSdk, EvidenceRef, SdkRowGap, UndeclaredPI,
                              UndisclosedSdk)

SDK_LEVELS = ("present", "calls_pi", "started", "observed_read", "observed_sent")
PI_LEVELS = ("reachable", "observed_read", "observed_sent")
MAX_REFS = 20


class _Levels:
    """key -> (strongest level, refs at that level, SDKs behind it)."""

    def __init__(self, order: tuple[str, ...]):
        self.order = {lvl: i for i, lvl in enumerate(order)}
        self.items: dict[str, list] = {}

    def add(self, key: str, level: str, ref: Optional[EvidenceRef], sdk: Optional[str] = None):
        cur = self.items.get(key)
        if cur is None or self.order[level] > self.order[cur[0]]:
            cur = self.items[key] = [level, [], {}]
        if self.order[level] == self.order[cur[0]]:
            if ref is not None and len(cur[1]) < MAX_REFS and ref not in cur[1]:
                cur[1].append(ref)
            cur[2].setdefault(sdk or "", None)


def sdk_levels(bundle: Bundle) -> _Levels:
    lv = _Levels(SDK_LEVELS)
    for s in bundle.sdks:
        lv.add(s.id, "present", EvidenceRef("sdk", s.id))
        if s.calls_pi_apis:
            lv.add(s.id, "calls_pi", EvidenceRef("sdk", s.id))
    for c in bundle.api_calls:
        if c.sdk:
            lv.add(c.sdk, "calls_pi", EvidenceRef("api_call", c.id))
    for sdk_id, ref in _started(bundle):
        lv.add(sdk_id, "started", ref)
    if bundle.runtime:
        for e in bundle.runtime.api_calls:
            if e.sdk and e.obtained:
                lv.add(e.sdk, "observed_read", EvidenceRef("runtime_event", e.id))
    for t in bundle.traffic:
        if t.sdk and t.matches:
            lv.add(t.sdk, "observed_sent", EvidenceRef("traffic_event", t.id))
    return lv


def _started(bundle: Bundle) -> list[tuple[str, EvidenceRef]]:
    """SDKs run at process start, from the `startup` key when the bundle has one: an SDK's init
    (or self-starting provider) reached from an entry point, or its PI call site reached. Inits
    the app defers until consent (roles deferred/consent) do not count."""
    startup: Any = getattr(bundle, "startup", None)
    if startup is None:
        return []
    out = []
    for item in getattr(startup, "sdk_inits", ()) or ():
        if getattr(item, "sdk", None) and getattr(item, "role", "init") in ("init", "provider"):
            out.append((item.sdk, EvidenceRef("start_sdk_init", item.id)))
    for item in getattr(startup, "reachable_calls", ()) or ():
        if getattr(item, "sdk", None):
            out.append((item.sdk, EvidenceRef("start_call", item.id)))
    return out


def pi_levels(bundle: Bundle) -> _Levels:
    lv = _Levels(PI_LEVELS)
    for c in bundle.api_calls:
        if c.library:  # inside a library wrapper: its callers' sites carry the read
            continue
        lv.add(c.pi_type, "reachable", EvidenceRef("api_call", c.id), c.sdk)
    if bundle.runtime:
        for e in bundle.runtime.api_calls:
            if e.obtained:
                lv.add(e.pi_type, "observed_read", EvidenceRef("runtime_event", e.id), e.sdk)
    for t in bundle.traffic:
        for m in t.matches:
            lv.add(m.pi_type, "observed_sent", EvidenceRef("traffic_event", t.id), t.sdk)
    return lv


def observed_pi_by_sdk(bundle: Bundle) -> dict[str, dict[str, list]]:
    """sdk -> PI type -> [strongest observed level, refs] (run time and traffic only)."""
    out: dict[str, _Levels] = {}
    if bundle.runtime:
        for e in bundle.runtime.api_calls:
            if e.sdk and e.obtained:
                out.setdefault(e.sdk, _Levels(PI_LEVELS)).add(
                    e.pi_type, "observed_read", EvidenceRef("runtime_event", e.id))
    for t in bundle.traffic:
        if t.sdk:
            for m in t.matches:
                out.setdefault(t.sdk, _Levels(PI_LEVELS)).add(
                    m.pi_type, "observed_sent", EvidenceRef("traffic_event", t.id))
    return {sdk: lv.items for sdk, lv in out.items()}


def disclosed(catalog: Catalog, declared: tuple[DeclaredSdk, ...]) -> set[str]:
    """Catalog SDK ids the declarations cover: named modules, every SDK of a named vendor,
    and the vendor's base components alongside any of its modules."""
    terms = catalog.policy_terms
    ids = {d.sdk for d in declared if d.sdk}
    vendors = {d.vendor for d in declared if d.vendor}
    vendors_with_module = vendors | {catalog.sdks[i].vendor for i in ids if i in catalog.sdks}
    for sdk in catalog.sdks.values():
        if sdk.vendor in vendors or (sdk.id in terms.base_components
                                     and sdk.vendor in vendors_with_module):
            ids.add(sdk.id)
    return ids


def undisclosed_sdks(bundle: Bundle, catalog: Catalog,
                     declared: tuple[DeclaredSdk, ...]) -> tuple[UndisclosedSdk, ...]:
    covered = disclosed(catalog, declared)
    exempt = catalog.policy_terms.exempt_categories
    out = []
    for sdk_id, (level, refs, _sdks) in sdk_levels(bundle).items.items():
        if sdk_id in covered:
            continue
        info = catalog.sdks.get(sdk_id)
        if level == "present" and info is not None and info.category in exempt:
            continue  # a library that touches no PI: nothing to disclose
        out.append(UndisclosedSdk(sdk=sdk_id, evidence=level, refs=tuple(refs)))
    out.sort(key=lambda u: (-SDK_LEVELS.index(u.evidence), u.sdk))
    return tuple(out)


def undeclared_pi(bundle: Bundle, declared_pi) -> tuple[UndeclaredPI, ...]:
    positive = {d.pi_type for d in declared_pi if not d.negated}
    negated = {d.pi_type: i for i, d in enumerate(declared_pi) if d.negated}
    out = []
    for pi, (level, refs, sdks) in pi_levels(bundle).items.items():
        if pi in positive:
            continue
        out.append(UndeclaredPI(pi_type=pi, evidence=level, refs=tuple(refs),
                                sdks=tuple(sdks), negated=negated.get(pi)))
    out.sort(key=lambda u: (-PI_LEVELS.index(u.evidence), u.pi_type))
    return tuple(out)


def sdk_row_gaps(bundle: Bundle, catalog: Catalog,
                 declared: tuple[DeclaredSdk, ...]) -> tuple[SdkRowGap, ...]:
    observed = observed_pi_by_sdk(bundle)
    out = []
    for i, row in enumerate(declared):
        if not row.sdk:
            continue
        seen = observed.get(row.sdk) or {}
        missing = {pi: v for pi, v in seen.items() if pi not in row.pi_types}
        if not missing:
            continue
        level = max((v[0] for v in missing.values()), key=PI_LEVELS.index)
        refs = tuple(r for v in missing.values() for r in v[1])[:MAX_REFS]
        out.append(SdkRowGap(sdk=row.sdk, row=i, pi_types=tuple(sorted(missing)), evidence=level,
                             refs=refs))
    return tuple(out)


def permissions_without_purpose(bundle: Bundle, catalog: Catalog, declared) -> tuple[str, ...]:
    stated = {d.permission for d in declared if d.purpose}
    out = []
    for p in bundle.permissions:
        info = catalog.permissions.get(p.name)
        level = info.protection_level if info is not None else p.protection_level
        if level == "dangerous" and p.name not in stated:
            out.append(p.name)
    return tuple(out)
