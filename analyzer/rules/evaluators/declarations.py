"""Evaluators for what the developer must declare (Play Data safety form), from any evidence."""
from __future__ import annotations

from privascope.model import ClauseRef, Confidence, Destination, EvidenceRef
from privascope.rules.evaluators.base import Context, Hit, evaluator, phrase

MAX_REFS = 50  # per category: enough to check, small enough for a readable bundle


@evaluator("data_safety_categories", texts=("how.runtime", "how.traffic", "how.static", "shared"))
def data_safety_categories(ctx: Context, params):
    """One hit per Data safety category the app's evidence touches, strongest evidence first;
    it also cites "sharing" when that data went to a third party."""
    b = ctx.bundle
    cats: dict[str, dict] = {}

    def add(pi: str, how: str, ref: EvidenceRef):
        t = ctx.catalog.pi_types.get(pi)
        if t is None:
            return
        c = cats.setdefault(t.data_safety, {"pis": {}, "how": set(), "refs": [], "shared": False})
        c["pis"].setdefault(pi, None)
        c["how"].add(how)
        if len(c["refs"]) < MAX_REFS:
            c["refs"].append(ref)
        return c

    for t in b.traffic:
        for m in t.matches:
            c = add(m.pi_type, "traffic", EvidenceRef("traffic_event", t.id))
            if c is not None and t.destination == Destination.THIRD_PARTY:
                c["shared"] = True
    if b.runtime:
        for e in b.runtime.api_calls:
            if e.obtained:
                add(e.pi_type, "runtime", EvidenceRef("runtime_event", e.id))
    for s in b.api_calls:
        if not s.library:  # a library wrapper's site is no use of its own (static/wrappers.py)
            add(s.pi_type, "static", EvidenceRef("api_call", s.id))
    listed = {c.item for c in params.get("_rule_clauses", ())}
    for cat, c in sorted(cats.items()):
        if cat not in listed:
            continue
        hows = [h for h in ("runtime", "traffic", "static") if h in c["how"]]
        clauses = [ClauseRef("playds", cat)] + ([ClauseRef("playds", "sharing")] if c["shared"]
                                                else [])
        yield Hit(evidence=tuple(c["refs"]), pi_types=tuple(c["pis"]), key=cat, per_pi=False,
                  clauses=tuple(clauses),
                  fields={"category": _category(ctx, cat),
                          "how": [phrase(params, f"how.{h}") for h in hows],
                          "shared": phrase(params, "shared") if c["shared"] else ""},
                  confidence=None if hows[0] != "static" else Confidence.MEDIUM)


def _category(ctx: Context, cat: str):
    clause = ctx.catalog.clauses.get(("playds", cat))
    if clause is None:
        return cat
    return {"zh": clause.title_zh, "en": clause.title_en}
