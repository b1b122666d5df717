"""Our dex call sites equal what androguard's AnalyzeAPK + xref finds for the same catalog
methods (the benchmark repeats this on the whole corpus and a large multidex APK)."""
from __future__ import annotations

import pytest

from bench._xref_reference import androguard_invoke_sites, our_invoke_sites


@pytest.mark.parametrize("name", ["droidbench_AndroidSpecific_DirectLeak1.apk",
                                  "umeng_CNZZ.apk", "yichou_UmengDemo.apk"])
def test_same_invoke_sites_as_androguard_xref(corpus_dir, static_catalog, name):
    ours = our_invoke_sites(corpus_dir / name, static_catalog)
    theirs = androguard_invoke_sites(corpus_dir / name, static_catalog)
    assert ours, "a comparison of two empty sets proves nothing"
    assert ours == theirs


def test_same_invoke_sites_on_sample(samples_build, static_catalog):
    ours = our_invoke_sites(samples_build / "sdk.apk", static_catalog)
    assert ours == androguard_invoke_sites(samples_build / "sdk.apk", static_catalog)
    # the key-argument API is compared unresolved, so it is there too
    assert any(api.endswith("Settings$Secure.getString") for api, _c, _m in ours)
