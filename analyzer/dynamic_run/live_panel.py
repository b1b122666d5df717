"""Terminal progress of a dynamic run: current phase, reads, consent marks, requests, matches;
and a summary table at the end.

Counters are bumped from the Frida and mitmproxy threads, so they sit behind a lock. On a
terminal a rich Live panel redraws a few times a second; elsewhere (CI logs, tests) each phase
change and note is one plain line, so logs stay readable.
"""
from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Optional, TextIO

from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

from privascope.model import Bundle


class Progress:
    def __init__(self, console: Optional[Console] = None, file: Optional[TextIO] = None,
                 live: Optional[bool] = None):
        # stderr: stdout carries the report paths, which scripts read
        self.console = console or Console(file=file, stderr=file is None, highlight=False)
        if console is None and not self.console.is_terminal:
            self.console.width = max(self.console.width, 140)  # logs: do not squeeze tables
        self._live_wanted = self.console.is_terminal if live is None else live
        self._lock = threading.Lock()
        self._live: Optional[Live] = None
        self.started = time.monotonic()
        self.phase_label = "starting"
        self.reads: Counter[str] = Counter()  # pi_type -> reads
        self.reads_by_sdk: Counter[str] = Counter()
        self.consent: list[str] = []
        self.requests = 0
        self.matches: Counter[str] = Counter()  # "pi_type/encoding" -> matches
        self.notes: list[str] = []

    # ------------------------------------------------------------------ lifecycle
    def __enter__(self) -> "Progress":
        if self._live_wanted:
            self._live = Live(self._render(), console=self.console, refresh_per_second=4,
                              transient=True)
            self._live.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self._live is not None:
            self._live.__exit__(*exc)
            self._live = None

    def ask(self, question: str) -> str:
        """A question to the tester at the terminal (the live panel pauses meanwhile)."""
        live = self._live
        if live is not None:
            live.stop()
        try:
            return self.console.input(question)
        except EOFError:
            return "s"
        finally:
            if live is not None:
                live.start()

    # ------------------------------------------------------------------ events (any thread)
    def phase(self, label: str) -> None:
        with self._lock:
            self.phase_label = label
        self._emit(f"[phase] {label}")

    def info(self, message: str) -> None:
        """Shown while running, not repeated in the summary."""
        self._emit(f"[info] {message}")

    def note(self, message: str) -> None:
        with self._lock:
            self.notes.append(message)
        self._emit(f"[note] {message}")

    def on_read(self, pi_type: str, sdk: Optional[str]) -> None:
        with self._lock:
            self.reads[pi_type] += 1
            self.reads_by_sdk[sdk or "(app)"] += 1
        self._refresh()

    def on_consent(self, kind: str, detected_by: str) -> None:
        with self._lock:
            self.consent.append(kind)
        self._emit(f"[consent] {kind} ({detected_by})")

    def on_request(self, host: str, matches: list[tuple[str, str]]) -> None:
        with self._lock:
            self.requests += 1
            for pi_type, encoding in matches:
                self.matches[f"{pi_type}/{encoding}"] += 1
        if matches and self._live is None:
            found = ", ".join(sorted({f"{p} as {e}" for p, e in matches}))
            self._emit(f"[traffic] {host}: {found}")
        self._refresh()

    # ------------------------------------------------------------------ output
    def _emit(self, line: str) -> None:
        if self._live is not None:
            self._refresh()
        else:
            self.console.print(Text(line), soft_wrap=True)

    def _refresh(self) -> None:
        if self._live is not None:
            with self._lock:
                panel = self._render_unlocked()
            self._live.update(panel)

    def _render(self) -> Table:
        with self._lock:
            return self._render_unlocked()

    def _render_unlocked(self) -> Table:
        table = Table.grid(padding=(0, 2))
        elapsed = time.monotonic() - self.started
        table.add_row("phase", Text(f"{self.phase_label}  [{elapsed:.0f}s]"))
        table.add_row("reads", Text(_top(self.reads) or "-"))
        table.add_row("consent", Text(" → ".join(self.consent) or "-"))
        table.add_row("requests", Text(str(self.requests)))
        table.add_row("PI matches", Text(_top(self.matches) or "-"))
        return table

    def summary(self, bundle: Bundle, report_hint: str = "") -> None:
        """The end-of-run table: what was read, when, and where it went."""
        from privascope.dynamic_run.correlate import summarise_reads

        groups = summarise_reads(bundle)
        table = Table(title="privascope dynamic: reads and where they went", show_lines=False)
        for col in ("SDK", "PI type", "reads", "before consent", "after reject", "background",
                    "sent to"):
            table.add_column(col)
        for g in groups:
            sent = "; ".join(f"{f.host} ({'/'.join(f.encodings)}) ×{f.count}" for f in g.flows)
            table.add_row(Text(g.sdk or "(app)"), Text(g.pi_type), str(g.count),
                          str(g.phases.get("before", 0)), str(g.phases.get("after_reject", 0)),
                          str(g.states.get("background", 0)), Text(sent or "-"))
        self.console.print(table)
        matched = sum(1 for t in bundle.traffic if t.matches)
        self.console.print(Text(
            f"{len(bundle.runtime.api_calls) if bundle.runtime else 0} reads, "
            f"{len(bundle.traffic)} requests ({matched} carrying personal data); "
            + (f"{len(bundle.device_traffic)} other requests on the device (not the app's); "
               if bundle.device_traffic else "")
            + f"elapsed {time.monotonic() - self.started:.0f}s"
            + (f"; {report_hint}" if report_hint else "")))
        for note in self.notes:
            self.console.print(Text(f"note: {note}"))


def _top(counter: Counter[str], n: int = 6) -> str:
    return ", ".join(f"{k} ×{v}" for k, v in counter.most_common(n))
