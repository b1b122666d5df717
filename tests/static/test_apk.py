"""The androguard adapter (read_apk) on the sample apps and corpus APKs: manifest, permissions,
components with the platform's exported rule, network security config, certificates (checked
against keytool/apksigner and aapt, independent readers); damaged parts are errors, not crashes."""
from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile

import pytest

from privascope.static.apk import ANDROID_NS, ApkReadError, _bool, _components, _int, read_apk

CORPUS_APKS = ("pivaa.apk", "yichou_UmengDemo.apk", "amap_3d_demo.apk")
# aapt's dump of a name (a string) or an exported flag (type 0x12 = boolean)
_ATTR = re.compile(r'A: android:(name|exported)\(0x[0-9a-f]+\)='
                   r'(?:"([^"]*)"|\(type 0x12\)(0x[0-9a-f]+))')


@pytest.fixture(scope="module")
def facts(samples_build):
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = read_apk(str(samples_build / f"{name}.apk"))
        return cache[name]
    return get


def test_sdk_sample_manifest_and_permissions(facts):
    f = facts("sdk")
    assert (f.package, f.label, f.version_name, f.version_code) == (
        "com.example.sdkapp", "SDK Sample", "1.2.0", "3")
    assert (f.min_sdk, f.target_sdk) == (21, 28)
    assert f.permissions == sorted(f.permissions) and len(set(f.permissions)) == len(f.permissions)
    assert "android.permission.READ_PHONE_STATE" in f.permissions
    assert f.declared_permissions == ["com.example.sdkapp.permission.PUSH"]
    assert (f.debuggable, f.allow_backup, f.uses_cleartext_traffic) == (False, True, None)
    assert "请阅读《隐私政策》和《用户协议》后继续" in f.resource_strings
    assert f.errors == []


def test_components_follow_the_platform_exported_rule(facts):
    got = {(c.kind, c.name.rsplit(".", 1)[-1], c.exported) for c in facts("sdk").components}
    assert got == {
        ("activity", "MainActivity", True),  # explicit
        ("receiver", "BootReceiver", True),  # no attribute, intent filter, targetSdk 28
        ("service", "UploadService", False),  # no attribute, no intent filter
        ("provider", "DataProvider", False),  # explicit false
    }


def test_network_security_config_is_resolved_and_parsed(facts):
    f = facts("sdk")
    assert f.network_security_config == "res/xml/network_security_config.xml"
    assert f.nsc_base_cleartext is False
    assert f.nsc_cleartext_domains == ["log.sdkapp.example.com"]
    clean = facts("clean")
    assert (clean.network_security_config, clean.nsc_base_cleartext,
            clean.nsc_cleartext_domains) == (None, None, [])


def test_hostile_sample_flags_and_label_verbatim(facts):
    f = facts("hostile")
    assert f.debuggable is True and f.uses_cleartext_traffic is True
    assert f.allow_backup is None  # not declared: the platform default applies
    assert f.label.startswith("Hostile <script>")  # kept as is; the renderers escape it
    assert facts("clean").allow_backup is False and facts("clean").permissions == []


