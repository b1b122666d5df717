"""Append-only JSON-lines writer for runtime events: one line per event, flushed at once, so an
interrupted run keeps everything recorded so far. Only model objects (masked values) and
protocol bookkeeping are written; the session never passes raw values here."""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from privascope.model import to_data


class JsonlWriter:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Owner-only: even masked evidence is about a person's device.
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self._fh = os.fdopen(fd, "a", encoding="utf-8")
        self._lock = threading.Lock()
        self.lines = 0

    def write(self, kind: str, obj: Any) -> None:
        line = json.dumps({"kind": kind, "data": to_data(obj)}, ensure_ascii=False)
        with self._lock:
            if self._fh.closed:
                return
            self._fh.write(line + "\n")
            self._fh.flush()
            self.lines += 1

    def close(self) -> None:
        with self._lock:
            if not self._fh.closed:
                self._fh.close()


def read_jsonl(path: Path) -> list[dict]:
    """Lines of a (possibly interrupted) events file; a torn last line is ignored."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                break
    return out
