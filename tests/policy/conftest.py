"""Test policies (fixtures/, written for these tests, zh and en) and their hand-made gold labels."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def gold() -> dict:
    return yaml.safe_load((FIXTURES / "gold.yaml").read_text(encoding="utf-8"))


def device_group(catalog) -> set[str]:
    """The PI types the umbrella word 设备标识符 / device identifiers names (gold shorthand)."""
    return set(catalog.policy_terms.pi_terms["设备标识符"])


def expand(names, catalog) -> set[str]:
    out: set[str] = set()
    for n in names or ():
        out |= device_group(catalog) if n == "device_identifiers" else {n}
    return out


@pytest.fixture(scope="session")
def policy_catalog(catalog):
    return catalog
