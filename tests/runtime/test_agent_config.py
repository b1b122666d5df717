"""The agent's load-time config and its compiled bundle (beyond test_agent_build): the config
carries the catalog's consent vocabulary and options, agent.yaml is checked key by key, and the
source hash that decides "stale" follows content and names, nothing else."""
from __future__ import annotations

import dataclasses
import json
import os
import shutil

import pytest

from privascope.catalog import CatalogError
from privascope.runtime import agent_config as AC


def test_config_carries_consent_vocabulary_options_and_hookable_apis(catalog):
    config = AC.agent_config(catalog, unpin=False, max_value_len=64, max_stack=8)
    consent = catalog.consent
    assert config["consent"] == {"policy_keywords": list(consent.policy_phrases),
                                 "accept_keywords": list(consent.accept_words),
                                 "reject_keywords": list(consent.reject_words)}
    assert config["consent"]["reject_keywords"]
    assert config["unpin"] is False and config["limits"] == {"max_value_len": 64, "max_stack": 8}
    ids = {a["id"] for a in config["apis"]}
    assert not any(i.startswith("uri:") for i in ids)  # static evidence only
    exec_api = next(a for a in config["apis"] if a["id"] == "java.lang.Runtime.exec")
    assert exec_api["key_arg"]["match"] == "prefix"
    assert "pm list packages" in exec_api["key_arg"]["values"]
    plain = next(a for a in config["apis"]
                 if a["id"] == "android.telephony.TelephonyManager.getDeviceId")
    assert plain["key_arg"] is None
    kw = AC.load_agent_knowledge()
    assert config["values"] == {"value_getters": kw.value_getters,
                                "element_fields": list(kw.element_fields)}
    assert config["loader_classes"] == list(kw.loader_classes)
    assert json.loads(json.dumps(config)) == config


def test_catalog_without_consent_vocabulary_is_refused(catalog):
    with pytest.raises(CatalogError, match="consent"):
        AC.agent_config(dataclasses.replace(catalog, consent=None))


_GOOD = {"version": "1", "value_getters": {"a.B": {"getX": "device.imei"}},
         "element_fields": ["packageName"], "loader_classes": ["dalvik.system.BaseDexClassLoader"]}


@pytest.mark.parametrize("change,message", [
    ({"version": None}, "'version' key"),
    ({"policy_keywords": ["隐私政策"]}, "unknown keys ['policy_keywords']"),
    ({"value_getters": {"a.B": {}}}, "'value_getters' must map"),
    ({"value_getters": {"a.B": {"getX": 3}}}, "'value_getters' must map"),
    ({"value_getters": ["a.B"]}, "'value_getters' must map"),
    ({"element_fields": []}, "'element_fields' must be a non-empty list"),
    ({"loader_classes": ["ok", "  "]}, "'loader_classes' must be a non-empty list"),
    ({"loader_classes": "dalvik.system.BaseDexClassLoader"}, "'loader_classes'"),
])
def test_agent_yaml_is_checked_key_by_key(tmp_path, change, message):
    import yaml

    doc = {**_GOOD, **change}
    doc = {k: v for k, v in doc.items() if v is not None}
    path = tmp_path / "agent.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError, match=__import__("re").escape(message)):
        AC.load_agent_knowledge(str(path))


def test_agent_yaml_good_unreadable_and_not_yaml(tmp_path):
    import yaml

    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump(_GOOD), encoding="utf-8")
    kw = AC.load_agent_knowledge(str(good))
    assert kw.value_getters == {"a.B": {"getX": "device.imei"}}
    assert kw.element_fields == ("packageName",)
    with pytest.raises(CatalogError, match="cannot read"):
        AC.load_agent_knowledge(str(tmp_path / "missing.yaml"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: [unclosed", encoding="utf-8")
    with pytest.raises(CatalogError, match="cannot read"):
        AC.load_agent_knowledge(str(bad))


@pytest.fixture
def agent_copy(tmp_path, monkeypatch):
    """The agent sources copied to tmp, with the module pointed at the copy."""
    root = tmp_path / "frida"
    shutil.copytree(AC.AGENT_DIR / "src", root / "src")
    for name in ("package.json", "package-lock.json"):
        shutil.copy(AC.AGENT_DIR / name, root / name)
    monkeypatch.setattr(AC, "AGENT_DIR", root)
    monkeypatch.setattr(AC, "BUNDLE", root / "_agent.js")
    monkeypatch.setattr(AC, "BUNDLE_STAMP", root / "_agent.sha256")
    return root


def test_source_hash_follows_content_and_names_only(agent_copy):
    real = AC.source_hash()
    ts = sorted((agent_copy / "src").rglob("*.ts"))[0]
    os.utime(ts, (0, 0))
    assert AC.source_hash() == real  # times do not matter
    ts.write_text(ts.read_text(encoding="utf-8") + "\n// edited\n", encoding="utf-8")
    edited = AC.source_hash()
    assert edited != real
    ts.rename(ts.with_name("zz_" + ts.name))
    renamed = AC.source_hash()
    assert renamed != edited  # a renamed file is a different source tree
    (agent_copy / "src" / "notes.md").write_text("not a source", encoding="utf-8")
    assert AC.source_hash() == renamed  # only .ts sources and the package files count


def test_bundle_freshness_and_loading(agent_copy):
    with pytest.raises(AC.AgentBuildError, match="missing: run make agent"):
        AC.load_bundle()
    AC.BUNDLE.write_text("/* agent */", encoding="utf-8")
    assert not AC.bundle_is_fresh()  # no stamp: never assumed fresh
    AC.BUNDLE_STAMP.write_text(AC.source_hash() + "\n", encoding="ascii")
    assert AC.bundle_is_fresh() and AC.load_bundle() == "/* agent */"
    ts = sorted((agent_copy / "src").rglob("*.ts"))[0]
    ts.write_text("// changed", encoding="utf-8")
    assert not AC.bundle_is_fresh()
    with pytest.raises(AC.AgentBuildError, match="older than"):
        AC.load_bundle()
    assert AC.load_bundle(check_fresh=False) == "/* agent */"
