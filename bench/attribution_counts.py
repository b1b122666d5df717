"""Who the static scan says reads personal information, over the 36 corpus APKs (issue 13
items 6 and 7): call sites attributed to the app's own code / to SDKs / marked library (inside a
Jetpack/support wrapper), sites of weak APIs (apis.yaml strength) outside the libraries, sites
moved to a wrapper's caller, IMEI reads by owner; and the static findings by rule, severity,
confidence and owner. A precision count, not a timing: run it to compare two versions
(PYTHONPATH pointing at another checkout's package tree gives the "before").

    .venv/bin/python -m bench.attribution_counts [corpus_dir]
"""
from __future__ import annotations

import collections
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
WEAK = {"android.content.pm.PackageManager." + m
        for m in ("queryIntentActivities", "queryIntentServices", "getPackagesForUid")}
RULES = ("PS301", "PS302", "PS304")


def main(argv: list[str]) -> int:
    from privascope.catalog import load_catalog
    from privascope.rules import evaluate
    from privascope.static.scan import scan_apk

    corpus = Path(argv[0]) if argv else CORPUS
    cat = load_catalog()
    sites: collections.Counter = collections.Counter()
    findings: collections.Counter = collections.Counter()
    apks = sorted(corpus.glob("*.apk"))
    for path in apks:
        bundle = evaluate(scan_apk(path, cat), catalog=cat)
        for s in bundle.api_calls:
            library = getattr(s, "library", False)  # absent before issue 13 item 7
            sites["library" if library else "sdk" if s.sdk else "app"] += 1
            sites["weak"] += (not library and s.api in WEAK)
            sites["moved"] += bool(getattr(s, "via_wrapper", None))
            if not library and s.pi_type == "device.imei":
                sites["imei_sdk" if s.sdk else "imei_app"] += 1
        for f in bundle.findings:
            if f.rule in RULES:
                findings[(f.rule, f.severity.value, f.confidence.value,
                          "sdk" if f.sdks else "app")] += 1
    print(f"{len(apks)} APKs in {corpus}")
    print("call sites:", {k: sites[k] for k in ("app", "sdk", "library", "weak", "moved",
                                                 "imei_app", "imei_sdk")})
    for key in sorted(findings):
        print("finding", *key, findings[key])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
