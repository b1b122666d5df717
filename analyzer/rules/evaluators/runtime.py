"""Evaluators over runtime evidence (Frida hooks): what was observed, when, by whom."""
from __future__ import annotations

from privascope.model import AppState, Confidence, ConsentPhase, EvidenceRef
from privascope.rules.evaluators.base import (Context, Hit, Text, evaluator, group_by, joined,
                                              short_api)


def _calls(ctx: Context):
    return ctx.bundle.runtime.api_calls if ctx.bundle.runtime else ()


def _grouped_hits(ctx: Context, events, extra=None, weak_apis=frozenset()):
    """One hit per (SDK, PI type): the unit a reviewer acts on (one SDK to fix or configure)."""
    for (sdk, pi), evs in group_by(events, lambda e: (e.sdk, e.pi_type)).items():
        evs.sort(key=lambda e: e.time)
        fields: dict[str, Text] = {
            "count": len(evs),
            "apis": joined(short_api(e.api) for e in evs),
            "first": ctx.rel_time(evs[0].time),
            "last": ctx.rel_time(evs[-1].time),
        }
        if extra:
            fields.update(extra(evs))
        weak = all(e.api in weak_apis for e in evs)
        yield Hit(evidence=tuple(EvidenceRef("runtime_event", e.id) for e in evs),
                  sdk=sdk, pi_types=(pi,), fields=fields,
                  confidence=Confidence.LOW if weak else None)


@evaluator("runtime_phase")
def runtime_phase(ctx: Context, params):
    """Calls in one consent phase; params.obtained separates collection from mere attempts."""
    phase = ConsentPhase(params["phase"])
    obtained = bool(params.get("obtained", True))
    events = [e for e in _calls(ctx) if e.consent_phase == phase and e.obtained == obtained]
    yield from _grouped_hits(ctx, events)


@evaluator("runtime_background")
def runtime_background(ctx: Context, params):
    events = [e for e in _calls(ctx) if e.app_state == AppState.BACKGROUND and e.obtained]
    yield from _grouped_hits(ctx, events)


@evaluator("runtime_immutable_id")
def runtime_immutable_id(ctx: Context, params):
    events = [e for e in _calls(ctx) if e.obtained and ctx.is_immutable_id(e.pi_type)]
    yield from _grouped_hits(ctx, events)


@evaluator("runtime_pi_types")
def runtime_pi_types(ctx: Context, params):
    wanted = set(params.get("pi_types") or ())
    events = [e for e in _calls(ctx) if e.pi_type in wanted]
    # Reading the list is the behaviour regulators name, so attempts count too
    yield from _grouped_hits(ctx, events,
                             weak_apis=frozenset(params.get("low_confidence_apis") or ()))


def max_in_window(times: list[float], window: float) -> tuple[int, int]:
    """Largest number of events inside any window of `window` seconds (two pointers over the
    sorted times) and the index where that window starts."""
    times = sorted(times)
    best, best_start, lo = 0, 0, 0
    for hi, t in enumerate(times):
        while t - times[lo] > window:
            lo += 1
        if hi - lo + 1 > best:
            best, best_start = hi - lo + 1, lo
    return best, best_start


@evaluator("runtime_frequency")
def runtime_frequency(ctx: Context, params):
    from privascope.rules.errors import RuleConfigError

    try:
        limit = int(params["max_events"])
        window = float(params["window_seconds"])
    except (KeyError, TypeError, ValueError):
        raise RuleConfigError("needs numeric params max_events and window_seconds") from None
    if limit < 1 or window <= 0:
        raise RuleConfigError("needs params max_events >= 1 and window_seconds > 0")
    # Only values actually obtained count as collection; failed attempts are another rule's
    events = [e for e in _calls(ctx) if e.obtained]
    for (sdk, pi), evs in group_by(events, lambda e: (e.sdk, e.pi_type)).items():
        evs.sort(key=lambda e: e.time)
        peak, start = max_in_window([e.time for e in evs], window)
        if peak <= limit:
            continue
        burst = evs[start:start + peak]
        yield Hit(evidence=tuple(EvidenceRef("runtime_event", e.id) for e in burst),
                  sdk=sdk, pi_types=(pi,),
                  fields={"count": len(evs), "max": peak, "limit": limit,
                          "window": f"{window:g}", "apis": joined(short_api(e.api) for e in evs),
                          "first": ctx.rel_time(burst[0].time)})


@evaluator("runtime_permission_requests")
def runtime_permission_requests(ctx: Context, params):
    if not ctx.bundle.runtime:
        return
    phase = ConsentPhase(params["phase"])
    by_perm: dict[str, list] = {}
    for req in ctx.bundle.runtime.permission_requests:
        if req.consent_phase != phase:
            continue
        for perm in req.permissions:
            if ctx.protection_level(perm) == "dangerous":
                by_perm.setdefault(perm, []).append(req)
    for perm, reqs in by_perm.items():
        info = ctx.catalog.permissions.get(perm)
        yield Hit(evidence=tuple(EvidenceRef("permission_request", r.id) for r in reqs),
                  sdk=next((r.sdk for r in reqs if r.sdk), None),
                  pi_types=tuple(info.pi_types) if info else (), key=perm, per_pi=False,
                  fields={"permission": perm, "count": len(reqs)})


@evaluator("runtime_component_launches")
def runtime_component_launches(ctx: Context, params):
    if not ctx.bundle.runtime:
        return
    phase = ConsentPhase(params["phase"])
    own = ctx.bundle.app.package
    launches = [c for c in ctx.bundle.runtime.component_launches
                if c.consent_phase == phase and c.target_package != own]
    for pkg, items in group_by(launches, lambda c: c.target_package).items():
        yield Hit(evidence=tuple(EvidenceRef("component_launch", c.id) for c in items),
                  sdk=next((c.sdk for c in items if c.sdk), None), key=pkg,
                  fields={"target": pkg, "count": len(items)})
