"""SDK presence from the class names an APK defines, by the catalog's package prefixes."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from privascope.catalog import Catalog
from privascope.model import SdkPresence


@dataclass
class SdkTally:
    classes: dict[str, int] = field(default_factory=dict)  # sdk id -> defined classes
    prefixes: dict[str, set[str]] = field(default_factory=dict)  # sdk id -> matched prefixes


def tally_classes(dotted_classes: Iterable[str], catalog: Catalog) -> SdkTally:
    """Attribution by Catalog.sdk_match; each package is looked up once, so this stays linear
    in the class count."""
    package_hit: dict[str, tuple[str, str] | None] = {}
    tally = SdkTally()
    for cls in dotted_classes:
        package = cls.rsplit(".", 1)[0] if "." in cls else ""
        if package not in package_hit:
            match = catalog.sdk_match(cls)
            package_hit[package] = (match[0].id, match[1]) if match else None
        hit = package_hit[package]
        if hit is not None:
            sdk_id, prefix = hit
            tally.classes[sdk_id] = tally.classes.get(sdk_id, 0) + 1
            tally.prefixes.setdefault(sdk_id, set()).add(prefix)
    return tally


def presences(tally: SdkTally, catalog: Catalog, pi_by_sdk: dict[str, set[str]],
              hosts_by_sdk: dict[str, set[str]] | None = None) -> tuple[SdkPresence, ...]:
    """One entry per SDK with matching classes, plus SDKs whose catalog hosts the code names
    although no class matches (class_count 0: obfuscated or renamed packages)."""
    hosts_by_sdk = hosts_by_sdk or {}
    out = []
    for sdk_id in sorted(set(tally.classes) | set(hosts_by_sdk)):
        sdk = catalog.sdks[sdk_id]
        pis = tuple(sorted(pi_by_sdk.get(sdk_id, ())))
        out.append(SdkPresence(
            id=sdk.id, name=sdk.name_en, name_zh=sdk.name_zh, vendor=sdk.vendor,
            category=sdk.category,
            matched_prefixes=tuple(sorted(tally.prefixes.get(sdk_id, ()))),
            class_count=tally.classes.get(sdk_id, 0), calls_pi_apis=bool(pis),
            country=sdk.country, pi_types=pis,
            matched_hosts=tuple(sorted(hosts_by_sdk.get(sdk_id, ()))),
        ))
    return tuple(sorted(out, key=lambda p: (-p.class_count, p.id)))
