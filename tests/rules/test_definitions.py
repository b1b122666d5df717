"""Rule definitions checked against the rest of the catalog: every malformed rule is a RuleError
naming the rule and the problem; valid rules come back typed, in file order. Works on an
in-memory copy of the loaded catalog (no files written), one mutation per case."""
from __future__ import annotations

import copy
import dataclasses

import pytest

from privascope.catalog import CatalogError
from privascope.model import ClauseRef, Confidence, Severity
from privascope.rules.definitions import RuleError, load_rules


def _with(catalog, mutate, retired=None):
    rules = [copy.deepcopy(r) for r in catalog.rules]
    mutate(rules)
    raw = dict(catalog.raw)
    if retired is not None:
        raw["rules"] = {**(raw.get("rules") or {}), "retired": retired}
    return dataclasses.replace(catalog, rules=tuple(rules), raw=raw)


def _first(catalog, code):
    return next(i for i, r in enumerate(catalog.rules) if r["code"] == code)


def test_real_rules_are_typed_and_in_file_order(catalog):
    rules = load_rules(catalog)
    assert [r.code for r in rules] == [r["code"] for r in catalog.rules]
    ps101 = rules[[r.code for r in rules].index("PS101")]
    assert isinstance(ps101.severity, Severity) and isinstance(ps101.confidence, Confidence)
    assert all(isinstance(c, ClauseRef) for c in ps101.clauses)
    assert ps101.text("title", "zh") != ps101.text("title", "en")
    # every text is stripped: templates never start or end with stray whitespace
    assert all(t == t.strip() for r in rules for by_lang in r.texts.values()
               for t in by_lang.values())


def test_texts_are_stripped(catalog):
    def pad(rs):
        rs[0]["title"] = {"zh": "  标题 \n", "en": "\tTitle  "}
    (first, *_rest) = load_rules(_with(catalog, pad))
    assert (first.text("title", "zh"), first.text("title", "en")) == ("标题", "Title")


def test_meta_rules_may_cite_no_clause_others_must(catalog):
    meta = _first(catalog, "PS902")
    assert load_rules(_with(catalog, lambda rs: rs[meta].update(clauses=[])))
    with pytest.raises(RuleError, match="at least one clause"):
        load_rules(_with(catalog, lambda rs: rs[0].update(clauses=[])))


@pytest.mark.parametrize("mutate,message", [
    (lambda rs: rs.__setitem__(0, "PS101"), "a rule must be a mapping"),
    (lambda rs: rs[0].pop("code"), "'code' must be a non-empty string"),
    (lambda rs: rs[0].update(code="PS012"), "code must look like PS101"),
    (lambda rs: rs[1].update(name=rs[0]["name"]), "duplicate name"),
    (lambda rs: rs[0].update(name="  "), "'name' must be a non-empty string"),
    (lambda rs: rs[0].update(source="guess"), "'source' must be one of"),
    (lambda rs: rs[0].update(verdict="maybe"), "'verdict' must be one of"),
    (lambda rs: rs[0].update(confidence="certain"), "'confidence' must be one of"),
    (lambda rs: rs[0].update(clauses="cac191 3.1"), "'clauses' must be a list"),
    (lambda rs: rs[0].update(clauses=[{"framework": "cac191", "item": "3.1", "x": 1}]),
     "{framework, item} mappings"),
    (lambda rs: rs[0].update(clauses=[{"framework": "nope", "item": "1"}]),
     "clause nope 1 is not in clauses.yaml"),
    (lambda rs: rs[0]["message"].update(en="  "), "'message.en' is empty"),
    (lambda rs: rs[0]["fix"].update(fr="corriger"), "exactly the languages"),
    (lambda rs: rs[0].update(explanation="just one text"), "exactly the languages"),
    (lambda rs: rs[0].update(params=["max_events", 3]), "params must be a mapping"),
    (lambda rs: rs[0].update(params={"pi_types": ["no.such.pi"]}), "unknown PI type 'no.such.pi'"),
    (lambda rs: rs[0].update(params={"low_confidence_permissions": ["android.permission.NOPE"]}),
     "unknown permission 'android.permission.NOPE'"),
    (lambda rs: rs[0].update(params={"low_confidence_apis": ["a.B.c"]}), "unknown API 'a.B.c'"),
    (lambda rs: rs[0].update(params={"weak_evidence": {"severity": "tiny", "confidence": "low"}}),
     "params.weak_evidence needs a severity and a confidence"),
    (lambda rs: rs[0].update(params={"weak_evidence": {"severity": "low"}}),
     "params.weak_evidence needs a severity and a confidence"),
])
def test_malformed_rule_is_a_rule_error_naming_it(catalog, mutate, message):
    with pytest.raises(RuleError, match=__import__("re").escape(message)) as exc:
        load_rules(_with(catalog, mutate))
    assert str(exc.value).startswith("rules.yaml[")
    assert isinstance(exc.value, CatalogError)  # the CLI reports catalog problems one way


def test_retired_codes_cannot_come_back(catalog):
    code = catalog.rules[0]["code"]
    with pytest.raises(RuleError, match=f"code {code} is already used or retired"):
        load_rules(_with(catalog, lambda rs: None, retired=[code]))
    assert load_rules(_with(catalog, lambda rs: None, retired=["PS999"]))
