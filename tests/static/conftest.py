"""Fixtures of the static scanner tests: one scan per sample APK per session."""
from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def static_catalog():
    """The project catalog. PRIVASCOPE_TEST_CATALOG points at another catalog directory (used
    while the catalog files are being edited); CI never sets it."""
    from privascope.catalog import load_catalog

    return load_catalog(os.environ.get("PRIVASCOPE_TEST_CATALOG") or None)


@pytest.fixture(scope="session")
def sample_scan(samples_build, static_catalog):
    from privascope.static.scan import scan_apk

    cache = {}

    def scan(name: str):
        if name not in cache:
            path = samples_build / f"{name}.apk"
            if not path.exists():
                pytest.fail(f"{path} missing: run `make samples`")
            cache[name] = scan_apk(path, static_catalog)
        return cache[name]

    return scan
