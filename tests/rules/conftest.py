"""Fixtures for the rules tests: evidence bundles written against the model (fixtures/*.json)."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def rules_catalog(request):
    # DEV ONLY (removed before the deadline): point at a fuller catalog while clauses.yaml is
    # being written by another helper.
    alt = os.environ.get("PRIVASCOPE_TEST_CATALOG")
    if alt:
        from analyzer.catalog import load_catalog

        return load_catalog(alt)
    return request.getfixturevalue("catalog")


def catalog_dir() -> Path:
    from analyzer.catalog import CATALOG_DIR

    return Path(os.environ.get("PRIVASCOPE_TEST_CATALOG") or CATALOG_DIR)


def fixture_files() -> list[Path]:
    return sorted(FIXTURES.glob("PS*.json"))


def load_fixture(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))
