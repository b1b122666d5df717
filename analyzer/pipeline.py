"""The analysis of one APK, the same for `privascope scan`, the batch worker and the static part
of `privascope dynamic`:

    static_evidence(apk)  every static step, in order -> Bundle without findings
    judge(bundle)         rules + suppressions + assessment (the one place rules are evaluated;
                          `report` and `dynamic` call it on their own bundles)
    analyze_apk(apk)      both

A new static step (as the privacy policy) is added to `static_evidence` and thereby reaches
every command. Process-start reachability is the exception: it is part of `scan_apk`, because
it builds its call graph in the same pass over each dex as the call-site scan.

Errors are the steps' own: ScanError for input that is not an APK, SuppressionError for a bad
suppression file; callers turn them into exit codes or error records.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

from privascope.catalog import Catalog
from privascope.model import Bundle


@dataclass(frozen=True, kw_only=True)
class AnalysisOptions:
    suppress: Optional[Path] = None  # suppression file (YAML)
    catalog: Optional[Catalog] = None  # None = the installed catalog
    policy: tuple[Path, ...] = ()  # privacy-policy files (--policy); the APK's own are found
    policy_dir: Optional[Path] = None  # batch: DIR/<package>/ or DIR/<sha256>/ policy files


def static_evidence(path: Union[str, Path], catalog: Optional[Catalog] = None,
                    policy: tuple[Path, ...] = (), policy_dir: Optional[Path] = None) -> Bundle:
    """Every static analysis step of one APK; raises ScanError when it is not an APK,
    PolicyFileError when a given policy file cannot be read."""
    from privascope.policy import analyze_policy, policy_files_for
    from privascope.static.scan import scan_apk

    bundle = scan_apk(path, catalog)
    # further static steps take and return the bundle here, in order
    files = list(policy) + (policy_files_for(policy_dir, bundle.app.package, bundle.app.sha256)
                            if policy_dir else [])
    bundle = analyze_policy(bundle, apk=path, files=files, catalog=catalog)
    return bundle


def judge(bundle: Bundle, suppress: Optional[Path] = None,
          catalog: Optional[Catalog] = None) -> Bundle:
    """The bundle with its findings, suppressions and assessment (replacing any it had)."""
    from privascope.model import app_traffic_only
    from privascope.policy import recompare
    from privascope.rules import evaluate

    # the one place the evidence is chosen: flows not made by the app's process (device
    # traffic) are neither policy evidence nor findings
    bundle = app_traffic_only(bundle)
    bundle = recompare(bundle, catalog)  # the policy against all the evidence the bundle has
    return evaluate(bundle, catalog=catalog, suppressions=suppress)


def analyze_apk(path: Union[str, Path], options: AnalysisOptions = AnalysisOptions()) -> Bundle:
    """Static evidence of one APK, judged."""
    return judge(static_evidence(path, options.catalog, options.policy, options.policy_dir),
                 options.suppress, options.catalog)
