"""Evaluators: one small function per kind of evidence pattern, named by rules.yaml.

An evaluator reads the bundle and yields `Hit`s; the engine turns hits into findings (texts,
clauses, fingerprints). Evaluators never format text and never decide severity: that is data.
"""
from __future__ import annotations

from privascope.rules.evaluators.base import (EVALUATORS, TEXT_PARAMS, Context, Evaluator, Hit,
                                             Text, evaluator, group_by, joined, phrase, short_api,
                                             text_problem)

# importing the evaluator modules registers them in EVALUATORS
import privascope.rules.evaluators.declarations  # noqa: E402,F401
import privascope.rules.evaluators.meta  # noqa: E402,F401
import privascope.rules.evaluators.runtime  # noqa: E402,F401
import privascope.rules.evaluators.startup  # noqa: E402,F401
import privascope.rules.evaluators.policy  # noqa: E402,F401
import privascope.rules.evaluators.static  # noqa: E402,F401
import privascope.rules.evaluators.traffic  # noqa: E402,F401

__all__ = ["EVALUATORS", "TEXT_PARAMS", "Context", "Evaluator", "Hit", "Text", "evaluator",
           "group_by", "joined", "phrase", "short_api", "text_problem"]
