"""Packers (加固) by entry names and stub classes from analyzer/catalog/packers.yaml."""
from __future__ import annotations

import re
from typing import Iterable

from analyzer.catalog import Catalog
from analyzer.model import PackerHit


def detect_packers(entry_names: Iterable[str], dotted_classes: Iterable[str],
                   catalog: Catalog) -> tuple[PackerHit, ...]:
    names = list(entry_names)
    # class name or any enclosing package/outer class -> the classes under it (one pass)
    wanted = {p for packer in catalog.packers.values() for p in packer.classes}
    under: dict[str, list[str]] = {}
    for cls in dotted_classes:
        name = cls
        while True:
            if name in wanted:
                under.setdefault(name, []).append(cls)
            cut = max(name.rfind("."), name.rfind("$"))
            if cut <= 0:
                break
            name = name[:cut]
    hits = []
    for packer in catalog.packers.values():
        evidence: list[str] = []
        for pattern in packer.files:
            rx = re.compile(pattern)
            evidence += [f"file {n}" for n in names if rx.search(n)][:5]
        for prefix in packer.classes:
            evidence += [f"class {c}" for c in sorted(under.get(prefix, ()))[:5]]
        if evidence:
            hits.append(PackerHit(id=packer.id, name=packer.name, evidence=tuple(evidence)))
    return tuple(hits)
