"""`DynamicOptions`: what `run_dynamic` needs to know, as one frozen value checked when built.

cli.py builds it from the `dynamic` command's arguments; library callers (bench, demo, tests)
build it directly. A bad value raises UserError (exit code 2) naming the option.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from privascope.errors import UserError


@dataclass(frozen=True, kw_only=True)
class DynamicOptions:
    out: Path
    apk: Optional[Path] = None  # an Android app (needs serial) ...
    target: Optional[str] = None  # ... or "jvm:CLASSPATH:MAINCLASS [APP ARGS...]"
    serial: Optional[str] = None
    scenario: str = "full"  # an id of scenarios.yaml (looked up by run_dynamic)
    duration: float = 20.0  # seconds per scenario phase
    proxy_host: str = "127.0.0.1"  # must be loopback (checked where the proxy starts)
    proxy_port: int = 0  # 0 = any free port
    verbose: bool = False  # also mitmproxy's per-connection log lines

    def __post_init__(self) -> None:
        object.__setattr__(self, "out", Path(self.out))
        if self.apk is not None:
            object.__setattr__(self, "apk", Path(self.apk))
        if (self.apk is None) == (not self.target):
            raise UserError("give either an APK (with --serial) or --target "
                            "jvm:CLASSPATH:MAINCLASS")
        if isinstance(self.duration, bool) or not isinstance(self.duration, (int, float)) \
                or not math.isfinite(self.duration) or self.duration <= 0:
            raise UserError("--duration must be a positive number of seconds")
        if isinstance(self.proxy_port, bool) or not isinstance(self.proxy_port, int) \
                or not 0 <= self.proxy_port <= 65535:
            raise UserError("--proxy-port must be 0 (any free port) or a port number up to 65535")
        if not self.scenario:
            raise UserError("--scenario must name a scenario")
