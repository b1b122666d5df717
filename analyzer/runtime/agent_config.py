"""What the Frida agent is told at load time, and where its compiled bundle is.

The config is built from the catalog: every entry of apis.yaml becomes a hook, consent.yaml gives
the consent words, agent.yaml the value getters, list element fields and class loaders to watch.
Nothing about which APIs to hook lives in the agent itself.
"""
from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any, Optional

import yaml

from privascope import hooks as hooks_package
from privascope.catalog import AgentKnowledge, Catalog, CatalogError, load_catalog
from privascope.catalog.knowledge import load_agent

# the hooks/ folder is the privascope.hooks package: found through the import system, not
# through this file's place in the tree
AGENT_DIR = Path(hooks_package.__file__).resolve().parent / "frida"
BUNDLE = AGENT_DIR / "_agent.js"
BUNDLE_STAMP = AGENT_DIR / "_agent.sha256"


class AgentBuildError(RuntimeError):
    """The compiled agent is missing or older than its sources."""


@functools.lru_cache(maxsize=2)
def load_agent_knowledge(path: Optional[str] = None) -> AgentKnowledge:
    """agent.yaml as the catalog loads it (the default catalog's), or another such file."""
    if path is None:
        kw = load_catalog().agent
        assert kw is not None, "load_catalog() always sets agent"
        return kw
    p = Path(path)
    try:
        doc = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError(f"{p}: cannot read: {exc}") from None
    return load_agent(doc, p.name)


def agent_config(catalog: Catalog, *, unpin: bool = True,
                 knowledge: Optional[AgentKnowledge] = None, max_value_len: int = 4096,
                 max_stack: int = 256) -> dict[str, Any]:
    """The JSON object passed to the agent's rpc `init`."""
    kw = knowledge or catalog.agent or load_agent_knowledge()
    consent = catalog.consent
    if consent is None:
        raise CatalogError("the catalog has no consent vocabulary (consent.yaml)")
    for cls, getters in kw.value_getters.items():
        for getter, pi in getters.items():
            if pi not in catalog.pi_types:
                raise CatalogError(f"agent.yaml: value_getters {cls}.{getter}: "
                                   f"unknown PI type {pi!r}")
    apis = []
    for api in catalog.apis.values():
        if not api.hookable:  # uri entries are static evidence; the generic query() hook
            continue          # resolves content URIs at run time through its key_arg
        apis.append({
            "id": api.id, "cls": api.cls, "member": api.member, "kind": api.kind,
            "hook_class": api.hook_class, "pi_type": api.pi_type, "capture": api.capture,
            "overloads": [list(o) for o in api.overloads] if api.overloads is not None else None,
            "key_arg": ({"index": api.key_arg.index, "values": dict(api.key_arg.values),
                         "match": api.key_arg.match} if api.key_arg is not None else None),
        })
    return {
        "apis": apis,
        # the agent's config keys, filled from the shared consent vocabulary
        "consent": {"policy_keywords": list(consent.policy_phrases),
                    "accept_keywords": list(consent.accept_words),
                    "reject_keywords": list(consent.reject_words)},
        "values": {"value_getters": {k: dict(v) for k, v in kw.value_getters.items()},
                   "element_fields": list(kw.element_fields)},
        "loader_classes": list(kw.loader_classes),
        "unpin": unpin,
        "limits": {"max_value_len": max_value_len, "max_stack": max_stack},
    }


def source_hash() -> str:
    """Same recipe as hooks/frida/build.py (which records it next to the bundle)."""
    h = hashlib.sha256()
    files = sorted((AGENT_DIR / "src").rglob("*.ts")) + [AGENT_DIR / n for n in
                                                          ("package.json", "package-lock.json")]
    for path in files:
        h.update(path.relative_to(AGENT_DIR).as_posix().encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()


def bundle_is_fresh() -> bool:
    if not BUNDLE.exists() or not BUNDLE_STAMP.exists():
        return False
    return BUNDLE_STAMP.read_text(encoding="ascii").strip() == source_hash()


def load_bundle(check_fresh: bool = True) -> str:
    if not BUNDLE.exists():
        raise AgentBuildError(f"{BUNDLE} is missing: run make agent")
    if check_fresh and not bundle_is_fresh():
        raise AgentBuildError(f"{BUNDLE} is older than hooks/frida/src: run make agent")
    return BUNDLE.read_text(encoding="utf-8")
