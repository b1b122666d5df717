"""Every rule is well-formed, cites real clauses, speaks both languages and has fixtures that
behave as expected (positive fires, negative does not)."""
from __future__ import annotations

import re
import string

import pytest
import yaml

from privascope.model import Bundle, from_data
from privascope.rules import evaluate, load_rules
from privascope.rules.definitions import RuleError
from privascope.rules.evaluators import EVALUATORS
from tests.rules.conftest import catalog_dir, fixture_files, load_fixture


def test_codes_names_texts_and_clauses(rules_catalog):
    rules = load_rules(rules_catalog)
    assert len(rules) >= 20
    codes = [r.code for r in rules]
    assert len(codes) == len(set(codes))
    for r in rules:
        assert re.fullmatch(r"PS[1-9]\d\d", r.code)
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", r.name)
        for key in ("title", "explanation", "message", "fix"):
            assert r.text(key, "zh") and r.text(key, "en")
            # Chinese text really is Chinese, English really is not
            assert re.search(r"[\u4e00-\u9fff]", r.text(key, "zh")), (r.code, key)
            assert not re.search(r"[\u4e00-\u9fff]", r.text(key, "en").replace("加固", "")), (r.code, key)
        for c in r.clauses:
            assert (c.framework, c.item) in rules_catalog.clauses
        # both message templates use the same placeholders
        fields = [{f for _, f, _, _ in string.Formatter().parse(r.text("message", lang)) if f}
                  for lang in ("zh", "en")]
        assert fields[0] == fields[1], r.code
        # static rules say so in the title; runtime/traffic rules say "observed"
        if r.source == "static":
            assert "(static)" in r.text("title", "en") and "静态" in r.text("title", "zh")
        if r.source in ("runtime", "traffic"):
            assert "observed" in r.text("title", "en") and "观察到" in r.text("title", "zh")


def test_every_rule_has_positive_and_negative_fixture(rules_catalog):
    codes = {r.code for r in load_rules(rules_catalog)}
    seen = {}
    for path in fixture_files():
        fx = load_fixture(path)
        seen[fx["rule"]] = [c["expect"] for c in fx["cases"]]
    assert codes <= set(seen), f"rules without fixtures: {sorted(codes - set(seen))}"
    for code, expects in seen.items():
        assert any(e > 0 for e in expects) and any(e == 0 for e in expects), code


def _cases():
    for path in fixture_files():
        fx = load_fixture(path)
        for case in fx["cases"]:
            yield pytest.param(fx["rule"], case, id=f"{fx['rule']}-{case['name']}")


@pytest.mark.parametrize("code,case", list(_cases()))
def test_fixture(rules_catalog, code, case):
    bundle = from_data(Bundle, case["bundle"])
    out = evaluate(bundle, catalog=rules_catalog)
    mine = [f for f in out.findings if f.rule == code]
    assert len(mine) == case["expect"], [f.message for f in mine]
    if "expect_confidence" in case:
        assert {f.confidence.value for f in mine} == {case["expect_confidence"]}
    for f in mine:
        assert f.fingerprint and f.message and f.message_zh and "?" not in f.message
        assert f.evidence or f.rule in ("PS305", "PS902")


def _broken(tmp_path, mutate):
    """Copy the catalog with a mutated rules.yaml."""
    from privascope.catalog import load_catalog

    for src in catalog_dir().glob("*.yaml"):
        (tmp_path / src.name).write_bytes(src.read_bytes())
    doc = yaml.safe_load((catalog_dir() / "rules.yaml").read_text(encoding="utf-8"))
    mutate(doc["rules"])
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    load_catalog.cache_clear()
    try:
        return load_catalog(str(tmp_path))
    finally:
        load_catalog.cache_clear()


@pytest.mark.parametrize("mutate,message", [
    (lambda rs: rs[1].update(code=rs[0]["code"]), "already used"),
    (lambda rs: rs[0].update(code="X1"), "PS101"),
    (lambda rs: rs[0].update(name="Bad_Name"), "kebab-case"),
    (lambda rs: rs[0]["title"].pop("en"), "languages"),
    (lambda rs: rs[0].update(clauses=[{"framework": "cac191", "item": "99.9"}]), "not in clauses"),
    (lambda rs: rs[0].update(evaluator="nope"), "unknown evaluator"),
    (lambda rs: rs[0].update(severity="urgent"), "severity"),
    (lambda rs: rs[0].update(colour="red"), "unknown keys"),
])
def test_bad_rules_are_rejected(tmp_path, mutate, message):
    cat = _broken(tmp_path, mutate)
    # the real clauses catalogue may lack what a dev catalogue has; only check the named error
    with pytest.raises(RuleError, match=re.escape(message)):
        load_rules(cat)


def test_evaluators_are_all_used(rules_catalog):
    used = {r.evaluator for r in load_rules(rules_catalog)}
    assert used == set(EVALUATORS)


def _rule(rules, code):
    return next(r for r in rules if r["code"] == code)


@pytest.mark.parametrize("mutate,message", [
    (lambda rs: _rule(rs, "PS401")["params"].pop("shared"), "params.shared must be a text"),
    (lambda rs: _rule(rs, "PS306")["params"]["reasons"]["for_domains"].update(en="for {hosts}"),
     "different placeholders"),
    (lambda rs: _rule(rs, "PS202")["params"]["unknown_sdk"].pop("zh"), "params.unknown_sdk"),
])
def test_texts_an_evaluator_needs_are_checked_when_rules_load(tmp_path, mutate, message):
    with pytest.raises(RuleError, match=re.escape(message)):
        load_rules(_broken(tmp_path, mutate))


def _string_literals(source: str) -> list[str]:
    """The string constants of a module, docstrings left out (they may name rules)."""
    import ast

    tree = ast.parse(source)
    docs = {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef)) and n.body
            and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
            and isinstance(n.value, str) and id(n) not in docs]


def test_no_rule_code_or_finding_text_in_evaluator_code():
    """Evaluators are generic: rule codes and the texts of findings belong to rules.yaml."""
    from tests.conftest import REPO

    for path in sorted((REPO / "analyzer" / "rules" / "evaluators").glob("*.py")):
        for text in _string_literals(path.read_text(encoding="utf-8")):
            assert not re.search(r"\bPS\d{3}\b", text), (path.name, text)
            # Chinese text in code is a finding text that escaped rules.yaml
            assert not re.search(r"[\u4e00-\u9fff]", text), (path.name, text)


def test_a_bad_rule_config_error_names_the_rule(rules_catalog):
    from privascope.rules import RuleConfigError
    from tests.rules.test_engine import _bundle

    with pytest.raises(RuleConfigError, match=r"^PS105: needs numeric params"):
        evaluate(_bundle("PS105"), catalog=rules_catalog, config={"PS105": {"max_events": "x"}})
