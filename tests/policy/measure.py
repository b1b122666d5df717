"""Precision and recall of the policy reader on the test policies (gold.yaml), per kind.

Used by tests/policy/test_reading.py (which asserts floors) and by bench/policy.py (which prints
the figures for the closing note). Items are (document, PI type, negated) and (document, SDK id).
"""
from __future__ import annotations

from privascope.policy import read_file, read_policy
from tests.policy.conftest import FIXTURES, expand, gold


def measure(catalog) -> dict[str, dict]:
    found = {"pi": set(), "sdk": set()}
    truth = {"pi": set(), "sdk": set()}
    for name, g in gold().items():
        r = read_policy([read_file(FIXTURES / name)], catalog)
        found["pi"] |= {(name, d.pi_type, d.negated) for d in r.declared_pi}
        found["sdk"] |= {(name, d.sdk) for d in r.declared_sdks if d.sdk}
        truth["pi"] |= {(name, p, False) for p in expand(g.get("declared"), catalog)}
        truth["pi"] |= {(name, p, True) for p in expand(g.get("negated"), catalog)}
        truth["sdk"] |= {(name, s) for s in g.get("sdks") or ()}
    out = {}
    for kind in ("pi", "sdk"):
        tp = len(found[kind] & truth[kind])
        out[kind] = {"tp": tp, "fp": len(found[kind] - truth[kind]),
                     "fn": len(truth[kind] - found[kind]),
                     "precision": tp / len(found[kind]) if found[kind] else 1.0,
                     "recall": tp / len(truth[kind]) if truth[kind] else 1.0,
                     "false_positives": sorted(found[kind] - truth[kind]),
                     "misses": sorted(truth[kind] - found[kind])}
    return out
