"""`make demo`: scan the sample "sdk" app (built by `make samples`) with `privascope scan`, then
run the JVM host app (samples/jvm_host) through `privascope dynamic` (full scenario: reject,
reopen and accept, background), and end with the paths of both HTML reports.

Both steps run the real command in a child process, exactly as a user would type it:

    privascope scan samples/build/sdk.apk -o out/demo
    privascope dynamic --target "jvm:samples/build/jvm_host/classes:com.example.privhost.HostMain" \
        --scenario full --duration 3 -o out/demo/dynamic

The sample embeds a stand-in for the Umeng SDK (real package prefix com.umeng.commonsdk) that
reads the IMEI, ANDROID_ID and the installed-app list, while the app itself reads the location:
the report shows each call site with the SDK it belongs to.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import Optional, Sequence

from privascope.errors import EXIT_FINDINGS, EXIT_MISSING, EXIT_OK

REPO = Path(__file__).resolve().parents[1]
DEMO_APK = REPO / "samples" / "build" / "sdk.apk"
HOST_CLASSES = REPO / "samples" / "build" / "jvm_host" / "classes"
HOST_MAIN = "com.example.privhost.HostMain"
# a short heartbeat loop so the demo shows frequent reads within a few seconds
HOST_ARGS = "--loop 8 --interval-ms 250"
ALL_FORMATS = "json,html,sarif"


def _privascope(*args: str) -> int:
    return subprocess.run([sys.executable, "-m", "privascope.cli", *args]).returncode


def run_dynamic_demo(out: Path, lang: str = "zh", duration: float = 3.0,
                     scenario: str = "full") -> tuple[int, Optional[Path]]:
    """-> (exit code, path of the HTML report or None)."""
    if not HOST_CLASSES.is_dir():
        print(f"demo: {HOST_CLASSES} is missing: run `make samples` first", file=sys.stderr)
        return EXIT_MISSING, None
    print(f"demo: dynamic run of the JVM host app ({scenario} scenario)", flush=True)
    code = _privascope("dynamic", "--target", f"jvm:{HOST_CLASSES}:{HOST_MAIN} {HOST_ARGS}",
                       "--scenario", scenario, "--duration", str(duration), "-o", str(out),
                       "--lang", lang, "--format", ALL_FORMATS)
    html = out / "report.html"
    return code, (html if code in (EXIT_OK, EXIT_FINDINGS) and html.is_file() else None)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m privascope.demo",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("out/demo"), help="report directory")
    parser.add_argument("--apk", type=Path, default=DEMO_APK, help="APK to scan")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh")
    parser.add_argument("--no-dynamic", action="store_true",
                        help="static scan only (skip the dynamic run of the JVM host app)")
    args = parser.parse_args(argv)
    if not args.apk.is_file():
        print(f"demo: {args.apk} is missing: run `make samples` first", file=sys.stderr)
        return EXIT_MISSING
    print(f"demo: scanning {args.apk}", flush=True)
    code = _privascope("scan", str(args.apk), "-o", str(args.out), "--lang", args.lang,
                       "--format", ALL_FORMATS)
    if args.no_dynamic or code not in (EXIT_OK, EXIT_FINDINGS):
        return code
    dyn_code, dyn_html = run_dynamic_demo(args.out / "dynamic", lang=args.lang)
    print(f"demo: static scan report:  {args.out / 'report.html'}")
    if dyn_html is not None:
        print(f"demo: dynamic run report:  {dyn_html}")
    return code if dyn_code in (EXIT_OK, EXIT_FINDINGS) else dyn_code


if __name__ == "__main__":
    sys.exit(main())
