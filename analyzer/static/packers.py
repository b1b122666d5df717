"""Packers (加固) by entry names and stub classes from analyzer/catalog/packers.yaml."""
from __future__ import annotations

import re
from typing import Iterable

from analyzer.catalog import Catalog
from analyzer.model import PackerHit


def detect_packers(entry_names: Iterable[str], dotted_classes: Iterable[str],
                   catalog: Catalog) -> tuple[PackerHit, ...]:
    names = list(entry_names)
    classes = set(dotted_classes)
    hits = []
    for packer in catalog.packers.values():
        evidence: list[str] = []
        for pattern in packer.files:
            rx = re.compile(pattern)
            evidence += [f"file {n}" for n in names if rx.search(n)][:5]
        for prefix in packer.classes:
            matched = sorted(c for c in classes
                             if c == prefix or c.startswith(prefix + ".") or
                             c.startswith(prefix + "$"))
            evidence += [f"class {c}" for c in matched[:5]]
        if evidence:
            hits.append(PackerHit(id=packer.id, name=packer.name, evidence=tuple(evidence)))
    return tuple(hits)
