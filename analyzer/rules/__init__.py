"""Rules: evidence -> findings with clause references.

Rules are data (analyzer/catalog/rules.yaml, validated by `definitions`); each names an
evaluator (analyzer/rules/evaluators) that finds the evidence. This package knows nothing of
androguard, Frida or mitmproxy: it reads the `Bundle` only.
"""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any, Optional, Union

from privascope.model import SCHEMA_VERSION, Bundle
from privascope.rules.definitions import RuleDef, RuleError, load_rules
from privascope.rules.engine import replace_findings, run_rules
from privascope.rules.errors import RuleConfigError
from privascope.rules.suppressions import SuppressionError, apply, load_suppressions
from privascope.rules.verdict import assess, fails

__all__ = ["evaluate", "fails", "load_rules", "RuleDef", "RuleError", "RuleConfigError",
           "SuppressionError"]


def evaluate(bundle: Bundle, catalog=None, suppressions: Union[str, Path, list, None] = None,
             config: Optional[dict[str, Any]] = None) -> Bundle:
    """Return `bundle` with `findings` filled (replacing any it had), suppressed ones marked,
    and its `assessment` (verdict + clause checklist) computed from them. The result carries
    the current schema version: this is also how an older bundle is migrated.

    suppressions: a YAML file path (see privascope.rules.suppressions) or parsed entries.
    config: per-rule parameter overrides, e.g. {"PS105": {"max_events": 5}}.
    Raises SuppressionError for a bad suppression file, RuleError for a bad rules.yaml.
    """
    if catalog is None:
        from privascope.catalog import load_catalog

        catalog = load_catalog()
    rules = load_rules(catalog)
    sup = load_suppressions(suppressions, known_rules={r.code for r in rules})
    errors: list[str] = []
    findings = run_rules(bundle, catalog, rules, config, errors)
    out = replace_findings(bundle, apply(findings, sup))
    if errors:  # shown under "method and limits"; earlier rule errors are replaced, not stacked
        kept = tuple(e for e in bundle.errors if not e.startswith("rule PS"))
        out = dataclasses.replace(out, errors=kept + tuple(errors))
    broken = {m.group(1) for m in map(re.compile(r"rule (PS\d+) ").match, errors) if m}
    return dataclasses.replace(out, assessment=assess(out, catalog, rules, broken),
                               schema_version=SCHEMA_VERSION)
