"""Validators of the smaller knowledge files: consent.yaml (the consent vocabulary),
telecom.yaml (numbering tables of the traffic detectors), attribution.yaml (framework prefixes),
agent.yaml (the Frida agent's value getters and class loaders) and hosts.yaml (hosts that are
not destinations). Parsed YAML in, typed values
out, a CatalogError naming file and key otherwise.
"""
from __future__ import annotations

import re

from privascope.catalog.fields import HOST, CatalogError, known_keys
from privascope.catalog.types import AgentKnowledge, CardRange, ConsentVocabulary, Telecom

_PACKAGE_PREFIX = re.compile(r"[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*\.")
_CLASS_NAME = re.compile(r"[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)+\.[A-Z][A-Za-z0-9_]*")


def words(doc: object, key: str, where: str) -> tuple[str, ...]:
    """A non-empty list of non-blank strings, duplicates (after case folding) refused."""
    value = doc.get(key) if isinstance(doc, dict) else None
    if not isinstance(value, list) or not value or \
            not all(isinstance(w, str) and w.strip() for w in value):
        raise CatalogError(f"{where}: '{key}' must be a non-empty list of strings")
    folded = [w.strip().lower() for w in value]
    dupes = sorted({w for w in folded if folded.count(w) > 1})
    if dupes:
        raise CatalogError(f"{where}: '{key}' lists {dupes} twice")
    return tuple(w.strip() for w in value)


def load_consent(doc: dict) -> ConsentVocabulary:
    f = "consent.yaml"
    known_keys(doc, {"version", "policy_phrases", "accept_words", "reject_words", "ui", "static"},
               f)
    phrases = words(doc, "policy_phrases", f)
    for p in phrases:
        # the static scan skips identifiers by requiring a space in ASCII text
        if p.isascii() and " " not in p:
            raise CatalogError(f"{f}: policy phrase {p!r} is ASCII without a space: it would "
                               "match identifiers in the dex")
    ui = known_keys(doc.get("ui"), {"accept_exact", "reject_exact", "tick_words", "max_button_length"},
                    f"{f} ui")
    max_len = ui.get("max_button_length", 24)
    if isinstance(max_len, bool) or not isinstance(max_len, int) or max_len < 2:
        raise CatalogError(f"{f} ui: 'max_button_length' must be an integer >= 2")
    static = known_keys(doc.get("static"), {"policy_url_words", "consent_flag_words"}, f"{f} static")
    accept, reject = words(doc, "accept_words", f), words(doc, "reject_words", f)
    both = sorted({w.lower() for w in accept} & {w.lower() for w in reject})
    if both:
        raise CatalogError(f"{f}: {both} are both accept and reject words")
    return ConsentVocabulary(
        policy_phrases=phrases, accept_words=accept, reject_words=reject,
        accept_exact=words(ui, "accept_exact", f"{f} ui"),
        reject_exact=words(ui, "reject_exact", f"{f} ui"),
        tick_words=words(ui, "tick_words", f"{f} ui"), max_button_length=max_len,
        policy_url_words=words(static, "policy_url_words", f"{f} static"),
        consent_flag_words=tuple(w.lower() for w in words(static, "consent_flag_words",
                                                          f"{f} static")),
    )


def _digits(value, where: str, length: int | None = None) -> str:
    if not isinstance(value, str) or not value.isdigit() or (length and len(value) != length):
        raise CatalogError(f"{where}: {value!r} must be a string of "
                           f"{length or 'one or more'} digits (quote it in YAML)")
    return value


def _digit_set(section: dict, key: str, where: str, length: int) -> frozenset[str]:
    value = section.get(key)
    if not isinstance(value, list) or not value:
        raise CatalogError(f"{where}: '{key}' must be a non-empty list")
    digits = [_digits(v, f"{where} {key}", length) for v in value]
    if len(set(digits)) != len(digits):
        twice = sorted({d for d in digits if digits.count(d) > 1})
        raise CatalogError(f"{where}: '{key}' lists {twice} twice")
    return frozenset(digits)


