"""`make demo`: scan the sample "sdk" app (built by `make samples`) exactly as
`privascope scan` does, write the reports, print their paths.

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
    args = parser.parse_args(argv)
    if not args.apk.is_file():
        print(f"demo: {args.apk} is missing: run `make samples` first", file=sys.stderr)
        return cli.EXIT_MISSING
    print(f"demo: scanning {args.apk}", flush=True)
    # the very code path of `privascope scan APK -o OUT` (static scan, rules, every format)
    return cli.main(["scan", str(args.apk), "-o", str(args.out), "--lang", args.lang,
                     "--format", ",".join(cli.FORMATS)])


if __name__ == "__main__":
    sys.exit(main())
