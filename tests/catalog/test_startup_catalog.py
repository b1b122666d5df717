"""startup.yaml: SDK init/deferred/consent APIs with sources, async edges, consent flags."""
from __future__ import annotations

import copy

import pytest
import yaml

from privascope.catalog import CATALOG_DIR, CatalogError, load_catalog
from privascope.catalog.startup import parse_startup, startup_catalog


@pytest.fixture(scope="module")
def doc():
    return yaml.safe_load((CATALOG_DIR / "startup.yaml").read_text(encoding="utf-8"))


def test_real_file_loads_and_covers_the_major_sdks():
    cat = load_catalog()
    s = startup_catalog(cat)
    by_sdk = {}
    for a in s.apis:
        by_sdk.setdefault(a.sdk, set()).add((a.role, a.target))
        assert a.source.startswith("https://") and a.sdk in cat.sdks
    assert ("deferred", "com.umeng.commonsdk.UMConfigure.preInit") in by_sdk["umeng-common"]
    assert ("consent", "com.umeng.commonsdk.UMConfigure.submitPolicyGrantResult") \
        in by_sdk["umeng-common"]
    assert ("consent", "cn.jpush.android.api.JPushInterface.setAuth") in by_sdk["jpush"]
    assert ("consent", "com.amap.api.maps.MapsInitializer.updatePrivacyAgree") \
        in by_sdk["amap-map3d"]
    for sdk in ("getui-push", "tencent-bugly", "tencent-gdt", "pangle", "baidu-location",
                "sensorsdata", "firebase-common"):
        assert sdk in by_sdk, sdk
    assert [p.cls for p in s.providers] == ["com.google.firebase.provider.FirebaseInitProvider"]
    assert {e.cls for e in s.async_edges} >= {"java.lang.Thread", "android.os.Handler",
                                              "android.os.AsyncTask", "java.util.Timer"}
    # the words of a saved consent flag live with the rest of the consent vocabulary
    assert {"隐私", "privacy", "agree"} <= set(cat.consent.consent_flag_words)
    assert ("android.content.SharedPreferences", "getBoolean") in s.flag_readers


@pytest.mark.parametrize("mutate,message", [
    (lambda d: d["sdk_apis"][0].update(sdk="no-such-sdk"), "not in sdks.yaml"),
    (lambda d: d["sdk_apis"][0].update(init=["UMConfigure"]), "not 'dotted.Class.method'"),
    (lambda d: d["sdk_apis"][0].update(source="developer.umeng.com"), "https URL"),
    (lambda d: d["sdk_apis"][0].pop("verified"), "'verified'"),
    (lambda d: d["sdk_apis"][0].update(colour="red"), "unknown keys"),
    (lambda d: d["sdk_apis"][1].update(init=d["sdk_apis"][0]["init"]), "already listed"),
    (lambda d: d["async_edges"][0].pop("callbacks"), "class, methods, callbacks"),
    (lambda d: d.update(consent_flag_readers=[]), "non-empty list"),
    (lambda d: d.update(consent_flag_words=["privacy"]), "unknown top-level"),
    (lambda d: d.update(extra=1), "unknown top-level"),
])
def test_bad_entries_are_rejected(doc, mutate, message):
    broken = copy.deepcopy(doc)
    mutate(broken)
    with pytest.raises(CatalogError, match=message):
        parse_startup(broken, set(load_catalog().sdks))


def test_load_catalog_validates_startup_yaml(tmp_path):
    """The one loader reads startup.yaml with the rest: a bad entry fails load_catalog itself,
    and the file counts in the catalog's versions (and so its fingerprint)."""
    assert "startup" in load_catalog().versions
    for src in CATALOG_DIR.glob("*.yaml"):
        (tmp_path / src.name).write_bytes(src.read_bytes())
    bad = yaml.safe_load((CATALOG_DIR / "startup.yaml").read_text(encoding="utf-8"))
    bad["sdk_apis"][0]["sdk"] = "no-such-sdk"
    (tmp_path / "startup.yaml").write_text(yaml.safe_dump(bad, allow_unicode=True),
                                           encoding="utf-8")
    load_catalog.cache_clear()
    try:
        with pytest.raises(CatalogError, match=r"startup\.yaml: sdk_apis\[0\].*not in sdks"):
            load_catalog(str(tmp_path))
    finally:
        load_catalog.cache_clear()
