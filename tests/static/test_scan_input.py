"""Bad input gets one line and exit code 2; damaged parts of a valid APK give a partial bundle;
multidex and nested code are scanned."""
from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from privascope.cli import main as cli_main
from privascope.static.scan import ScanError, scan_apk

REPO = Path(__file__).resolve().parents[2]


def _members(apk: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(apk) as zf:
        return {n: zf.read(n) for n in zf.namelist() if not n.startswith("META-INF/")}


def _write_apk(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _jar(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize("content, message", [
    (b"", "not a valid APK: empty file"),
    (b"hello, I am a text file\n" * 10, "not a valid APK: not a zip file"),
    (b"PK\x03\x04" + b"\x00" * 200, "not a valid APK: truncated zip (no central directory)"),
])
def test_not_an_apk(tmp_path, static_catalog, content, message):
    path = tmp_path / "bad.apk"
    path.write_bytes(content)
    with pytest.raises(ScanError) as err:
        scan_apk(path, static_catalog)
    assert str(err.value) == message


def test_truncated_real_apk(tmp_path, samples_build, static_catalog):
    data = (samples_build / "sdk.apk").read_bytes()
    path = tmp_path / "cut.apk"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ScanError, match="truncated zip"):
        scan_apk(path, static_catalog)


def test_manifest_missing(tmp_path, samples_build, static_catalog):
    members = _members(samples_build / "sdk.apk")
    del members["AndroidManifest.xml"]
    with pytest.raises(ScanError, match="^not a valid APK: AndroidManifest.xml missing$"):
        scan_apk(_write_apk(tmp_path / "nomanifest.apk", members), static_catalog)


def test_garbage_manifest(tmp_path, samples_build, static_catalog):
    members = _members(samples_build / "sdk.apk")
    members["AndroidManifest.xml"] = b"\x03\x00\x08\x00garbage" * 4
    with pytest.raises(ScanError) as err:
        scan_apk(_write_apk(tmp_path / "garbage.apk", members), static_catalog)
    assert str(err.value).startswith("not a valid APK") and "\n" not in str(err.value)


def test_missing_file_and_directory(tmp_path, static_catalog):
    with pytest.raises(ScanError, match="cannot read"):
        scan_apk(tmp_path / "nope.apk", static_catalog)
    with pytest.raises(ScanError):
        scan_apk(tmp_path, static_catalog)


def test_cli_not_an_apk_one_line_exit_2(tmp_path, capsys):
    path = tmp_path / "notes.apk"
    path.write_text("not an apk")
    code = cli_main(["scan", str(path), "-o", str(tmp_path / "out"), "--format", "json"])
    captured = capsys.readouterr()
    assert code == 2
    lines = captured.err.strip().splitlines()
    assert lines == ["privascope: error: not a valid APK: not a zip file"]
    assert "Traceback" not in captured.err + captured.out


def test_cli_subprocess_no_traceback(tmp_path):
    path = tmp_path / "x.apk"
    path.write_bytes(b"PK\x03\x04junk")
    proc = subprocess.run([sys.executable, "-m", "privascope.cli", "scan", str(path), "-o",
                           str(tmp_path / "o"), "--format", "json"],
                          capture_output=True, text=True, cwd=REPO, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "privascope: error: not a valid APK: truncated zip " \
                                  "(no central directory)"


def test_multidex_nested_and_corrupt_dex(tmp_path, samples_build, static_catalog):
    """sdk.apk + the reflection app's dex as classes2.dex + the same dex inside
    assets/plugin.jar + a corrupt classes3.dex: every readable piece is scanned and named, the
    corrupt one is reported and the bundle is partial."""
    members = _members(samples_build / "sdk.apk")
    reflection_dex = _members(samples_build / "reflection.apk")["classes.dex"]
    members["classes2.dex"] = reflection_dex
    members["classes3.dex"] = reflection_dex[:0x70] + b"\xff" * 64  # tables point nowhere
    members["assets/plugin.jar"] = _jar({"classes.dex": reflection_dex, "a.txt": b"x"})
    members["assets/blob.bin"] = reflection_dex  # a dex hidden under another name
    members["assets/broken.jar"] = b"PK\x03\x04 not really a jar"
    b = scan_apk(_write_apk(tmp_path / "multi.apk", members), static_catalog)
    by_dex = {}
    for c in b.api_calls:
        by_dex.setdefault(c.dex, set()).add((c.api, c.caller_class, c.via.value))
    reflect = {("android.telephony.TelephonyManager.getDeviceId",
                "com.example.reflect.MainActivity", "reflection"),
               ("android.os.SystemProperties.get", "com.example.reflect.MainActivity",
                "reflection"),
               ("android.os.Build.SERIAL", "com.example.reflect.MainActivity", "reflection")}
    assert by_dex["classes2.dex"] == reflect
    assert by_dex["assets/plugin.jar!classes.dex"] == reflect
    assert by_dex["assets/blob.bin"] == reflect
    assert len(by_dex["classes.dex"]) == 5
    assert b.app.dex_count == 3
    assert b.partial is True
    assert any(e.startswith("classes3.dex: corrupt dex") for e in b.errors)
    assert any(e.startswith("assets/broken.jar") for e in b.errors)
    assert all("\n" not in e for e in b.errors)


def test_nesting_is_bounded(tmp_path, samples_build, static_catalog):
    from privascope.static import sources

    members = _members(samples_build / "sdk.apk")
    dex = _members(samples_build / "reflection.apk")["classes.dex"]
    inner = {"classes.dex": dex}
    for _ in range(sources.MAX_DEPTH + 2):  # jar in jar in jar ...
        inner = {"inner.jar": _jar(inner)}
    members["assets/deep.jar"] = _jar(inner)
    for i in range(sources.MAX_NESTED + 3):
        members[f"assets/p{i}.dex"] = dex
    b = scan_apk(_write_apk(tmp_path / "deep.apk", members), static_catalog)
    assert any("nested deeper than" in e for e in b.errors)
    assert any(f"more than {sources.MAX_NESTED} nested code files" in e for e in b.errors)
    nested_dex = {c.dex for c in b.api_calls if "/" in c.dex}
    assert 0 < len(nested_dex) <= sources.MAX_NESTED


def test_packed_app_is_flagged_incomplete(tmp_path, samples_build, static_catalog):
    """A 360 Jiagu stub library in the APK: the packer is named and the bundle says the scan is
    incomplete (partial, errors, method.limits)."""
    members = _members(samples_build / "clean.apk")
    members["lib/arm64-v8a/libjiagu_a64.so"] = b"\x7fELF" + b"\x00" * 60
    b = scan_apk(_write_apk(tmp_path / "packed.apk", members), static_catalog)
    assert [p.id for p in b.packers] == ["jiagu360"]
    assert b.packers[0].evidence == ("file lib/arm64-v8a/libjiagu_a64.so",)
    assert b.partial is True
    assert any("incomplete" in e and "Jiagu" in e for e in b.errors)
    assert any("incomplete" in limit for limit in b.method.limits)
    clean = scan_apk(samples_build / "clean.apk", static_catalog)
    assert clean.packers == () and not clean.partial
