"""Suppression files read directly (load_suppressions / apply): a reason is mandatory, every
malformed file or entry is one clear line naming the file and the entry, and matching marks
exactly the findings it names. (test_engine covers the same through `evaluate`.)"""
from __future__ import annotations

import dataclasses

import pytest

from privascope.model import Confidence, Finding, Severity
from privascope.rules.suppressions import SuppressionError, apply, load_suppressions

FP = "0123456789abcdef01234567"


def _finding(rule="PS101", fp=FP, sdks=("umeng-common",)):
    return Finding(rule=rule, name="x-y", title="t", severity=Severity.HIGH,
                   confidence=Confidence.HIGH, evidence=(), pi_types=(), sdks=sdks, clauses=(),
                   message="m", fix="f", fingerprint=fp)


def _load(tmp_path, text, known=None):
    path = tmp_path / "sup.yaml"
    path.write_text(text, encoding="utf-8")
    return path, load_suppressions(path, known_rules=known)


def test_reason_is_stripped_and_source_is_the_file(tmp_path):
    path, (rule,) = _load(tmp_path, f"suppressions:\n  - rule: PS101\n    fingerprint: '{FP}'\n"
                                    f"    reason: '  policy v3 §4  '\n")
    assert rule.reason == "policy v3 §4" and rule.source == str(path) and rule.sdk is None


@pytest.mark.parametrize("entry,message", [
    ({"rule": "PS101", "sdk": "a", "reason": "   "}, "non-empty 'reason' is mandatory"),
    ({"rule": "PS101", "sdk": "a", "reason": 5}, "'reason' is mandatory"),
    ({"rule": "PS101", "sdk": "a"}, "'reason' is mandatory"),
    ({"rule": "PS101", "sdk": " ", "reason": "r"}, "'sdk' must be an SDK id"),
    ({"rule": "PS101", "sdk": ["a"], "reason": "r"}, "'sdk' must be an SDK id"),
    ({"rule": "PS101", "fingerprint": 12345678, "reason": "r"}, "hex fingerprint"),
    ({"rule": "PS101", "fingerprint": "ABCDEF12", "reason": "r"}, "hex fingerprint"),
    ({"rule": "PS101", "fingerprint": "abc", "reason": "r"}, "hex fingerprint"),
    ({"rule": 101, "sdk": "a", "reason": "r"}, "rule code like PS101"),
    ("PS101", "expected a mapping"),
])
def test_bad_entries_name_the_entry(entry, message):
    with pytest.raises(SuppressionError, match=message) as exc:
        load_suppressions([{"rule": "PS102", "sdk": "ok", "reason": "fine"}, entry])
    assert str(exc.value).startswith("<suppressions>: suppressions[1]:")


def test_unknown_rule_is_checked_only_against_known_rules():
    entry = [{"rule": "PS998", "sdk": "a", "reason": "r"}]
    assert load_suppressions(entry)[0].rule == "PS998"
    with pytest.raises(SuppressionError, match="unknown rule PS998"):
        load_suppressions(entry, known_rules={"PS101"})


@pytest.mark.parametrize("content,message", [
    (b"", "'suppressions' list"),  # an empty file is a mistake, not "suppress nothing"
    (b"suppressions: {rule: PS101}", "'suppressions' list"),
    (b"- rule: PS101\n", "'suppressions' list"),
    (b"suppressions:\n  - rule: PS101\n   reason: bad indent\n", r"not valid YAML \(line \d+\)"),
    (b"\xff\xfe\x00bad", "not UTF-8"),
])
def test_malformed_files_are_one_clear_line(tmp_path, content, message):
    path = tmp_path / "sup.yaml"
    path.write_bytes(content)
    with pytest.raises(SuppressionError, match=message) as exc:
        load_suppressions(path)
    assert str(exc.value).startswith(str(path)) and "\n" not in str(exc.value)


def test_directory_is_not_a_suppression_file(tmp_path):
    with pytest.raises(SuppressionError, match="cannot read"):
        load_suppressions(tmp_path)


def test_empty_list_and_none_suppress_nothing(tmp_path):
    assert _load(tmp_path, "suppressions: []\n")[1] == ()
    assert load_suppressions(None) == ()
    findings = (_finding(),)
    assert apply(findings, ()) == findings


def test_apply_marks_exactly_the_named_findings():
    target, same_sdk_other_rule, other_fp = (_finding(), _finding(rule="PS102"),
                                              _finding(fp="f" * 24, sdks=()))
    rules = load_suppressions([
        {"rule": "PS101", "fingerprint": FP, "reason": "first"},
        {"rule": "PS101", "sdk": "umeng-common", "reason": "second"},
    ])
    out = apply((target, same_sdk_other_rule, other_fp), rules)
    assert out[0].suppressed.reason == "first"  # the first matching entry wins
    assert out[0].suppressed.source == "<suppressions>"
    assert out[1].suppressed is None  # a suppression is for one rule only
    assert out[2].suppressed is None  # other fingerprint, and no SDK to match
    assert dataclasses.replace(out[0], suppressed=None) == target  # nothing else changes
    assert target.suppressed is None  # inputs are not modified


def test_sdk_entry_matches_every_finding_of_that_sdk_and_rule():
    rules = load_suppressions([{"rule": "PS101", "sdk": "umeng-common", "reason": "listed"}])
    out = apply((_finding(fp="a" * 24), _finding(fp="b" * 24, sdks=("umeng-common", "jpush")),
                 _finding(fp="c" * 24, sdks=("jpush",))), rules)
    assert [f.suppressed is not None for f in out] == [True, True, False]


def test_unquoted_all_digit_fingerprint_is_accepted(tmp_path):
    # fingerprints are 24 hex digits; about 1 in 80000 has no letter, and the module docstring
    # shows them unquoted
    digits = "012345670123456701234567"  # leading zero and octal digits: YAML 1.1 would say octal
    _path, (rule,) = _load(tmp_path, f"suppressions:\n  - rule: PS101\n    fingerprint: {digits}\n"
                                     f"    reason: r\n")
    assert rule.fingerprint == digits
