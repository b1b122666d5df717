"""Replays every input the fuzzers ever crashed on (tests/fuzz/regressions/<target>/*.bin):
each must now be rejected cleanly (one-line DexError/ScanError) or scanned."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz.targets import SEED_APK, TARGETS

REGRESSIONS = Path(__file__).resolve().parent / "regressions"
CASES = sorted(REGRESSIONS.glob("*/*.bin"))


@pytest.mark.skipif(not SEED_APK.is_file(), reason="third-party corpus not available")
@pytest.mark.parametrize("path", CASES, ids=[f"{p.parent.name}/{p.name}" for p in CASES])
def test_regression_input_is_handled(path: Path, tmp_path: Path):
    TARGETS[path.parent.name](path.read_bytes()) if path.parent.name == "dex" else \
        TARGETS[path.parent.name](path.read_bytes(), tmp_path)


def test_regression_inputs_exist():
    # the directory is the fuzzers' memory: losing it would silently drop every regression
    assert any(REGRESSIONS.glob("dex/*.bin"))


def test_mutf8_invalid_bytes_decode_without_error():
    from privascope.static.dex import decode_mutf8

    # lone continuation and invalid start bytes: seen by the fuzzer in a string_data_item
    assert decode_mutf8(b"ab\xa4\xff") == "ab\ufffd\ufffd"
    assert decode_mutf8(b"\xed\xa0\x80x") .endswith("x")  # lone surrogate (CESU-8 half)
