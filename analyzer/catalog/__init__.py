"""The catalog: privascope's knowledge as data files, and the one loader that validates them.

Files (YAML, in this directory):
  pi_types.yaml     personal-information types
  permissions.yaml  Android permissions -> protection level, PI types
  apis.yaml         privacy-sensitive APIs (drives the static scanner AND the Frida agent)
  sdks.yaml         SDK / tracker signatures (class prefixes, hosts)
  clauses.yaml      regulation clauses that rules cite
  packers.yaml      packer (加固) signatures
  rules.yaml        rules: evidence -> findings (see analyzer/rules)
  consent.yaml      consent vocabulary: policy phrases, accept/reject words (agent, UI, scan)
  telecom.yaml      numbering tables of the traffic detectors (IMEI bodies, MNCs, card ranges)
  attribution.yaml  framework package prefixes skipped when attributing a call to its caller
  agent.yaml        Frida agent extras: value getters, list element fields, class loaders
  hosts.yaml        hosts in URLs that are not destinations (XML namespaces, DTDs, licences)

`load_catalog()` parses and cross-checks all of them once and returns a frozen `Catalog`. Every
error names the file and the entry, so a bad edit fails the lint test with a useful message.

Modules: types.py (the frozen dataclasses and closed vocabularies), fields.py (CatalogError and
the checks every file shares), entries.py (one validator per core file), knowledge.py (validators
of consent, telecom, attribution, agent and hosts), loading.py (reading and cross-checking,
`load_catalog`), indexes.py (lookups: SDK by class prefix or host, APIs by class).
The names below are re-exported so callers import them from `privascope.catalog`.
"""
from privascope.catalog.fields import CatalogError
from privascope.catalog.loading import CATALOG_DIR, load_catalog
from privascope.catalog.types import (API_KINDS, CAPTURES, CAPTURES_BY_KIND, CHAIN_BYTES_STEPS,
                                      CHAIN_FROM_BYTES, CHAIN_TEXT_STEPS, DATA_SAFETY_CATEGORIES,
                                      KEY_MATCH_MODES, NORMALIZE_FORMS, PROTECTION_LEVELS,
                                      SDK_CATEGORIES, AgentKnowledge, Api, CardRange, Catalog,
                                      Clause, ConsentVocabulary, Framework, KeyArg, Packer,
                                      PermissionInfo, PIType, Sdk, Telecom, java_type_descriptor,
                                      placeholder_key)

__all__ = [
    "API_KINDS", "CAPTURES", "CAPTURES_BY_KIND", "CATALOG_DIR", "CHAIN_BYTES_STEPS",
    "CHAIN_FROM_BYTES", "CHAIN_TEXT_STEPS", "DATA_SAFETY_CATEGORIES", "KEY_MATCH_MODES",
    "NORMALIZE_FORMS", "PROTECTION_LEVELS", "SDK_CATEGORIES", "AgentKnowledge", "Api", "CardRange",
    "Catalog",
    "CatalogError", "Clause", "ConsentVocabulary", "Framework", "KeyArg", "Packer", "PIType",
    "PermissionInfo", "Sdk", "Telecom", "java_type_descriptor", "load_catalog", "placeholder_key",
]
