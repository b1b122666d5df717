"""The privacy-policy vocabulary (policy_terms.yaml), checked against the rest of the catalog.

`load_policy_terms(doc, pi_types, sdks, permissions)` is called by the catalog loader; every
PI type, SDK id, vendor and permission it names must exist, and every term list must be a list
of non-empty strings, so a bad edit fails loading with the file, the entry and the problem.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from privascope.catalog.fields import CatalogError, read_catalog_file

FILE = "policy_terms.yaml"
LANGS = ("zh", "en")
STATEMENT_KINDS = ("update_date", "contact", "account_deletion", "children", "sdk_list")
COLUMN_KINDS = ("name", "company", "purpose", "pi", "link")
_BRACKETS = re.compile(r"\s*[（(][^（()）]*[)）]\s*")


def _unbracket(name: str) -> str:
    """"Alibaba user tracking (UT) analytics" -> "Alibaba user tracking analytics"."""
    return re.sub(r"\s+", " ", _BRACKETS.sub(" ", name)).strip()
_TOP = {"version", "pi_types", "groups", "sdk_aliases", "vendors", "base_components",
        "exempt_categories", "not_sdk_names", "permissions", "negations", "clause_breaks",
        "purposes",
        "statements", "sdk_table_columns", "conditionals", "titles", "collection_verbs",
        "file_names"}


@dataclass(frozen=True)
class PolicyTerms:
    """Term -> meaning tables, flattened for one phrase-matching pass."""

    pi_terms: dict[str, tuple[str, ...]]  # lower-cased term -> PI type ids
    sdk_terms: dict[str, str]  # lower-cased term -> SDK id
    vendor_terms: dict[str, str]  # lower-cased term -> catalog vendor
    permission_terms: dict[str, tuple[str, ...]]  # lower-cased term -> permission names
    base_components: frozenset[str]
    exempt_categories: frozenset[str]
    negations: tuple[str, ...]
    clause_breaks: tuple[str, ...]
    purposes: tuple[str, ...]
    conditionals: tuple[str, ...]
    verbs: tuple[str, ...]  # collection_verbs
    titles: tuple[str, ...]
    file_names: tuple[str, ...]  # words of an asset name that mark a policy page
    statements: dict[str, tuple[str, ...]]  # kind -> lower-cased terms
    columns: dict[str, tuple[str, ...]]  # SDK-table column kind -> lower-cased header words


class PolicyTermsError(CatalogError):
    pass


def _terms(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, dict):
        if set(value) != set(LANGS):
            raise PolicyTermsError(f"{FILE}: {where}: needs exactly the languages {LANGS}")
        items = [t for lang in LANGS for t in _terms(value[lang], f"{where}.{lang}")]
        return tuple(items)
    if not isinstance(value, list) or not all(isinstance(t, str) and t.strip() for t in value):
        raise PolicyTermsError(f"{FILE}: {where}: expected a list of non-empty strings")
    return tuple(value)


def _low(terms) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t.strip().lower() for t in terms))


def load_policy_terms(doc: Any, pi_types: dict, sdks: dict, permissions: dict) -> PolicyTerms:
    if not isinstance(doc, dict):
        raise PolicyTermsError(f"{FILE}: expected a mapping")
    extra = set(doc) - _TOP
    if extra:
        raise PolicyTermsError(f"{FILE}: unknown keys {sorted(extra)}")
    pi_terms: dict[str, set[str]] = {}

    def add_pi(term: str, pis) -> None:
        pi_terms.setdefault(term.strip().lower(), set()).update(pis)

    for pi, t in pi_types.items():  # the catalog's own names, with and without brackets
        for name in (t.name_zh, t.name_en):
            for n in {name, _unbracket(name)}:
                # a one-word English name ("Name", "Sensors") is too common to mean the PI type
                if len(n) >= 2 and (not n.isascii() or " " in n.strip()):
                    add_pi(n, (pi,))
    for pi, value in (doc.get("pi_types") or {}).items():
        if pi not in pi_types:
            raise PolicyTermsError(f"{FILE}: pi_types: unknown PI type {pi!r}")
        for term in _terms(value, f"pi_types.{pi}"):
            add_pi(term, (pi,))
    for i, g in enumerate(doc.get("groups") or ()):
        if not isinstance(g, dict) or set(g) != {"terms", "pi_types"}:
            raise PolicyTermsError(f"{FILE}: groups[{i}]: needs exactly terms and pi_types")
        bad = [p for p in g["pi_types"] if p not in pi_types]
        if bad:
            raise PolicyTermsError(f"{FILE}: groups[{i}]: unknown PI types {bad}")
        for term in _terms(g["terms"], f"groups[{i}].terms"):
            add_pi(term, g["pi_types"])

    sdk_terms: dict[str, str] = {}
    not_names = set(_low(_terms(doc.get("not_sdk_names") or [], "not_sdk_names")))
    for sdk in sdks.values():  # catalog names first; explicit aliases below override them
        for name in (sdk.name_en, sdk.name_zh):
            short = _unbracket(name)
            # policies write "腾讯地图SDK" or "腾讯地图" for the catalog's "腾讯地图 SDK"
            bare = re.sub(r"\s*SDK$", "", short).strip()
            variants = {name, short, bare}
            if not short.isascii():  # Chinese names are written with or without the spaces
                variants |= {short.replace(" ", ""), bare.replace(" ", "")}
            for n in variants:
                if len(n.strip()) >= 3 and n.strip().lower() not in not_names:
                    sdk_terms.setdefault(n.strip().lower(), sdk.id)
    for sdk_id, aliases in (doc.get("sdk_aliases") or {}).items():
        if sdk_id not in sdks:
            raise PolicyTermsError(f"{FILE}: sdk_aliases: unknown SDK {sdk_id!r}")
        for term in _terms(aliases, f"sdk_aliases.{sdk_id}"):
            sdk_terms[term.strip().lower()] = sdk_id
    known_vendors = {s.vendor for s in sdks.values()}
    vendor_terms: dict[str, str] = {}
    for vendor, names in (doc.get("vendors") or {}).items():
        if vendor not in known_vendors:
            raise PolicyTermsError(f"{FILE}: vendors: {vendor!r} is no SDK's vendor in sdks.yaml")
        for term in _terms(names, f"vendors.{vendor}"):
            vendor_terms[term.strip().lower()] = vendor
    from privascope.catalog.types import SDK_CATEGORIES

    bad_cats = set(doc.get("exempt_categories") or ()) - set(SDK_CATEGORIES)
    if bad_cats:
        raise PolicyTermsError(f"{FILE}: exempt_categories: unknown {sorted(bad_cats)}")
    base = frozenset(_terms(doc.get("base_components") or [], "base_components"))
    if base - set(sdks):
        raise PolicyTermsError(f"{FILE}: base_components: unknown SDKs {sorted(base - set(sdks))}")
    perm_terms: dict[str, set[str]] = {}
    for perm in permissions:
        perm_terms.setdefault(perm.lower(), set()).add(perm)
    for perm, value in (doc.get("permissions") or {}).items():
        if perm not in permissions:
            raise PolicyTermsError(f"{FILE}: permissions: unknown permission {perm!r}")
        for term in _terms(value, f"permissions.{perm}"):
            perm_terms.setdefault(term.strip().lower(), set()).add(perm)
    statements = doc.get("statements") or {}
    if set(statements) != set(STATEMENT_KINDS):
        raise PolicyTermsError(f"{FILE}: statements: needs exactly {STATEMENT_KINDS}")
    columns = doc.get("sdk_table_columns") or {}
    if set(columns) != set(COLUMN_KINDS):
        raise PolicyTermsError(f"{FILE}: sdk_table_columns: needs exactly {COLUMN_KINDS}")
    for key in ("negations", "clause_breaks", "purposes", "conditionals", "titles",
                "collection_verbs"):
        if not isinstance(doc.get(key), dict):
            raise PolicyTermsError(f"{FILE}: {key}: needs zh and en lists")
    return PolicyTerms(
        pi_terms={t: tuple(sorted(p)) for t, p in pi_terms.items() if t},
        sdk_terms=sdk_terms, vendor_terms=vendor_terms,
        permission_terms={t: tuple(sorted(p)) for t, p in perm_terms.items()},
        base_components=base,
        exempt_categories=frozenset(_terms(doc.get("exempt_categories") or [],
                                           "exempt_categories")),
        negations=_low(_terms(doc["negations"], "negations")),
        # clause breaks keep their spaces: " but " must not split "button"
        clause_breaks=tuple(dict.fromkeys(t.lower() for t in _terms(doc["clause_breaks"],
                                                                     "clause_breaks"))),
        purposes=tuple(dict.fromkeys(t.lower() for t in _terms(doc["purposes"], "purposes"))),
        conditionals=tuple(dict.fromkeys(t.lower() for t in _terms(doc["conditionals"],
                                                                    "conditionals"))),
        titles=_low(_terms(doc["titles"], "titles")),
        file_names=_low(_terms(doc.get("file_names") or [], "file_names")),
        verbs=_low(_terms(doc["collection_verbs"], "collection_verbs")),
        statements={k: _low(_terms(statements[k], f"statements.{k}")) for k in STATEMENT_KINDS},
        columns={k: _low(_terms(columns[k], f"sdk_table_columns.{k}")) for k in COLUMN_KINDS},
    )


def load_policy_file(base, pi_types: dict, sdks: dict, permissions: dict,
                     versions: dict[str, str]) -> PolicyTerms:
    """Read policy_terms.yaml from the catalog directory `base` (recording its version like the
    other files) and validate it."""
    doc, versions["policy_terms"] = read_catalog_file(base / FILE, PolicyTermsError)
    return load_policy_terms(doc, pi_types, sdks, permissions)
