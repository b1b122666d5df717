"""Which SDK made a runtime call: walk the Java stack from the API outward and take the first
frame that is neither the platform/framework nor the hooked method itself; map it to an SDK by
the catalog's class prefixes, else it is the app's own code (None). Which packages are framework
is catalog data (attribution.yaml).

The nearest non-framework frame wins, so "app -> SDK -> API" is the SDK and "SDK -> app
callback -> API" is the app. (Camille-style "any SDK prefix anywhere in the stack" would blame
the SDK for the app's own reads.)
"""
from __future__ import annotations

import functools
import re
from typing import Optional, Sequence

from privascope.catalog import Catalog

_FRAME = re.compile(r"^\s*(?:at\s+)?(?P<qual>[\w$.<>/]+?)\.(?P<method>[\w$<>]+)\((?P<loc>[^)]*)\)\s*$")


@functools.lru_cache(maxsize=65536)  # stacks repeat the same frames over and over
def _parse(frame: str) -> Optional[tuple[str, str]]:
    m = _FRAME.match(frame)
    if not m:
        return None
    cls = m.group("qual").rsplit("/", 1)[-1]
    return cls, f"{cls}.{m.group('method')}"


def frame_class(frame: str) -> Optional[str]:
    """'com.a.B.m(B.java:3)' -> 'com.a.B'. Also accepts module-qualified JDK 9+ frames
    ('java.base/java.lang.Thread.run(Thread.java:833)'). None when it is not a Java frame."""
    parsed = _parse(frame)
    return parsed[0] if parsed else None


def is_framework(cls: str, catalog: Catalog) -> bool:
    """Platform and language runtime classes (catalog attribution.yaml), never the caller."""
    return cls.startswith(catalog.framework_prefixes)


def attribute(stack: Sequence[str], catalog: Catalog, hooked: Optional[str] = None,
              own_packages: tuple[str, ...] = ()) -> tuple[Optional[str], Optional[str]]:
    """-> (sdk id or None for the app, the frame that decided). Frames of the hooked method
    itself (`hooked` = "cls.member", "<init>" for constructors) are skipped: for an SDK's own
    API (e.g. an OAID supplier) the hooked frame carries the SDK prefix but is not the caller.
    `own_packages`: the app's own packages, which a vendor-wide SDK prefix never claims (as in the
    static scan: a vendor's demo app is the app, not the SDK)."""
    for frame in stack:
        parsed = _parse(frame)
        if parsed is None:
            continue
        cls, member = parsed
        if hooked is not None and member == hooked:
            continue
        if is_framework(cls, catalog):
            continue
        sdk = catalog.sdk_for_class(cls, own_packages)
        return (sdk.id if sdk is not None else None), frame
    return None, None
