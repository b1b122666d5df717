"""Fixtures shared by every test package."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# The third-party corpus lives beside the repository (../shared/corpus), read-only.
CORPUS = Path(os.environ.get("PRIVASCOPE_CORPUS", REPO.parent / "shared" / "corpus"))
SAMPLES_BUILD = REPO / "samples" / "build"


@pytest.fixture(scope="session")
def catalog():
    from privascope.catalog import load_catalog

    return load_catalog()


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"third-party corpus not found at {CORPUS}")
    return CORPUS


@pytest.fixture(scope="session")
def samples_build() -> Path:
    """Sample APKs and the JVM host app, built by `make samples` (part of `make test`)."""
    if not SAMPLES_BUILD.is_dir():
        pytest.fail("samples/build is missing: run `make samples` (make test does it)")
    return SAMPLES_BUILD
