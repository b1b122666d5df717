"""policy_terms.yaml is validated by the catalog loader: every PI type, SDK, vendor, permission
and category it names exists, term lists are lists of words, and the flattened tables hold what
the reader relies on."""
from __future__ import annotations

import copy

import pytest
import yaml

from privascope.catalog import CATALOG_DIR
from privascope.catalog.policy_terms import PolicyTermsError, load_policy_terms


@pytest.fixture(scope="module")
def doc():
    return yaml.safe_load((CATALOG_DIR / "policy_terms.yaml").read_text(encoding="utf-8"))


def _load(doc, catalog):
    return load_policy_terms(doc, catalog.pi_types, catalog.sdks, catalog.permissions)


@pytest.mark.parametrize("mutate,message", [
    (lambda d: d["pi_types"].update({"device.nope": {"zh": ["x"], "en": ["x"]}}), "device.nope"),
    (lambda d: d["pi_types"]["device.imei"].pop("en"), "languages"),
    (lambda d: d["pi_types"]["device.imei"].update(zh=[""]), "non-empty strings"),
    (lambda d: d["groups"][0]["pi_types"].append("nope"), "unknown PI types"),
    (lambda d: d["sdk_aliases"].update({"no-such-sdk": ["X"]}), "no-such-sdk"),
    (lambda d: d["vendors"].update({"Nobody Inc.": ["nobody"]}), "Nobody Inc."),
    (lambda d: d["base_components"].append("no-such-sdk"), "base_components"),
    (lambda d: d["exempt_categories"].append("toys"), "exempt_categories"),
    (lambda d: d["permissions"].update({"android.permission.NOPE": {"zh": ["x"], "en": ["x"]}}),
     "android.permission.NOPE"),
    (lambda d: d["statements"].pop("children"), "statements"),
    (lambda d: d["sdk_table_columns"].pop("pi"), "sdk_table_columns"),
    (lambda d: d.update(colour="red"), "unknown keys"),
])
def test_bad_edits_fail_with_the_entry(doc, catalog, mutate, message):
    bad = copy.deepcopy(doc)
    mutate(bad)
    with pytest.raises(PolicyTermsError, match=message):
        _load(bad, catalog)


def test_loaded_with_the_catalog(catalog):
    t = catalog.policy_terms
    assert "policy_terms" in catalog.versions
    assert t.pi_terms["imei"] == ("device.imei",)
    assert t.pi_terms["剪贴板"] == ("clipboard",)  # synonyms per type, zh and en
    assert set(t.pi_terms["位置信息"]) == {"location.precise", "location.coarse"}
    assert t.sdk_terms["友盟统计"] == "umeng-analytics"
    assert t.sdk_terms["腾讯地图"] == "tencent-map"  # catalog name without " SDK"
    assert "segment" not in t.sdk_terms and "name" not in t.pi_terms  # common words
    assert t.vendor_terms["友盟"] == "Umeng (Alibaba)"
    assert "android.permission.CAMERA" in t.permission_terms["相机权限"]
