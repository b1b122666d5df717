"""Evaluators about the analysis itself: what it could not see."""
from __future__ import annotations

from privascope.model import EvidenceRef
from privascope.rules.evaluators.base import Context, Hit, evaluator, joined


@evaluator("meta_packed")
def meta_packed(ctx: Context, params):
    packers = ctx.bundle.packers
    if packers:
        yield Hit(evidence=tuple(EvidenceRef("packer", p.id) for p in packers),
                  key=",".join(sorted(p.id for p in packers)),
                  fields={"packers": joined(p.name for p in packers)})


@evaluator("meta_partial")
def meta_partial(ctx: Context, params):
    b = ctx.bundle
    if b.partial or b.errors:
        yield Hit(evidence=(), fields={"errors": joined(b.errors, limit=3) or "?"})
