"""A short, bounded fuzz inside `make test` (hypothesis): mutated dex bytes and mutated
AndroidManifest.xml bytes must be rejected with a one-line DexError/ScanError or scanned —
any other exception is a robustness bug. `make fuzz` runs the long, coverage-guided version."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.targets import SEED_APK, check_dex, check_manifest, seed_input

pytestmark = pytest.mark.skipif(not SEED_APK.is_file(), reason="third-party corpus not available")


@st.composite
def mutated(draw, target: str):
    data = bytearray(seed_input(target))
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["set", "word", "cut", "splice"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if kind == "set" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "word" and len(data) >= 4:
            at &= ~3
            data[at:at + 4] = draw(st.sampled_from(
                [b"\xff\xff\xff\xff", b"\xff\xff\xff\x7f", b"\x00\x00\x00\x80", b"\0\0\0\0"]))
        elif kind == "cut":
            del data[at:]
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=32))
    return bytes(data)


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=mutated("dex"))
def test_dex_reader_survives_mutations(data):
    check_dex(data)


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(data=mutated("manifest"))
def test_manifest_path_survives_mutations(data, tmp_path):
    check_manifest(data, tmp_path)
