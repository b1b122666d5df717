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


def own_packages(package: str, application_classes: Iterable[str] = ()) -> tuple[str, ...]:
    """The app's own packages for SDK attribution (Catalog.sdk_match): the manifest package, and
    the Application class's package when it shares the manifest package's first two labels (a
    vendor demo whose code keeps the vendor namespace under another application id). An
    Application class from another root is an SDK's (io.dcloud.application.DCloudApplication
    declared by an HBuilder app): its package stays the SDK's."""
    out = [package] if package else []
    root = package.split(".")[:2]
    for name in application_classes:
        if "." in name:
            pkg = name.rsplit(".", 1)[0]
            if pkg.split(".")[:2] == root and pkg not in out:
                out.append(pkg)
    return tuple(out)


def tally_classes(dotted_classes: Iterable[str], catalog: Catalog,
                  own: tuple[str, ...] = ()) -> SdkTally:
    """Attribution by Catalog.sdk_match (the app's `own` packages as there); each package is
    looked up once, so this stays linear in the class count. A second pass over the packages
    nothing claimed lets the SDKs found so far claim their companion packages."""
    classes = list(dotted_classes)
    tally = SdkTally()
    _tally(classes, catalog, own, frozenset(), tally)
    if tally.classes and any(catalog.sdks[s].companion_prefixes for s in tally.classes):
        _tally(classes, catalog, own, frozenset(tally.classes), tally, companions_only=True)
    return tally


def _tally(classes: list[str], catalog: Catalog, own: tuple[str, ...], present: frozenset[str],
           tally: SdkTally, companions_only: bool = False) -> None:
    package_hit: dict[str, tuple[str, str] | None] = {}
    for cls in classes:
        package = cls.rsplit(".", 1)[0] if "." in cls else ""
        if package not in package_hit:
            hit = None
            if not (companions_only and catalog.sdk_match(cls, own)):
                match = catalog.sdk_match(cls, own, present)
                hit = (match[0].id, match[1]) if match else None
            package_hit[package] = hit
        found = package_hit[package]
        if found is not None:
            sdk_id, prefix = found
            tally.classes[sdk_id] = tally.classes.get(sdk_id, 0) + 1
            tally.prefixes.setdefault(sdk_id, set()).add(prefix)


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
