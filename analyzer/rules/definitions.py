"""Rule definitions: the `rules` list of analyzer/catalog/rules.yaml, checked and typed.

The catalog loader hands rules over raw; this module validates them against the rest of the
catalog (clauses, PI types) and against the evaluator registry, so a bad edit fails with the
file, the rule code and what is wrong.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from privascope.catalog import Catalog, CatalogError
from privascope.model import ClauseRef, Confidence, Severity

CODE_RE = re.compile(r"^PS[1-9]\d{2}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$")
SOURCES = ("static", "runtime", "traffic", "any", "meta", "policy")  # any: reads whatever the run
# has; policy: the privacy policy next to the evidence (only when a policy text was read)
VERDICTS = ("fail", "review")
LANGS = ("zh", "en")
TEXT_KEYS = ("title", "explanation", "message", "fix")
_KEYS = {"code", "name", "evaluator", "source", "severity", "confidence", "verdict", "params",
         "clauses", "title", "explanation", "message", "fix", "note"}


class RuleError(CatalogError):
    pass


@dataclass(frozen=True)
class RuleDef:
    code: str
    name: str
    evaluator: str
    source: str
    severity: Severity
    confidence: Confidence
    verdict: str
    clauses: tuple[ClauseRef, ...]
    texts: dict[str, dict[str, str]]  # title/explanation/message/fix -> lang -> text
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, key: str, lang: str) -> str:
        return self.texts[key][lang]


def load_rules(catalog: Catalog) -> tuple[RuleDef, ...]:
    """Validate and return the catalog's rules, in file order."""
    from privascope.rules.evaluators import EVALUATORS, TEXT_PARAMS, text_problem

    retired = set((catalog.raw.get("rules") or {}).get("retired") or ())
    out: list[RuleDef] = []
    seen_codes: set[str] = set()
    seen_names: set[str] = set()
    for i, e in enumerate(catalog.rules):
        where = f"rules.yaml[{i}] {e.get('code') if isinstance(e, dict) else e!r}"
        if not isinstance(e, dict):
            raise RuleError(f"{where}: a rule must be a mapping")
        extra = set(e) - _KEYS
        if extra:
            raise RuleError(f"{where}: unknown keys {sorted(extra)}")
        code = _str(e, "code", where)
        if not CODE_RE.match(code):
            raise RuleError(f"{where}: code must look like PS101")
        if code in seen_codes or code in retired:
            raise RuleError(f"{where}: code {code} is already used or retired")
        name = _str(e, "name", where)
        if not NAME_RE.match(name):
            raise RuleError(f"{where}: name {name!r} is not kebab-case")
        if name in seen_names:
            raise RuleError(f"{where}: duplicate name {name!r}")
        evaluator = _str(e, "evaluator", where)
        if evaluator not in EVALUATORS:
            raise RuleError(f"{where}: unknown evaluator {evaluator!r}")
        source = _choice(e, "source", SOURCES, where)
        verdict = _choice(e, "verdict", VERDICTS, where)
        severity = Severity(_choice(e, "severity", tuple(s.value for s in Severity), where))
        confidence = Confidence(_choice(e, "confidence", tuple(c.value for c in Confidence), where))
        clauses = _clauses(e.get("clauses"), catalog, where, source)
        texts = {k: _bilingual(e, k, where) for k in TEXT_KEYS}
        params = e.get("params") or {}
        if not isinstance(params, dict):
            raise RuleError(f"{where}: params must be a mapping")
        for pi in params.get("pi_types") or ():
            if pi not in catalog.pi_types:
                raise RuleError(f"{where}: params.pi_types names unknown PI type {pi!r}")
        for perm in params.get("low_confidence_permissions") or ():
            if perm not in catalog.permissions:
                raise RuleError(f"{where}: params.low_confidence_permissions names unknown "
                                f"permission {perm!r}")
        weak = params.get("weak_evidence")
        if weak is not None and not (
                isinstance(weak, dict) and set(weak) == {"severity", "confidence"}
                and weak["severity"] in [s.value for s in Severity]
                and weak["confidence"] in [c.value for c in Confidence]):
            raise RuleError(f"{where}: params.weak_evidence needs a severity and a confidence "
                            f"(one of {[s.value for s in Severity]} / "
                            f"{[c.value for c in Confidence]})")
        for api in params.get("low_confidence_apis") or ():
            if api not in catalog.apis:
                raise RuleError(f"{where}: params.low_confidence_apis names unknown API {api!r}")
        for path in TEXT_PARAMS.get(evaluator, ()):  # texts the evaluator puts into findings
            problem = text_problem(params, path)
            if problem:
                raise RuleError(f"{where}: {problem}")
        seen_codes.add(code)
        seen_names.add(name)
        out.append(RuleDef(code=code, name=name, evaluator=evaluator, source=source,
                           severity=severity, confidence=confidence, verdict=verdict,
                           clauses=clauses, texts=texts, params=dict(params)))
    return tuple(out)


def _str(e: dict, key: str, where: str) -> str:
    v = e.get(key)
    if not isinstance(v, str) or not v.strip():
        raise RuleError(f"{where}: '{key}' must be a non-empty string")
    return v


def _choice(e: dict, key: str, allowed: tuple[str, ...], where: str) -> str:
    v = e.get(key)
    if v not in allowed:
        raise RuleError(f"{where}: '{key}' must be one of {allowed}, got {v!r}")
    return v


def _bilingual(e: dict, key: str, where: str) -> dict[str, str]:
    v = e.get(key)
    if not isinstance(v, dict) or set(v) != set(LANGS):
        raise RuleError(f"{where}: '{key}' needs exactly the languages {LANGS}")
    for lang in LANGS:
        if not isinstance(v[lang], str) or not v[lang].strip():
            raise RuleError(f"{where}: '{key}.{lang}' is empty")
    return {lang: v[lang].strip() for lang in LANGS}


def _clauses(items: Any, catalog: Catalog, where: str, source: str) -> tuple[ClauseRef, ...]:
    if not isinstance(items, list):
        raise RuleError(f"{where}: 'clauses' must be a list")
    if not items and source != "meta":  # only notes about the analysis itself cite nothing
        raise RuleError(f"{where}: a rule must cite at least one clause")
    refs = []
    for c in items:
        if not isinstance(c, dict) or set(c) != {"framework", "item"}:
            raise RuleError(f"{where}: clause refs are {{framework, item}} mappings")
        ref = ClauseRef(framework=str(c["framework"]), item=str(c["item"]))
        if (ref.framework, ref.item) not in catalog.clauses:
            raise RuleError(f"{where}: clause {ref.framework} {ref.item} is not in clauses.yaml")
        refs.append(ref)
    return tuple(refs)