def load_telecom(doc: dict) -> Telecom:
    f = "telecom.yaml"
    known_keys(doc, {"version", "imei", "imsi", "mobile", "bank_card"}, f)
    imei = known_keys(doc.get("imei"), {"reporting_bodies"}, f"{f} imei")
    imsi = known_keys(doc.get("imsi"), {"mcc", "mncs"}, f"{f} imsi")
    mobile = known_keys(doc.get("mobile"), {"country_code", "prefixes"}, f"{f} mobile")
    card = known_keys(doc.get("bank_card"), {"issuer_ranges"}, f"{f} bank_card")
    ranges = []
    items = card.get("issuer_ranges")
    if not isinstance(items, list) or not items:
        raise CatalogError(f"{f} bank_card: 'issuer_ranges' must be a non-empty list")
    for i, r in enumerate(items):
        where = f"{f} bank_card issuer_ranges[{i}]"
        known_keys(r, {"network", "from", "to"}, where)
        low, high = _digits(r.get("from"), where), _digits(r.get("to"), where)
        if len(low) != len(high) or low > high:
            raise CatalogError(f"{where}: from {low!r} and to {high!r} must have one length, "
                               "from <= to")
        if not isinstance(r.get("network"), str) or not re.fullmatch(r"[a-z_]+", r["network"]):
            raise CatalogError(f"{where}: network must be a lower_snake name")
        ranges.append(CardRange(r["network"], low, high))
    return Telecom(
        imei_reporting_bodies=_digit_set(imei, "reporting_bodies", f"{f} imei", 2),
        imsi_mcc=_digits(imsi.get("mcc"), f"{f} imsi mcc", 3),
        imsi_mncs=_digit_set(imsi, "mncs", f"{f} imsi", 2),
        mobile_country_code=_digits(mobile.get("country_code"), f"{f} mobile country_code"),
        mobile_prefixes=_digit_set(mobile, "prefixes", f"{f} mobile", 3),
        card_ranges=tuple(ranges),
    )


def load_attribution(doc: dict) -> tuple[str, ...]:
    f = "attribution.yaml"
    known_keys(doc, {"version", "framework_prefixes", "library_wrappers"}, f)
    prefixes = words(doc, "framework_prefixes", f)
    for p in prefixes:
        # whole packages only: "java." must not claim "javax" (that has its own entry)
        if not _PACKAGE_PREFIX.fullmatch(p):
            raise CatalogError(f"{f}: framework prefix {p!r} must be a package name ending in '.'")
    return prefixes


def load_library_wrappers(doc: dict) -> tuple[str, ...]:
    """attribution.yaml library_wrappers: dotted classes (nested classes included) under a
    framework prefix: library code, whose callers outside the libraries carry the finding."""
    f = "attribution.yaml"
    frameworks = load_attribution(doc)
    classes = words(doc, "library_wrappers", f) if "library_wrappers" in doc else ()
    for c in classes:
        if not _CLASS_NAME.fullmatch(c) or not c.startswith(frameworks):
            raise CatalogError(f"{f}: library wrapper {c!r} must be a dotted class name under "
                               "a framework prefix")
    return classes


def load_agent(doc, fname: str = "agent.yaml", pi_types=None) -> AgentKnowledge:
    """agent.yaml; with `pi_types`, the value getters' PI types are checked against them."""
    if not isinstance(doc, dict) or "version" not in doc:
        raise CatalogError(f"{fname}: expected a mapping with a 'version' key")
    extra = set(doc) - {"version", "value_getters", "element_fields", "loader_classes"}
    if extra:  # consent words live in consent.yaml (shared with the UI automation and scan)
        raise CatalogError(f"{fname}: unknown keys {sorted(extra)}")

    def names(key: str) -> tuple[str, ...]:
        value = doc.get(key)
        if not isinstance(value, list) or not value or \
                not all(isinstance(w, str) and w.strip() for w in value):
            raise CatalogError(f"{fname}: '{key}' must be a non-empty list of strings")
        return tuple(value)

    getters = doc.get("value_getters")
    if not isinstance(getters, dict) or not all(
            isinstance(g, dict) and g and all(isinstance(k, str) and isinstance(v, str)
                                              for k, v in g.items()) for g in getters.values()):
        raise CatalogError(f"{fname}: 'value_getters' must map class names to "
                           "{getter: pi_type} mappings")
    for cls, by_getter in getters.items():
        for getter, pi in by_getter.items():
            if pi_types is not None and pi not in pi_types:
                raise CatalogError(f"{fname}: value_getters {cls}.{getter}: unknown PI type {pi!r}")
    return AgentKnowledge(value_getters={str(k): dict(v) for k, v in getters.items()},
                          element_fields=names("element_fields"),
                          loader_classes=names("loader_classes"))


def load_hosts(doc: dict) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """-> (hosts that are not destinations, public suffixes of more than one label)."""
    f = "hosts.yaml"
    known_keys(doc, {"version", "not_destinations", "public_suffixes"}, f)
    hosts = words(doc, "not_destinations", f)
    suffixes = words(doc, "public_suffixes", f)
    for h in hosts + suffixes:
        if not HOST.match(h):
            raise CatalogError(f"{f}: {h!r} is not a lower-case host name")
    for s in suffixes:
        if "." not in s:
            raise CatalogError(f"{f}: public suffix {s!r} has one label (those are always public)")
    return hosts, suffixes
