"""Evaluators over traffic evidence (mitmproxy): personal information seen leaving the device."""
from __future__ import annotations

from privascope.model import ConsentPhase, Destination, EvidenceRef
from privascope.rules.evaluators.base import Context, Hit, evaluator, group_by, joined, phrase


def _with_pi(ctx: Context):
    return [t for t in ctx.bundle.traffic if t.matches]


def _pi_types(events) -> tuple[str, ...]:
    return tuple(dict.fromkeys(m.pi_type for t in events for m in t.matches))


def _encodings(events) -> str:
    return joined((m.encoding for t in events for m in t.matches), limit=8)


@evaluator("traffic_before_consent")
def traffic_before_consent(ctx: Context, params):
    events = [t for t in _with_pi(ctx) if t.consent_phase == ConsentPhase.BEFORE]
    # one finding per host and PI type: the host says who received it, the PI type what
    pairs = [(t, m.pi_type) for t in events for m in t.matches]
    for (host, pi), items in group_by(pairs, lambda p: (p[0].host, p[1])).items():
        evs = list(dict.fromkeys(t for t, _ in items))
        yield Hit(evidence=tuple(EvidenceRef("traffic_event", t.id) for t in evs),
                  sdk=evs[0].sdk, pi_types=(pi,), key=host,
                  fields={"host": host, "count": len(evs),
                          "encodings": joined(m.encoding for t in evs for m in t.matches
                                              if m.pi_type == pi)})


@evaluator("traffic_third_party", texts=("unknown_sdk",))
def traffic_third_party(ctx: Context, params):
    events = [t for t in _with_pi(ctx) if t.destination == Destination.THIRD_PARTY]
    # one finding per SDK (issue: "per SDK"); hosts no SDK claims are grouped by host
    for evs in group_by(events, lambda t: t.sdk or f"host:{t.host}").values():
        yield Hit(evidence=tuple(EvidenceRef("traffic_event", t.id) for t in evs),
                  sdk=evs[0].sdk, pi_types=_pi_types(evs),
                  key="" if evs[0].sdk else evs[0].host, per_pi=False,
                  fields={"hosts": joined(t.host for t in evs), "count": len(evs),
                          "encodings": _encodings(evs),
                          # a third-party host no catalog SDK claims: not "the app's own code"
                          **({} if evs[0].sdk else {"sdk": phrase(params, "unknown_sdk")})})


@evaluator("traffic_cleartext")
def traffic_cleartext(ctx: Context, params):
    events = [t for t in _with_pi(ctx) if t.cleartext]
    for host, evs in group_by(events, lambda t: t.host).items():
        yield Hit(evidence=tuple(EvidenceRef("traffic_event", t.id) for t in evs),
                  sdk=evs[0].sdk, pi_types=_pi_types(evs), key=host, per_pi=False,
                  fields={"host": host, "count": len(evs), "encodings": _encodings(evs)})
