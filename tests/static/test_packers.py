"""Packer (加固) detection from entry names and class names, called directly: file patterns,
class prefixes on package/nested-class boundaries, bounded evidence."""
from __future__ import annotations

from privascope.static.packers import detect_packers

JIAGU_SO = "lib/arm64-v8a/libjiagu_a64.so"


def test_file_pattern_and_stub_class_are_both_evidence(catalog):
    (hit,) = detect_packers([JIAGU_SO, "classes.dex", "assets/.appkey"],
                            ["com.example.Main", "com.stub.StubApp"], catalog)
    assert hit.id == "jiagu360" and hit.name == catalog.packers["jiagu360"].name
    assert set(hit.evidence) == {f"file {JIAGU_SO}", "file assets/.appkey",
                                 "class com.stub.StubApp"}


def test_class_prefix_matches_package_and_nested_classes_only(catalog):
    def classes_of(*names):
        return [e for h in detect_packers([], names, catalog) for e in h.evidence]

    assert classes_of("com.stub.StubApp$1") == ["class com.stub.StubApp$1"]
    assert classes_of("com.stub.StubApp.inner.Loader") == ["class com.stub.StubApp.inner.Loader"]
    assert classes_of("com.stub.StubAppX", "com.stub.StubAp", "xcom.stub.StubApp") == []


def test_evidence_is_capped(catalog):
    names = [f"assets/libjiagu_{i}.so" for i in range(20)]
    classes = [f"com.stub.StubApp${i}" for i in range(20)]
    (hit,) = detect_packers(names, classes, catalog)
    files = [e for e in hit.evidence if e.startswith("file ")]
    kinds = [e for e in hit.evidence if e.startswith("class ")]
    assert len(files) <= 5 * len(catalog.packers["jiagu360"].files)
    assert 0 < len(kinds) <= 5


def test_two_packers_are_both_named(catalog):
    hits = detect_packers([JIAGU_SO, "lib/armeabi/libshella-2.10.so"], [], catalog)
    assert {h.id for h in hits} == {"jiagu360", "tencent_legu"}


def test_ordinary_app_has_no_packer(catalog, samples_build):
    import zipfile

    from privascope.static.dex import DexFile, descriptor_to_java

    with zipfile.ZipFile(samples_build / "sdk.apk") as zf:
        names = zf.namelist()
        dex = DexFile(zf.read("classes.dex"))
    classes = [descriptor_to_java(d) for d in dex.class_descriptors()]
    assert classes and detect_packers(names, classes, catalog) == ()
    # a library named like a packer's but not matching its pattern is not evidence
    assert detect_packers(["lib/arm64-v8a/libjiagux.so.bak", "assets/jiagu.txt"], [], catalog) == ()
