"""The compiled agent and the config it receives from the catalog."""
from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pytest

from privascope.catalog import Api, CatalogError
from privascope.runtime import agent_config as AC
from tests.conftest import REPO


def test_built_agent_bundle_is_fresh():
    assert AC.BUNDLE.exists(), "hooks/frida/_agent.js is missing: run make agent"
    assert AC.bundle_is_fresh(), "hooks/frida/_agent.js is older than hooks/frida/src: run make agent"


def test_build_script_records_the_same_hash_as_the_session_checks():
    # Two implementations of one recipe must agree (build.py cannot import the analyzer).
    out = subprocess.run([sys.executable, "-c", "import build; print(build.source_hash())"],
                         cwd=REPO / "hooks" / "frida", capture_output=True, text=True, check=True)
    assert out.stdout.strip() == AC.source_hash()


def test_package_lock_pins_frida_java_bridge():
    pkg = json.loads((AC.AGENT_DIR / "package.json").read_text())
    lock = json.loads((AC.AGENT_DIR / "package-lock.json").read_text())
    pinned = pkg["dependencies"]["frida-java-bridge"]
    assert pinned[0].isdigit(), "pin an exact version"
    assert lock["packages"]["node_modules/frida-java-bridge"]["version"] == pinned


def test_every_hookable_catalog_api_is_in_the_agent_config(catalog):
    config = AC.agent_config(catalog)
    ids = {a["id"] for a in config["apis"]}
    hookable = {a.id for a in catalog.apis.values() if a.hookable}
    assert ids == hookable and ids
    secure = next(a for a in config["apis"] if a["id"] == "android.provider.Settings$Secure.getString")
    assert secure["key_arg"]["values"]["android_id"] == "device.android_id"
    pm = next(a for a in config["apis"] if a["id"] == "android.content.pm.PackageManager.getInstalledPackages")
    assert pm["hook_class"] == "android.app.ApplicationPackageManager"
    json.dumps(config)  # travels to the agent as JSON


def test_adding_an_api_adds_it_to_the_config(catalog):
    extra = Api(id="com.example.Thing.secret", cls="com.example.Thing", member="secret", kind="method",
                pi_type="device.imei", overloads=(("int", "java.lang.String[]"),), permission=None,
                capture="return")
    config = AC.agent_config(dataclasses.replace(catalog, apis={**catalog.apis, extra.id: extra}))
    entry = next(a for a in config["apis"] if a["id"] == extra.id)
    assert entry["overloads"] == [["int", "java.lang.String[]"]] and entry["hook_class"] == "com.example.Thing"


def test_agent_knowledge_file_is_checked(tmp_path, catalog):
    kw = AC.load_agent_knowledge()
    consent = AC.agent_config(catalog)["consent"]  # the shared vocabulary, under the agent's keys
    assert "隐私政策" in consent["policy_keywords"] and "不同意" in consent["reject_keywords"] \
        and "同意" in consent["accept_keywords"]
    bad = tmp_path / "agent.yaml"
    bad.write_text('version: "1"\nvalue_getters: {}\npolicy_keywords: []\n', encoding="utf-8")
    with pytest.raises(CatalogError, match="policy_keywords"):
        AC.load_agent_knowledge(str(bad))
    wrong_pi = dataclasses.replace(kw, value_getters={"a.B": {"getX": "no.such.type"}})
    with pytest.raises(CatalogError, match="no.such.type"):
        AC.agent_config(catalog, knowledge=wrong_pi)


def test_stale_bundle_is_refused(monkeypatch, tmp_path):
    stamp = tmp_path / "_agent.sha256"
    stamp.write_text("0" * 64)
    monkeypatch.setattr(AC, "BUNDLE_STAMP", stamp)
    with pytest.raises(AC.AgentBuildError, match="run make agent"):
        AC.load_bundle()
