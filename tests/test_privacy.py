"""Masking and digests: a preview never reveals more than a short head and tail, a digest is a
keyed HMAC that never contains the value, and the run salt keeps digests apart across runs
unless PRIVASCOPE_SALT is set."""
from __future__ import annotations

import hashlib
import hmac
import os
import re
import subprocess
import sys

from hypothesis import given, settings, strategies as st

from privascope.model import to_json
from privascope.privacy import digest, mask, masked
from tests.conftest import REPO

IMEI = "860000000000123"


def _revealed(preview: str) -> int:
    return sum(1 for c in preview if c != "*")


def test_mask_examples():
    assert mask(IMEI) == "86*********0123"
    assert mask("") == "" and mask("1234") == "****"
    assert mask("12345") == "1***5" and mask("12345678") == "1******8"
    assert mask("123456789") == "1******89" and mask("12345678901") == "1********01"
    assert mask("123456789012") == "12******9012"
    assert mask("张三丰先生好") == "张****好"  # characters, not bytes


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters="*"), max_size=80))
def test_mask_never_reveals_more_than_head_and_tail(value):
    preview = mask(value)
    assert len(preview) == len(value)
    n = len(value)
    # at most 6 characters, and at least half of the value stays hidden
    assert _revealed(preview) <= min(6, n // 2)
    # the revealed characters are a head and a tail: no run longer than 4 of the value shows
    assert max((len(r) for r in preview.split("*")), default=0) <= 4
    if n > 4:
        assert "*" in preview[1:-1] and value not in preview


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=60))
def test_digest_is_the_keyed_hmac_and_never_the_value(value):
    salt = b"fixed-test-salt!"
    d = digest(value, salt)
    expected = hmac.new(salt, value.encode("utf-8"), hashlib.sha256).hexdigest()[:32]
    assert d == "hmac-sha256:" + expected
    assert re.fullmatch(r"hmac-sha256:[0-9a-f]{32}", d)
    # the unkeyed hash (what a lookup table would hold) is not what we publish
    assert hashlib.sha256(value.encode("utf-8")).hexdigest()[:32] not in d


def test_digest_separates_values_and_salts():
    assert digest(IMEI, b"a") == digest(IMEI, b"a")
    assert digest(IMEI, b"a") != digest(IMEI, b"b")
    assert digest(IMEI, b"a") != digest(IMEI[:-1] + "4", b"a")
    # without an explicit salt, the run salt: stable within the process
    assert digest(IMEI) == digest(IMEI) != digest(IMEI, b"")


def test_masked_value_carries_only_digest_preview_and_length():
    mv = masked(IMEI, b"s")
    assert (mv.digest, mv.preview, mv.length) == (digest(IMEI, b"s"), mask(IMEI), 15)
    assert IMEI not in to_json(mv) and IMEI[2:11] not in to_json(mv)


def _run_digest(env_salt):
    env = {k: v for k, v in os.environ.items() if k != "PRIVASCOPE_SALT"}
    if env_salt is not None:
        env["PRIVASCOPE_SALT"] = env_salt
    out = subprocess.run([sys.executable, "-c",
                          f"from privascope.privacy import digest; print(digest({IMEI!r}))"],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=True)
    return out.stdout.strip()


def test_run_salt_is_random_unless_privascope_salt_is_set():
    assert _run_digest(None) != _run_digest(None)  # 16 random bytes per run
    fixed = _run_digest("team-salt")
    assert fixed == _run_digest("team-salt") == digest(IMEI, b"team-salt")
