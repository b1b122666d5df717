"""Fixtures for the rules tests: evidence bundles written against the model (fixtures/*.json)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def rules_catalog(catalog):
    return catalog


def catalog_dir() -> Path:
    from privascope.catalog import CATALOG_DIR

    return Path(CATALOG_DIR)


def fixture_files() -> list[Path]:
    return sorted(FIXTURES.glob("PS*.json"))


def load_fixture(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))
