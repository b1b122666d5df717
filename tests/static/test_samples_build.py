"""samples/build.py: incremental, and loud when a tool fails."""
from __future__ import annotations

import shutil

import pytest

from samples import build


def test_broken_smali_fails_loudly(tmp_path, monkeypatch):
    apps = tmp_path / "apps"
    shutil.copytree(build.APPS_DIR / "clean", apps / "clean")
    smali = apps / "clean" / "smali" / "com" / "example" / "clean" / "MainActivity.smali"
    smali.write_text(smali.read_text().replace(".end method", ".end methd", 1))
    monkeypatch.setattr(build, "APPS_DIR", apps)
    out = tmp_path / "out"
    out.mkdir()
    keystore = build.ensure_keystore(out)
    with pytest.raises(build.BuildError) as err:
        build.build_app("clean", out, keystore)
    assert "apktool (clean) failed" in str(err.value)
    assert not (out / "clean.apk").exists()
    assert build.main(["--out", str(out), "clean"]) == 1


def test_unchanged_sources_are_not_rebuilt(tmp_path, monkeypatch):
    apps = tmp_path / "apps"
    shutil.copytree(build.APPS_DIR / "clean", apps / "clean")
    monkeypatch.setattr(build, "APPS_DIR", apps)
    out = tmp_path / "out"
    out.mkdir()
    keystore = build.ensure_keystore(out)
    apk, rebuilt = build.build_app("clean", out, keystore)
    assert rebuilt and apk.is_file()
    assert build.build_app("clean", out, keystore) == (apk, False)
    (apps / "clean" / "res" / "values" / "strings.xml").write_text(
        (apps / "clean" / "res" / "values" / "strings.xml").read_text().replace(
            "Clean Sample", "Clean Sample 2"))
    assert build.build_app("clean", out, keystore)[1] is True
