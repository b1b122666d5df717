"""Batch progress: a live bar with counts, rate and ETA on a terminal; one plain line per APK
otherwise (CI logs, pipes), so logs stay greppable."""
from __future__ import annotations

import sys
import time
from typing import Optional, TextIO


class BatchProgress:
    def __init__(self, total: int, stream: Optional[TextIO] = None, tty: Optional[bool] = None):
        self.total = total
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.done = 0
        self.counts = {"ok": 0, "partial": 0, "error": 0, "resumed": 0}
        self.started = time.monotonic()
        self._bar = None
        if self.tty and total:
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                       TimeElapsedColumn, TimeRemainingColumn)

            self._bar = Progress(TextColumn("[bold]batch"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[stats]}"), TextColumn("{task.fields[rate]}"),
                                 TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                                 console=Console(file=self.stream), transient=False)
            self._task = self._bar.add_task("batch", total=total, stats=self._stats(), rate="")
            self._bar.start()

    def _stats(self) -> str:
        c = self.counts
        return f"ok {c['ok']} partial {c['partial']} error {c['error']} resumed {c['resumed']}"

    def rate_per_min(self) -> float:
        elapsed = time.monotonic() - self.started
        fresh = self.done - self.counts["resumed"]
        return fresh * 60.0 / elapsed if elapsed > 0 else 0.0

    def eta_s(self) -> Optional[float]:
        rate = self.rate_per_min()
        return (self.total - self.done) * 60.0 / rate if rate > 0 else None

    def update(self, rec: dict) -> None:
        self.done += 1
        self.counts["resumed" if rec.get("resumed") else rec.get("status", "error")] += 1
        if self._bar is not None:
            if rec.get("status") == "error":  # name each failure above the bar, markup-free
                self._bar.console.print(f"error  {rec.get('file_name')}  {rec.get('reason')}",
                                        markup=False, highlight=False)
            self._bar.update(self._task, advance=1, stats=self._stats(),
                             rate=f"{self.rate_per_min():.1f}/min")
            return
        eta = self.eta_s()
        what = "resumed" if rec.get("resumed") else rec.get("status")
        detail = rec.get("reason") or rec.get("package") or ""
        line = (f"[{self.done}/{self.total}] {what:<7} {rec.get('file_name')}"
                f"{'  ' + detail if detail else ''}  ({self.rate_per_min():.1f}/min"
                f"{f', ETA {eta:.0f} s' if eta is not None and self.done < self.total else ''})")
        print(line, file=self.stream, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
