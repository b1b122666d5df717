"""Finding fingerprints: stable across re-runs, so suppressions and CI baselines keep working.

Built only from what identifies the problem (rule, app package, SDK, PI type, API/host key),
never from times, counts or evidence ids, which change from run to run.
"""
from __future__ import annotations

import hashlib
from typing import Iterable, Optional


def fingerprint(rule: str, package: str, sdk: Optional[str], pi_types: Iterable[str],
                key: str = "") -> str:
    parts = [rule, package, sdk or "-", ",".join(sorted(set(pi_types))), key]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:24]
