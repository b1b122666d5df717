"""open_apk_zip / collect_code called directly: which code is collected (root multidex order,
nested archives, sniffed blobs), what is skipped and said, and clear errors for non-APKs.
(test_scan_input covers the same through scan_apk with the real sample dex files.)"""
from __future__ import annotations

import io
import zipfile

import pytest

from privascope.static import sources
from privascope.static.sources import ZipProblem, collect_code, open_apk_zip

DEX = b"dex\n035\x00" + b"\x00" * 0x100  # collect_code only sniffs the magic


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _collect(members: dict[str, bytes]):
    with zipfile.ZipFile(io.BytesIO(_zip({"AndroidManifest.xml": b"x", **members}))) as zf:
        return collect_code(zf)


def test_root_dex_in_platform_order():
    out = _collect({"classes10.dex": DEX, "classes2.dex": DEX, "classes.dex": DEX,
                    "classes1.dex": DEX, "sub/classes3.dex": DEX})
    assert [n for n, _ in out.dex] == ["classes.dex", "classes1.dex", "classes2.dex",
                                       "classes10.dex", "sub/classes3.dex"]
    assert out.errors == []


def test_nested_code_is_named_by_its_path():
    jar = _zip({"classes.dex": DEX, "lib.jar": _zip({"classes.dex": DEX}), "README": b"x"})
    out = _collect({"assets/plugin.jar": jar})
    assert [n for n, _ in out.dex] == ["assets/plugin.jar!classes.dex",
                                       "assets/plugin.jar!lib.jar!classes.dex"]
    assert all(data == DEX for _, data in out.dex)


def test_extensionless_blobs_are_sniffed_only_where_sdks_hide_them():
    jar = _zip({"payload": DEX})  # no extension inside a nested archive: not sniffed
    out = _collect({"assets/a": DEX, "res/raw/b": DEX, "lib/arm64-v8a/c": DEX,
                    "assets/tiny": DEX[:0x40], "assets/text": b"hello" * 40, "assets/p.jar": jar})
    assert [n for n, _ in out.dex] == ["assets/a", "res/raw/b"]


def test_encrypted_code_like_names_are_skipped_silently():
    out = _collect({"assets/secret.jar": b"\x8a\x91 encrypted " * 20, "assets/x.dex": b"nope"})
    assert out.dex == [] and out.errors == []


def test_oversized_dex_is_an_error_not_a_read(monkeypatch):
    monkeypatch.setattr(sources, "MAX_DEX_BYTES", 2**20)
    out = _collect({"classes.dex": DEX, "classes2.dex": DEX + b"\x00" * 2**20})
    assert [n for n, _ in out.dex] == ["classes.dex"]
    assert out.errors == [f"classes2.dex: cannot read ({2**20 + len(DEX)} bytes is over the "
                          f"1 MB limit)"]


def test_unreadable_nested_archive_is_an_error():
    out = _collect({"assets/broken.jar": b"PK\x03\x04 not really a zip"})
    assert out.dex == [] and len(out.errors) == 1
    assert out.errors[0].startswith("assets/broken.jar: nested archive unreadable")


@pytest.mark.parametrize("content,message", [
    (b"", "not a valid APK: empty file"),
    (b"just text", "not a valid APK: not a zip file"),
    (b"PK\x03\x04" + b"\x00" * 64, "truncated zip"),
    (_zip({"classes.dex": DEX}), "not a valid APK: AndroidManifest.xml missing"),
])
def test_not_an_apk(tmp_path, content, message):
    path = tmp_path / "x.apk"
    path.write_bytes(content)
    with pytest.raises(ZipProblem, match=message) as exc:
        open_apk_zip(path)
    assert "\n" not in str(exc.value)


def test_missing_file_and_directory_name_the_path(tmp_path):
    with pytest.raises(ZipProblem, match="cannot read .*nope.apk"):
        open_apk_zip(tmp_path / "nope.apk")
    with pytest.raises(ZipProblem) as exc:
        open_apk_zip(tmp_path)
    assert str(tmp_path) in str(exc.value) and "\n" not in str(exc.value)


def test_real_sample_opens_and_yields_its_dex(samples_build):
    with open_apk_zip(samples_build / "sdk.apk") as zf:
        out = collect_code(zf)
    assert [n for n, _ in out.dex] == ["classes.dex"] and out.dex[0][1][:4] == b"dex\n"
