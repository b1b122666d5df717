"""Lookup indexes over a loaded catalog (SDK by class prefix or host, APIs by class), built once
per catalog on first use: the `Catalog` stays a frozen value, the indexes live here.

Duck-typed on the catalog (its `sdks` and `apis` mappings) so the types module can call in here
without an import cycle.
"""
from __future__ import annotations

import weakref
from typing import Any, Callable, Optional

# Keyed by id() with a weak reference to check identity: a collected catalog's id may be reused by
# a new one.
_INDEXES: dict[tuple[str, int], tuple[Any, Any]] = {}


def _cached(kind: str, cat, build: Callable[[], Any]):
    key = (kind, id(cat))
    hit = _INDEXES.get(key)
    if hit is None or hit[0]() is not cat:
        hit = (weakref.ref(cat), build())
        _INDEXES[key] = hit
    return hit[1]


def apis_by_class(cat) -> dict:
    """Catalog APIs grouped by their dotted class: {class: (Api, ...)}."""
    def build():
        grouped: dict[str, list] = {}
        for api in cat.apis.values():
            grouped.setdefault(api.cls, []).append(api)
        return {c: tuple(a) for c, a in grouped.items()}
    return _cached("c", cat, build)


def sdk_match(cat, dotted_class: str, own_packages: tuple[str, ...] = (),
              present: frozenset = frozenset()) -> Optional[tuple[Any, str]]:
    """(Sdk, prefix) for the longest SDK prefix that is a package of `dotted_class`, or None.
    Matching is on package boundaries only: "com.umeng" claims "com.umeng.x.Y", not "com.umengx".

    `own_packages` are the app's own packages (manifest package, Application class package). A
    class under one of them is claimed only by a prefix longer than that package: a vendor's demo
    app (com.tencent.bugly.hotfix.MainActivity) or an app sharing a vendor namespace is the app's
    own code, not the SDK that the vendor-wide or equal prefix names.

    A companion prefix (Sdk.companion_prefixes) counts like a prefix, but only for an SDK id in
    `present` (found in the APK by its own prefixes)."""
    by_prefix = _cached("p", cat, lambda: {p: s for s in cat.sdks.values() for p in s.prefixes})
    companions = _cached("q", cat, lambda: {p: s for s in cat.sdks.values()
                                            for p in s.companion_prefixes})
    floor = max((len(p) for p in own_packages if p and dotted_class.startswith(p + ".")),
                default=0)
    name = dotted_class
    while "." in name:
        name = name.rsplit(".", 1)[0]
        if len(name) <= floor:
            return None
        sdk = by_prefix.get(name)
        if sdk is None and present:
            sdk = companions.get(name)
            if sdk is not None and sdk.id not in present:
                sdk = None
        if sdk is not None:
            return sdk, name
    return None


def sdk_for_host(cat, host: str):
    """The Sdk whose hosts list the host or its nearest parent domain, or None."""
    index = _cached("h", cat, lambda: {h: s for s in cat.sdks.values() for h in s.hosts})
    parts = host.lower().rstrip(".").split(".")
    for i in range(len(parts) - 1):
        sdk = index.get(".".join(parts[i:]))
        if sdk is not None:
            return sdk
    return None
