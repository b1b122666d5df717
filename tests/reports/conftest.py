"""Shared pieces of the report tests: the hostile full bundle and a headless Chromium page."""
from __future__ import annotations

from pathlib import Path

import pytest

from privascope.model import Bundle, from_json
from tests.conftest import CHROMIUM, open_page  # noqa: F401  (the session browser is in tests/conftest.py)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PAYLOAD_MARKERS = ('alert("x1")', 'onerror=alert("x2")')


@pytest.fixture(scope="session")
def report_catalog(catalog):
    return catalog


@pytest.fixture(scope="session")
def hostile_bundle(report_catalog) -> Bundle:
    from privascope.rules import evaluate

    raw = (FIXTURES / "hostile_full_bundle.json").read_text(encoding="utf-8")
    return evaluate(from_json(Bundle, raw), catalog=report_catalog)
