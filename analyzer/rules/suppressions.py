"""Suppression files (`--suppress FILE`): accepted findings, each with a mandatory reason.

    suppressions:
      - rule: PS202
        fingerprint: 3f2a...        # one finding (fingerprints are in every report)
        reason: Bugly crash reports are disclosed in policy v3 §4
      - rule: PS304
        sdk: umeng-common           # every PS304 finding about this SDK
        reason: listed in the SDK table of the privacy policy

Suppressed findings stay in the report with their reason; they do not count for --fail-on.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Union

import yaml

from privascope.model import Finding, Suppression

_CODE = re.compile(r"^PS\d{3}$")
_FP = re.compile(r"^[0-9a-f]{8,64}$")


class SuppressionError(ValueError):
    """A suppression file the user must fix; the message names the file and the entry."""


@dataclass(frozen=True)
class SuppressionRule:
    rule: str
    reason: str
    source: str
    fingerprint: Optional[str] = None
    sdk: Optional[str] = None

    def matches(self, f: Finding) -> bool:
        if f.rule != self.rule:
            return False
        if self.fingerprint is not None:
            return f.fingerprint == self.fingerprint
        return self.sdk in f.sdks


def load_suppressions(source: Union[str, Path, list, None],
                      known_rules: Optional[set[str]] = None) -> tuple[SuppressionRule, ...]:
    """A path to a YAML file, or already-parsed entries (a list of mappings)."""
    if source is None:
        return ()
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            # every value of this file is text: BaseLoader keeps an all-digit fingerprint pasted
            # unquoted (or "no", "0x1f") as written instead of turning it into a number or bool
            doc = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
        except OSError as exc:
            raise SuppressionError(f"{path}: cannot read suppression file: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise SuppressionError(f"{path}: suppression file is not UTF-8 text") from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 1})" if mark else ""
            raise SuppressionError(f"{path}: not valid YAML{where}") from None
        name = str(path)
    else:
        doc, name = {"suppressions": source}, "<suppressions>"
    entries = doc.get("suppressions") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise SuppressionError(f"{name}: expected a mapping with a 'suppressions' list")
    return tuple(_entry(e, i, name, known_rules) for i, e in enumerate(entries))


def _entry(e: Any, i: int, name: str, known_rules: Optional[set[str]]) -> SuppressionRule:
    where = f"{name}: suppressions[{i}]"
    if not isinstance(e, dict):
        raise SuppressionError(f"{where}: expected a mapping")
    extra = set(e) - {"rule", "fingerprint", "sdk", "reason"}
    if extra:
        raise SuppressionError(f"{where}: unknown keys {sorted(extra)}")
    rule = e.get("rule")
    if not isinstance(rule, str) or not _CODE.match(rule):
        raise SuppressionError(f"{where}: 'rule' must be a rule code like PS101")
    if known_rules is not None and rule not in known_rules:
        raise SuppressionError(f"{where}: unknown rule {rule}")
    reason = e.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise SuppressionError(f"{where}: a non-empty 'reason' is mandatory")
    fp, sdk = e.get("fingerprint"), e.get("sdk")
    if (fp is None) == (sdk is None):
        raise SuppressionError(f"{where}: give exactly one of 'fingerprint' or 'sdk'")
    if fp is not None and (not isinstance(fp, str) or not _FP.match(fp)):
        raise SuppressionError(f"{where}: 'fingerprint' must be the hex fingerprint from a report")
    if sdk is not None and (not isinstance(sdk, str) or not sdk.strip()):
        raise SuppressionError(f"{where}: 'sdk' must be an SDK id")
    return SuppressionRule(rule=rule, reason=reason.strip(), source=name, fingerprint=fp, sdk=sdk)


def apply(findings: tuple[Finding, ...], rules: tuple[SuppressionRule, ...]) -> tuple[Finding, ...]:
    import dataclasses

    out = []
    for f in findings:
        hit = next((r for r in rules if r.matches(f)), None)
        if hit is not None:
            f = dataclasses.replace(f, suppressed=Suppression(reason=hit.reason, source=hit.source))
        out.append(f)
    return tuple(out)