def test_certificate_matches_keytool(facts, samples_build):
    if not shutil.which("keytool"):
        pytest.skip("keytool (JDK) not installed")
    out = subprocess.run(["keytool", "-printcert", "-jarfile", str(samples_build / "sdk.apk")],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    want = re.search(r"SHA256: ([0-9A-F:]+)", out).group(1).replace(":", "").lower()
    (cert,) = facts("sdk").certificates
    assert cert.sha256 == want
    assert "privascope sample" in cert.subject and cert.subject == cert.issuer  # self-signed
    assert cert.not_before < cert.not_after and cert.not_before[:4].isdigit()


def test_corpus_certificate_matches_apksigner(corpus_dir):
    if not shutil.which("apksigner"):
        pytest.skip("apksigner not installed")
    apk = corpus_dir / "pivaa.apk"
    out = subprocess.run(["apksigner", "verify", "--print-certs", str(apk)],
                         capture_output=True, text=True, timeout=120).stdout
    digests = re.findall(r"certificate SHA-256 digest: ([0-9a-f]{64})", out)
    assert digests and [c.sha256 for c in read_apk(str(apk)).certificates] == digests


def _aapt_components(apk) -> tuple[int, dict[tuple[str, str], tuple[bool | None, bool]]]:
    """(targetSdk, {(tag, name): (explicit exported or None, has intent filter)}) from aapt's
    own manifest dump."""
    out = subprocess.run(["aapt", "dump", "xmltree", str(apk), "AndroidManifest.xml"],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    target, comps, current, depth = None, {}, None, None
    for line in out.splitlines():
        indent = len(line) - len(line.lstrip())
        text = line.strip()
        if current is not None and indent <= depth:
            current = None
        if text.startswith("E: "):
            tag = text[3:].split(" ")[0]
            if tag in ("activity", "activity-alias", "service", "receiver", "provider"):
                current = {"tag": tag, "name": None, "exported": None, "filter": False}
                depth = indent
                comps[id(current)] = current
            elif tag == "intent-filter" and current is not None:
                current["filter"] = True
        elif text.startswith("A: android:targetSdkVersion"):
            target = int(text.rsplit(")", 1)[1], 16)
        elif current is not None and indent == depth + 2:
            m = _ATTR.match(text)
            if m and m.group(1) == "name":
                current["name"] = m.group(2)
            elif m:
                current["exported"] = int(m.group(3), 16) != 0
    return target, {(c["tag"], c["name"]): (c["exported"], c["filter"]) for c in comps.values()}


@pytest.mark.parametrize("name", CORPUS_APKS)
def test_corpus_components_agree_with_aapt(corpus_dir, name):
    if not shutil.which("aapt"):
        pytest.skip("aapt not installed")
    target, want = _aapt_components(corpus_dir / name)
    got = read_apk(str(corpus_dir / name)).components
    assert len(got) == len(want) and got
    for c in got:
        tag = c.kind if (c.kind, c.name) in want else "activity-alias"
        explicit, has_filter = want[(tag, c.name)]
        if explicit is not None:
            assert c.exported is explicit, c
        elif tag == "provider":
            assert c.exported is (target is not None and target <= 16), c
        else:
            assert c.exported is has_filter, c


def _manifest(body: str):
    return ET.fromstring(
        f'<manifest xmlns:android="{ANDROID_NS[1:-1]}">'
        f'<application>{body}</application></manifest>')


def test_exported_defaults_by_target_and_kind():
    m = _manifest('<provider android:name="p.P"/>'
                  '<activity-alias android:targetActivity="a.Main">'
                  '<intent-filter/></activity-alias>'
                  '<service android:name="s.S" android:exported="0xffffffff"/>'
                  '<receiver android:name="r.R" android:exported="@bool/x">'
                  '<intent-filter/></receiver>'
                  '<meta-data android:name="not.a.Component"/>')
    old = {c.name: (c.kind, c.exported) for c in _components(m, 16)}
    assert old == {"p.P": ("provider", True), "a.Main": ("activity", True),
                   "s.S": ("service", True), "r.R": ("receiver", True)}
    # providers stopped being exported by default after API 16; an unknown target says no
    assert [c.exported for c in _components(m, 17) if c.kind == "provider"] == [False]
    assert [c.exported for c in _components(m, None) if c.kind == "provider"] == [False]
    assert _components(None, 30) == [] and _components(ET.fromstring("<manifest/>"), 30) == []


def test_attribute_value_parsing():
    assert [_bool(v) for v in ("true", "TRUE", "-1", "0xffffffff", "1")] == [True] * 5
    assert [_bool(v) for v in ("false", "0", "0x0")] == [False] * 3
    assert _bool(None) is None and _bool("@7f010000") is None  # an unresolved reference
    assert (_int("28"), _int("0x1c"), _int(None), _int("abc")) == (28, 28, None, None)


def _damaged(src, dst, replace):
    with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, "w") as zo:
        for info in zi.infolist():
            data = replace(info.filename, zi.read(info.filename))
            if data is not None:
                zo.writestr(info, data)
    return dst


@pytest.mark.parametrize("part,damage,error", [
    ("resources.arsc", lambda d: d[:4] + b"\xff" * 200, "resources.arsc"),
    ("META-INF/", lambda d: d[:300], "certificates"),
    ("res/xml/network_security_config.xml", lambda d: b"not axml", "network security config"),
])
def test_damaged_part_is_an_error_and_the_rest_is_read(samples_build, tmp_path, part, damage,
                                                       error):
    def replace(name, data):
        hit = name == part or (part.endswith("/") and name.startswith(part)
                               and name.endswith(".RSA"))
        return damage(data) if hit else data

    f = read_apk(str(_damaged(samples_build / "sdk.apk", tmp_path / "d.apk", replace)))
    assert f.package == "com.example.sdkapp"
    assert any(e.startswith(error + ":") for e in f.errors), f.errors
    assert all("\n" not in e for e in f.errors)
    assert "android.permission.READ_PHONE_STATE" in f.permissions  # the manifest still counts
    assert len(f.components) == 4


def test_damaged_part_makes_the_scan_partial_with_the_reason(samples_build, tmp_path,
                                                             static_catalog):
    from privascope.static.scan import scan_apk

    apk = _damaged(samples_build / "sdk.apk", tmp_path / "d.apk",
                   lambda n, d: d[:300] if n.endswith(".RSA") else d)
    b = scan_apk(apk, static_catalog)
    assert b.partial and any(e.startswith("certificates:") for e in b.errors)
    assert b.app.certificates == () and b.api_calls  # code was still scanned


def test_unreadable_manifest_is_apk_read_error(samples_build, tmp_path):
    garbage = b"\x03\x00\x08\x00" + b"\x00" * 64
    bad = _damaged(samples_build / "sdk.apk", tmp_path / "m.apk",
                   lambda n, d: garbage if n == "AndroidManifest.xml" else d)
    with pytest.raises(ApkReadError) as exc:
        read_apk(str(bad))
    assert "\n" not in str(exc.value)


def test_label_without_resources_is_not_a_raw_reference(samples_build, tmp_path):
    f = read_apk(str(_damaged(samples_build / "sdk.apk", tmp_path / "n.apk",
                              lambda n, d: None if n == "resources.arsc" else d)))
    assert f.label is None
    assert any(e.startswith("app label: unresolved resource reference @") for e in f.errors)


def test_scan_records_the_file_digest_and_size(samples_build, static_catalog):
    # read_apk does not hash the file; the scanner's digest must match an independent one
    from privascope.static.scan import scan_apk

    path = samples_build / "clean.apk"
    b = scan_apk(path, static_catalog)
    assert b.app.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert b.app.size_bytes == path.stat().st_size
