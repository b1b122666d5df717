"""Reading the catalog: each YAML file parsed once (libyaml when present), checked by its
validator in entries.py, cross-checked, and returned as one frozen `Catalog` (cached per
directory).
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Optional


import privascope.catalog.entries as entries
import privascope.catalog.knowledge as knowledge
from privascope.catalog.fields import index, known_keys, read_catalog_file, req_list
from privascope.catalog.policy_terms import load_policy_file
from privascope.catalog.startup import load_startup
from privascope.catalog.types import Catalog

CATALOG_DIR = Path(__file__).resolve().parent
# every file the loader reads; a new knowledge file is added here and in knowledge.py/entries.py
FILES = ("pi_types", "permissions", "apis", "sdks", "clauses", "packers", "rules", "consent",
         "telecom", "attribution", "agent", "hosts")


@functools.lru_cache(maxsize=4)
def load_catalog(directory: Optional[str] = None) -> Catalog:
    base = Path(directory) if directory else CATALOG_DIR
    docs: dict[str, Any] = {}
    versions: dict[str, str] = {}
    for name in FILES:
        doc, versions[name] = read_catalog_file(base / f"{name}.yaml")
        if name in _TOP_KEYS:
            known_keys(doc, _TOP_KEYS[name], f"{name}.yaml")
        docs[name] = doc

    pi_types = index(entries.load_pi_types(docs["pi_types"]), "pi_types.yaml", lambda p: p.id)
    permissions = index(
        entries.load_permissions(docs["permissions"], pi_types), "permissions.yaml", lambda p: p.name
    )
    apis = index(entries.load_apis(docs["apis"], pi_types, permissions), "apis.yaml", lambda a: a.id)
    sdks = index(entries.load_sdks(docs["sdks"]), "sdks.yaml", lambda s: s.id)
    entries.check_prefixes_unique(sdks)
    frameworks, clauses = entries.load_clauses(docs["clauses"])
    packers = index(entries.load_packers(docs["packers"]), "packers.yaml", lambda p: p.id)
    rules = tuple(req_list(docs["rules"], "rules", "rules.yaml"))
    startup = load_startup(base, set(sdks), versions)  # startup.yaml: needs the SDK ids
    policy_terms = load_policy_file(base, pi_types, sdks, permissions, versions)
    not_destinations, public_suffixes = knowledge.load_hosts(docs["hosts"])
    return Catalog(
        pi_types=pi_types, permissions=permissions, apis=apis, sdks=sdks, frameworks=frameworks,
        clauses=clauses, packers=packers, rules=rules, versions=versions, raw=docs,
        consent=knowledge.load_consent(docs["consent"]),
        telecom=knowledge.load_telecom(docs["telecom"]),
        framework_prefixes=knowledge.load_attribution(docs["attribution"]),
        library_wrappers=knowledge.load_library_wrappers(docs["attribution"]),
        agent=knowledge.load_agent(docs["agent"], pi_types=pi_types),
        not_destinations=not_destinations, public_suffixes=public_suffixes,
        startup=startup,
        policy_terms=policy_terms,
    )



_TOP_KEYS = {
    "pi_types": {"version", "default_combinations", "placeholders", "pi_types"},
    "permissions": {"version", "permissions"},
    "apis": {"version", "apis"},
    "clauses": {"version", "frameworks", "clauses"},
    "packers": {"version", "packers"},
}
