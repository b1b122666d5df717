"""Finding fingerprints: a pure function of what identifies the problem (rule, package, SDK, PI
types, key); through the engine, unchanged by times, counts and evidence ids, changed by the
evidence that defines the finding."""
from __future__ import annotations

import dataclasses
import re

import pytest

from privascope.model import ConsentPhase, Destination
from privascope.rules import evaluate
from privascope.rules.fingerprint import fingerprint
from privascope.rules.suppressions import load_suppressions
from tests.rules.evaluators.bundles import bundle, event, flow, match, runtime

BASE = ("PS101", "com.example", "umeng-common", ("device.imei",), "")


def test_pure_and_short_hex():
    fp = fingerprint(*BASE)
    assert fp == fingerprint(*BASE) and re.fullmatch(r"[0-9a-f]{24}", fp)
    # what a user pastes into a suppression file is accepted there
    assert load_suppressions([{"rule": "PS101", "fingerprint": fp, "reason": "r"}])


def test_pi_type_order_and_duplicates_do_not_matter():
    a = fingerprint("PS202", "p", "s", ["b", "a", "a"], "k")
    assert a == fingerprint("PS202", "p", "s", ("a", "b"), "k")
    assert a == fingerprint("PS202", "p", "s", iter(["a", "b"]), "k")  # any iterable


@pytest.mark.parametrize("index,other", [(0, "PS102"), (1, "com.other"), (2, None),
                                         (2, "jpush"), (3, ("device.android_id",)),
                                         (3, ()), (4, "log.umeng.com")])
def test_each_identifying_part_changes_it(index, other):
    parts = list(BASE)
    parts[index] = other
    assert fingerprint(*parts) != fingerprint(*BASE)


def test_parts_cannot_slide_into_each_other():
    # the separator keeps ("ab", "c") and ("a", "bc") apart
    assert fingerprint("PS1", "ab", "c", (), "") != fingerprint("PS1", "a", "bc", (), "")


def _fps(b, code):
    return sorted(f.fingerprint for f in evaluate(b).findings if f.rule == code)


def test_engine_fingerprints_ignore_times_ids_and_counts(catalog):
    before = ConsentPhase.BEFORE
    one = bundle(kinds=("runtime",), runtime=runtime([event("r1", t=1, sdk="umeng-common",
                                                            phase=before)]))
    many = bundle(kinds=("runtime",), runtime=runtime(
        [event(f"x{i}", t=50 + i, sdk="umeng-common", phase=before) for i in range(4)]))
    assert _fps(one, "PS101") == _fps(many, "PS101") and len(_fps(one, "PS101")) == 1
    # a second PI type read by that SDK is a second problem with its own fingerprint
    two = bundle(kinds=("runtime",), runtime=runtime(
        [event("r1", sdk="umeng-common", phase=before),
         event("r2", sdk="umeng-common", phase=before, pi="device.android_id",
               api="android.provider.Settings$Secure.getString")]))
    assert set(_fps(one, "PS101")) < set(_fps(two, "PS101"))


def test_per_sdk_summary_keeps_its_fingerprint_when_more_pi_appears(catalog):
    """PS202 is one finding per SDK: a new PI type in the same SDK's traffic must not turn it
    into a "new" finding that escapes a suppression or a CI baseline."""
    def traffic(*matches, host="a.umeng.com", sdk="umeng-common"):
        return bundle(kinds=("traffic",), traffic=(flow("t1", host, *matches, sdk=sdk),))

    base = _fps(traffic(match()), "PS202")
    assert len(base) == 1
    assert _fps(traffic(match(), match("location.precise")), "PS202") == base
    assert _fps(traffic(match(), host="b.umeng.com"), "PS202") == base
    assert _fps(traffic(match(), sdk="jpush"), "PS202") != base
    # hosts no SDK claims: the host is the key
    unclaimed = [_fps(traffic(match(), host=h, sdk=None), "PS202") for h in ("x.cn", "y.cn")]
    assert unclaimed[0] != unclaimed[1]


def test_same_problem_in_another_app_is_another_fingerprint(catalog):
    b = bundle(kinds=("traffic",), traffic=(flow("t1", "h.cn", match(), scheme="http",
                                                 dest=Destination.UNKNOWN),))
    other = dataclasses.replace(b, app=dataclasses.replace(b.app, package="com.other"))
    assert _fps(b, "PS203") and set(_fps(b, "PS203")).isdisjoint(_fps(other, "PS203"))
