"""TrafficEvents as JSON lines, written as flows arrive (one flushed line per event)."""
from __future__ import annotations

import os
import threading
from pathlib import Path

from privascope.model import TrafficEvent, from_json, to_json


class JsonlWriter:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._lock = threading.Lock()
        # Owner-only: events hold no raw values, but hosts and paths describe the user's use.
        # A new file per run: events of an earlier run would repeat its ids.
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._file = os.fdopen(fd, "w", encoding="utf-8")

    def write(self, event: TrafficEvent) -> None:
        line = to_json(event, indent=None)
        with self._lock:
            self._file.write(line + "\n")
            self._file.flush()

    def close(self) -> None:
        with self._lock:
            if not self._file.closed:
                self._file.close()


def read_events(path: Path | str) -> list[TrafficEvent]:
    """Read a JSONL file back; a line cut by a crash is skipped, not fatal."""
    events = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                events.append(from_json(TrafficEvent, line))
            except ValueError:
                continue
    return events
