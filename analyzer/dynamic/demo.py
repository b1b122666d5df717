"""The dynamic half of `make demo`: the JVM host app (samples/jvm_host) run by `privascope
dynamic` with the `full` scenario, exactly as a user would type it:

    privascope dynamic --target "jvm:samples/build/jvm_host/classes:com.example.privhost.HostMain" \
        --scenario full --duration 3 -o out/demo/dynamic
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

REPO = Path(__file__).resolve().parents[2]
HOST_CLASSES = REPO / "samples" / "build" / "jvm_host" / "classes"
HOST_MAIN = "com.example.privhost.HostMain"
# a short heartbeat loop so the demo shows frequent reads within a few seconds
HOST_ARGS = "--loop 8 --interval-ms 250"


def run_dynamic_demo(out: Path, lang: str = "zh", duration: float = 3.0,
                     scenario: str = "full") -> tuple[int, Optional[Path]]:
    """-> (exit code, path of the HTML report or None)."""
    from analyzer import cli

    if not HOST_CLASSES.is_dir():
        print(f"demo: {HOST_CLASSES} is missing: run `make samples` first", file=sys.stderr)
        return cli.EXIT_MISSING, None
    print(f"demo: dynamic run of the JVM host app ({scenario} scenario)", flush=True)
    code = cli.main(["dynamic", "--target", f"jvm:{HOST_CLASSES}:{HOST_MAIN} {HOST_ARGS}",
                     "--scenario", scenario, "--duration", str(duration), "-o", str(out),
                     "--lang", lang, "--format", ",".join(cli.FORMATS)])
    html = out / "report.html"
    return code, (html if code in (cli.EXIT_OK, cli.EXIT_FINDINGS) and html.is_file() else None)
