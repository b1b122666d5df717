"""What every evaluator shares: the Context's catalog lookups and relative times, stable
grouping, capped joins, short API names, and bilingual text params (phrase / text_problem)."""
from __future__ import annotations

import pytest

from privascope.rules.errors import RuleConfigError
from privascope.rules.evaluators.base import (
    group_by, joined, phrase, short_api, text_problem,
)
from tests.rules.evaluators.bundles import T0, ctx, permission, runtime


def test_protection_level_catalog_first_then_the_scanner_then_unknown(catalog):
    c = ctx(catalog, permissions=(permission("com.vendor.permission.X", level="signature"),
                                  permission("android.permission.CAMERA", level="normal")))
    assert c.protection_level("android.permission.CAMERA") == "dangerous"  # catalog wins
    assert c.protection_level("com.vendor.permission.X") == "signature"
    assert c.protection_level("com.vendor.permission.Y") == "unknown"


def test_immutable_ids_come_from_the_catalog(catalog):
    c = ctx(catalog)
    assert c.is_immutable_id("device.imei") and not c.is_immutable_id("device.android_id")
    assert not c.is_immutable_id("no.such.pi")


def test_relative_times_from_the_runtime_start(catalog):
    c = ctx(catalog, kinds=("runtime",), runtime=runtime())
    assert c.rel_time(T0 + 12.345) == "12.3s"
    assert c.rel_time(T0 - 5) == "0.0s"  # clock skew never gives negative times
    assert ctx(catalog).rel_time(T0 + 99) == "0.0s"  # no runtime evidence: no reference point


def test_group_by_keeps_first_seen_order():
    groups = group_by(["b1", "a1", "b2", "c1", "a2"], lambda s: s[0])
    assert list(groups) == ["b", "a", "c"] and groups["b"] == ["b1", "b2"]
    assert group_by([], len) == {}


def test_joined_distinct_in_order_and_capped():
    assert joined(["x", "y", "x", "", None, "z"]) == "x, y, z"
    assert joined([str(i) for i in range(8)], limit=3) == "0, 1, 2 (+5)"
    assert joined([]) == ""


@pytest.mark.parametrize("api,short", [
    ("android.telephony.TelephonyManager.getDeviceId", "TelephonyManager.getDeviceId"),
    ("android.provider.Settings$Secure.getString", "Settings$Secure.getString"),
    ("Build.SERIAL", "Build.SERIAL"),
    ("uri:content://com.android.contacts/data", "uri:content://com.android.contacts/data"),
])
def test_short_api(api, short):
    assert short_api(api) == short


def test_phrase_fills_both_languages():
    params = {"texts": {"reason": {"zh": "目标版本={target}", "en": "target={target}"}}}
    assert phrase(params, "texts.reason", target=27) == {"zh": "目标版本=27", "en": "target=27"}
    assert text_problem(params, "texts.reason") is None


@pytest.mark.parametrize("value,message", [
    (None, "exactly the languages"),
    ({"zh": "只有中文"}, "exactly the languages"),
    ({"zh": "中", "en": "  "}, "exactly the languages"),
    ({"zh": "{a}", "en": "{b}"}, "different placeholders"),
])
def test_bad_text_params(value, message):
    params = {"t": value}
    assert message in text_problem(params, "t")
    with pytest.raises(RuleConfigError, match=message):
        phrase(params, "t")
