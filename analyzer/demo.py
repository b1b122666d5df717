"""`make demo`: scan the sample "sdk" app (built by `make samples`) exactly as
`privascope scan` does, then run the JVM host app through `privascope dynamic` (full scenario:
reject, reopen and accept, background), and end with the paths of both HTML reports.

The sample embeds a stand-in for the Umeng SDK (real package prefix com.umeng.commonsdk) that
reads the IMEI, ANDROID_ID and the installed-app list, while the app itself reads the location:
the report shows each call site with the SDK it belongs to.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional, Sequence

from analyzer import cli

REPO = Path(__file__).resolve().parents[1]
DEMO_APK = REPO / "samples" / "build" / "sdk.apk"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analyzer.demo", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("out/demo"), help="report directory")
    parser.add_argument("--apk", type=Path, default=DEMO_APK, help="APK to scan")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh")
    parser.add_argument("--no-dynamic", action="store_true",
                        help="static scan only (skip the dynamic run of the JVM host app)")
    args = parser.parse_args(argv)
    if not args.apk.is_file():
        print(f"demo: {args.apk} is missing: run `make samples` first", file=sys.stderr)
        return cli.EXIT_MISSING
    print(f"demo: scanning {args.apk}", flush=True)
    # the very code path of `privascope scan APK -o OUT` (static scan, rules, every format)
    code = cli.main(["scan", str(args.apk), "-o", str(args.out), "--lang", args.lang,
                     "--format", ",".join(cli.FORMATS)])
    if args.no_dynamic or code not in (cli.EXIT_OK, cli.EXIT_FINDINGS):
        return code
    from analyzer.dynamic.demo import run_dynamic_demo

    dyn_code, dyn_html = run_dynamic_demo(args.out / "dynamic", lang=args.lang)
    print(f"demo: static scan report:  {args.out / 'report.html'}")
    if dyn_html is not None:
        print(f"demo: dynamic run report:  {dyn_html}")
    return code if dyn_code in (cli.EXIT_OK, cli.EXIT_FINDINGS) else dyn_code


if __name__ == "__main__":
    sys.exit(main())
