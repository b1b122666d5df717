"""`BatchOptions`: what `run_batch` needs to know, as one frozen value checked when built.

cli.py builds it from the `batch` command's arguments; library callers build it directly. A bad
value raises UserError (exit code 2) naming the option.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from privascope.errors import UserError
from privascope.model import Severity
from privascope.reports import FILE_NAMES

LANGS = ("zh", "en")


@dataclass(frozen=True, kw_only=True)
class BatchOptions:
    inputs: tuple[Path, ...]  # APK files, directories or list files
    out: Path = Path("out")
    formats: tuple[str, ...] = ("json", "html", "sarif")  # json is always written (resume)
    lang: str = "zh"
    suppress: Optional[Path] = None
    fail_on: Optional[str] = None  # a severity: exit 1 when an app has a finding at or above
    jobs: int = 0  # worker processes; 0 = CPU count
    timeout: float = 300.0  # seconds per APK
    max_memory: int = 2048  # MB of address space per worker; 0 = no limit
    resume: bool = False
    scheduler: Optional[str] = None  # tcp://HOST:PORT of a Dask scheduler
    fail_on_error: bool = False  # exit 5 when some APK could not be analysed
    policy: tuple[Path, ...] = ()  # privacy-policy files given for every APK (--policy)
    policy_dir: Optional[Path] = None  # per-APK policies: DIR/<package>/ or DIR/<sha256>/

    def __post_init__(self) -> None:
        set_ = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731 - frozen
        set_("inputs", tuple(Path(p) for p in self.inputs))
        set_("out", Path(self.out))
        set_("formats", tuple(self.formats))
        if self.suppress is not None:
            set_("suppress", Path(self.suppress))
        set_("policy", tuple(Path(p) for p in self.policy))
        for f in self.policy:
            if not f.is_file():
                raise UserError(f"--policy {f}: no such file")
        if self.policy_dir is not None:
            set_("policy_dir", Path(self.policy_dir))
            if not self.policy_dir.is_dir():
                raise UserError(f"--policy-dir {self.policy_dir}: not a directory")
        if not self.inputs:
            raise UserError("no inputs: give APK files, directories or list files")
        bad = [f for f in self.formats if f not in FILE_NAMES]
        if bad or not self.formats:
            raise UserError(f"formats must be among {','.join(FILE_NAMES)}")
        if self.lang not in LANGS:
            raise UserError(f"--lang must be one of {', '.join(LANGS)}")
        if self.fail_on is not None and self.fail_on not in {s.value for s in Severity}:
            raise UserError(f"--fail-on must be one of {', '.join(s.value for s in Severity)}")
        if not _is_int(self.jobs) or self.jobs < 0:
            raise UserError("--jobs must be 0 (CPU count) or more")
        if isinstance(self.timeout, bool) or not isinstance(self.timeout, (int, float)) \
                or not math.isfinite(self.timeout) or self.timeout <= 0:
            raise UserError("--timeout must be a positive number of seconds")
        if not _is_int(self.max_memory) or (self.max_memory and self.max_memory < 128):
            raise UserError("--max-memory must be at least 128 MB (or 0 for no limit)")

    @property
    def workers(self) -> int:
        """How many worker processes the local pool runs."""
        return self.jobs or os.cpu_count() or 1

    @property
    def report_formats(self) -> tuple[str, ...]:
        """The formats each app gets: json always, as --resume and re-rendering read it."""
        return self.formats if "json" in self.formats else ("json",) + self.formats


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
