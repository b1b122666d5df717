"""The rules engine: rule definitions + evaluators -> findings with texts, clauses, fingerprints."""
from __future__ import annotations

import dataclasses
import logging
from typing import Any, Optional

from privascope.catalog import Catalog
from privascope.rules.errors import RuleConfigError
from privascope.model import Bundle, Confidence, Finding, Severity
from privascope.rules.definitions import RuleDef
from privascope.rules.evaluators import EVALUATORS, Context, Hit
from privascope.rules.fingerprint import fingerprint

log = logging.getLogger("privascope.rules")
_CONF_RANK = {c: i for i, c in enumerate(Confidence)}
_APP_CODE = {"zh": "App自身代码", "en": "the app's own code"}
_SEP = {"zh": "、", "en": ", "}


def rule_params(rule: RuleDef, config: Optional[dict[str, Any]]) -> dict[str, Any]:
    params = dict(rule.params)
    params.update((config or {}).get(rule.code) or {})
    params["_rule_clauses"] = rule.clauses  # for evaluators that cite a subset per finding
    return params


def run_rules(bundle: Bundle, catalog: Catalog, rules: tuple[RuleDef, ...],
              config: Optional[dict[str, Any]] = None,
              errors: Optional[list[str]] = None) -> tuple[Finding, ...]:
    """Findings of every rule whose evidence kind this run collected. A rule that fails is
    logged and reported in `errors` (when given) instead of aborting the others."""
    errors = errors if errors is not None else []
    unknown = set(config or {}) - {r.code for r in rules}
    if unknown:
        raise RuleConfigError(f"rule config names unknown rule codes: {sorted(unknown)}")
    from privascope.rules.checklist import evidence_kinds

    ctx = Context(bundle=bundle, catalog=catalog)
    kinds = evidence_kinds(bundle)
    findings = []
    for rule in rules:
        if rule.source not in kinds:
            continue  # e.g. no static scan in this run: "no privacy policy found" means nothing
        try:
            found = [_finding(rule, hit, ctx)
                     for hit in EVALUATORS[rule.evaluator](ctx, rule_params(rule, config))]
        except RuleConfigError as exc:  # evaluators do not know their rule: name it here
            raise RuleConfigError(f"{rule.code}: {exc}") from None
        except Exception as exc:  # a bug in one rule must not lose the other findings or a batch
            log.error("rule %s failed on %s", rule.code, bundle.app.package, exc_info=True)
            errors.append(f"rule {rule.code} could not be evaluated: {type(exc).__name__}: {exc}")
            continue
        findings.extend(found)
    # deterministic order: most severe first, then by rule and fingerprint
    findings.sort(key=lambda f: (-f.severity.rank, f.rule, f.fingerprint))
    return tuple(findings)


def _finding(rule: RuleDef, hit: Hit, ctx: Context) -> Finding:
    confidence = rule.confidence
    if hit.confidence is not None and _CONF_RANK[hit.confidence] < _CONF_RANK[confidence]:
        confidence = hit.confidence
    severity = Severity(rule.severity)
    if hit.severity is not None and hit.severity.rank < severity.rank:  # never raised by a hit
        severity = hit.severity
    texts = {lang: _message(rule, hit, ctx, lang) for lang in ("zh", "en")}
    sdks = (hit.sdk,) if hit.sdk else ()
    clauses = rule.clauses
    if hit.clauses is not None:
        if not set(hit.clauses) <= set(rule.clauses):
            raise ValueError(f"{rule.code}: evaluator cited clauses the rule does not list")
        clauses = tuple(hit.clauses)
    fp = fingerprint(rule.code, ctx.bundle.app.package, hit.sdk,
                     hit.pi_types if hit.per_pi else (), hit.key)
    return Finding(
        rule=rule.code, name=rule.name,
        title=rule.text("title", "en"), title_zh=rule.text("title", "zh"),
        severity=severity, confidence=confidence,
        evidence=hit.evidence, pi_types=hit.pi_types, sdks=sdks, clauses=clauses,
        message=texts["en"], message_zh=texts["zh"],
        fix=rule.text("fix", "en"), fix_zh=rule.text("fix", "zh"),
        fingerprint=fp, source=rule.source,
    )


def sdk_name(ctx_or_catalog, bundle: Bundle, sdk_id: Optional[str], lang: str) -> str:
    if not sdk_id:
        return _APP_CODE[lang]
    for s in bundle.sdks:
        if s.id == sdk_id:
            return s.name_zh if lang == "zh" else s.name
    sdk = ctx_or_catalog.sdks.get(sdk_id)
    if sdk is not None:
        return sdk.name_zh if lang == "zh" else sdk.name_en
    return sdk_id


def pi_name(catalog: Catalog, pi: str, lang: str) -> str:
    t = catalog.pi_types.get(pi)
    if t is None:
        return pi
    return t.name_zh if lang == "zh" else t.name_en


class _Fields(dict):
    def __missing__(self, key: str) -> str:  # a typo in rules.yaml must not crash a batch
        return "?"


def _text(value: Any, lang: str) -> str:
    if isinstance(value, dict):
        return str(value.get(lang, ""))
    if isinstance(value, (list, tuple)):
        return _SEP[lang].join(_text(v, lang) for v in value)
    return str(value)


def _message(rule: RuleDef, hit: Hit, ctx: Context, lang: str) -> str:
    fields = _Fields({k: _text(v, lang) for k, v in hit.fields.items()})
    fields.setdefault("sdk", sdk_name(ctx.catalog, ctx.bundle, hit.sdk, lang))
    fields.setdefault("pi", _SEP[lang].join(pi_name(ctx.catalog, p, lang) for p in hit.pi_types)
                      or "?")
    return rule.text("message", lang).format_map(fields)


def replace_findings(bundle: Bundle, findings) -> Bundle:
    return dataclasses.replace(bundle, findings=tuple(findings))
