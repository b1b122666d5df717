"""`pip install .` claims one import name, `privascope`, and carries its data files."""
from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile

import pytest

from tests.conftest import REPO
from tests.test_imports import MODULES, ROOTS


def test_pyproject_lists_every_package_folder():
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    folders = {path.parent for path in MODULES.values() if path.name == "__init__.py"}
    expected = set()
    for folder in folders:
        top, *rest = folder.relative_to(REPO).parts
        expected.add(".".join([ROOTS[top], *rest]))
    assert set(config["packages"]) == expected
    assert config["package-dir"] == {v: k for k, v in ROOTS.items()}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    # built from a copy: an in-tree build reuses build/lib, whose stale files once hid a
    # template folder the wheel did not carry
    src = tmp_path_factory.mktemp("src")
    skip = shutil.ignore_patterns("node_modules", "__pycache__", "build", "*.egg-info")
    for folder in ("analyzer", "hooks", "reports"):
        shutil.copytree(REPO / folder, src / folder, ignore=skip)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                           "-q", "-w", str(out), str(src)], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    (path,) = out.glob("privascope-*.whl")
    return zipfile.ZipFile(path)


def test_wheel_has_one_top_level_name(wheel):
    tops = {name.split("/")[0] for name in wheel.namelist()}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"privascope"}


def test_wheel_carries_data_files(wheel):
    names = set(wheel.namelist())
    assert {"privascope/catalog/apis.yaml", "privascope/catalog/rules.yaml",
            "privascope/reports/templates/report.html.j2",
            "privascope/reports/schema/bundle.schema.json", "privascope/hooks/mitm_addon.py",
            "privascope/cli.py", "privascope/hooks/frida/_agent.js",
            "privascope/hooks/jvm_launcher/src/privascope/launch/Launcher.java"} <= names
