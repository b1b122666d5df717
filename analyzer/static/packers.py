"""Packers (加固) by entry names and stub classes from analyzer/catalog/packers.yaml."""
from __future__ import annotations

import bisect
import re
from typing import Iterable

from privascope.catalog import Catalog
from privascope.model import PackerHit


def detect_packers(entry_names: Iterable[str], dotted_classes: Iterable[str],
                   catalog: Catalog) -> tuple[PackerHit, ...]:
    names = list(entry_names)
    # a class prefix matches the class itself and everything under it (package or nested
    # classes): binary search in the sorted class names, no walk over every class
    ordered = sorted(set(dotted_classes))
    under: dict[str, list[str]] = {}
    for prefix in {p for packer in catalog.packers.values() for p in packer.classes}:
        hits: list[str] = []
        for start in (prefix, prefix + ".", prefix + "$"):
            i = bisect.bisect_left(ordered, start)
            while i < len(ordered) and len(hits) < 5 and (
                    ordered[i] == prefix if start == prefix else ordered[i].startswith(start)):
                hits.append(ordered[i])
                i += 1
        if hits:
            under[prefix] = hits
    found: list[PackerHit] = []
    for packer in catalog.packers.values():
        evidence: list[str] = []
        for pattern in packer.files:
            rx = re.compile(pattern)
            evidence += [f"file {n}" for n in names if rx.search(n)][:5]
        for prefix in packer.classes:
            evidence += [f"class {c}" for c in sorted(under.get(prefix, ()))[:5]]
        if evidence:
            found.append(PackerHit(id=packer.id, name=packer.name, evidence=tuple(evidence)))
    return tuple(found)
