"""Rules: evidence -> findings with clause references. (Placeholder until the rules engine lands.)"""
from __future__ import annotations


def evaluate(bundle, catalog=None, suppressions=None):
    return bundle
