"""The one JSON-lines format of privascope's live logs (runtime events, traffic events).

Each line is one record `{"kind": <what>, "data": <model object as plain data>}`, written as the
thing happens and flushed at once, so an interrupted run keeps everything recorded so far. Files
are owner-only: even masked evidence, hosts and paths describe a person's device and use. Only
model objects (masked values) are written; callers never pass raw personal values.

Readers skip a line they cannot decode (the torn last line of a killed run) instead of failing.
"""
from __future__ import annotations

import json
import os
import threading
import typing
from pathlib import Path
from typing import Any, Optional

from privascope.model import from_data, to_data

T = typing.TypeVar("T")


class JsonLinesWriter:
    """Thread-safe: the Frida callback thread or the proxy thread writes while others read."""

    def __init__(self, path: Path | str, append: bool = False):
        """`append`: continue an existing file; otherwise start a new one (an earlier run's
        records would repeat its event ids)."""
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
        fd = os.open(self.path, flags, 0o600)  # mode applies when the file is created
        os.fchmod(fd, 0o600)  # and an existing file is narrowed too
        self._fh = os.fdopen(fd, "a" if append else "w", encoding="utf-8")
        self._lock = threading.Lock()
        self.lines = 0

    def write(self, kind: str, obj: Any) -> None:
        """One record; a write after close() is dropped (late callbacks during teardown)."""
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

    def __enter__(self) -> "JsonLinesWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def read_records(path: Path | str, kind: Optional[str] = None) -> list[dict]:
    """The records of a (possibly interrupted) file, in order, optionally only one kind.
    Undecodable lines and lines that are not records are skipped."""
    out = []
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict) and isinstance(record.get("kind"), str) \
                    and "data" in record and (kind is None or record["kind"] == kind):
                out.append(record)
    return out


def read_objects(path: Path | str, kind: str, cls: type[T]) -> list[T]:
    """The `kind` records of a file as model objects; a record that does not fit is skipped."""
    out = []
    for record in read_records(path, kind):
        try:
            out.append(from_data(cls, record["data"]))
        except ValueError:  # ModelError: data of another version or a damaged line
            continue
    return out
