"""Fixtures for the batch tests: small real APKs copied from the corpus into tmp (never into
the repository) and the broken-APK set generated from them."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.batch.broken_apks import generate_all

SMALL = ("umeng_CNZZ.apk", "androguard_politedroid_4.apk", "ubcbench_HardCodedLocationTest.apk")


@pytest.fixture(scope="session")
def small_apks(corpus_dir, tmp_path_factory) -> list[Path]:
    out = tmp_path_factory.mktemp("small")
    paths = []
    for name in SMALL:
        src = corpus_dir / name
        if not src.is_file():
            pytest.skip(f"corpus APK {name} missing")
        paths.append(Path(shutil.copy(src, out / name)))
    return paths


@pytest.fixture(scope="session")
def base_apk(small_apks) -> Path:
    return small_apks[0]


@pytest.fixture(scope="session")
def broken_dir(base_apk, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("broken")
    generate_all(base_apk, out)
    return out


def tree(root: Path) -> set[str]:
    """Every path under root (files and directories), for before/after comparisons."""
    return {str(p.relative_to(root)) for p in root.rglob("*")}
