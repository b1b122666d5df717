"""Errors of the rules package, in a leaf module so evaluators can raise them without importing
the engine (which imports the evaluators)."""
from __future__ import annotations


class RuleConfigError(ValueError):
    """Bad rule parameters given through evaluate(config=...)."""
