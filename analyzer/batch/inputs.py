"""Expand batch inputs (APK files, directories, list files) into an ordered list of APK paths.

A path named on the command line that does not exist is the user's typo: one-line error. A path
inside a list file that does not exist becomes an error record for that entry, so one stale line
does not stop a store's nightly batch.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

LIST_SUFFIXES = (".txt", ".lst", ".list")
ZIP_MAGIC = b"PK"


class InputError(Exception):
    """A batch input the user must fix (one line)."""


@dataclass(frozen=True)
class ApkInput:
    path: Path
    missing: Optional[str] = None  # reason when the entry cannot be opened at all


def _looks_like_list_file(path: Path) -> bool:
    """A list file is text: one path per line. Anything else (even a broken zip) is an APK
    candidate, so that a broken APK gets an error record rather than being read as a list."""
    suffix = path.suffix.lower()
    if suffix == ".apk":
        return False
    if suffix in LIST_SUFFIXES:
        return True
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    if head.startswith(ZIP_MAGIC) or b"\0" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    first = next((ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")), "")
    return first.lower().endswith(".apk") or os.sep in first


def _walk_dir(root: Path) -> Iterable[Path]:
    # followlinks=False: a symlink loop in a submission tree must not hang the batch
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            p = Path(dirpath) / name
            # regular files only: a FIFO or a link to /dev/zero named *.apk would block or
            # never end when hashed
            if name.lower().endswith(".apk") and p.is_file():
                yield p


def _read_list(list_file: Path) -> Iterable[ApkInput]:
    try:
        lines = list_file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{list_file}: cannot read list file: {exc}") from None
    for line in lines:
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        p = Path(entry)
        if not p.is_absolute():
            p = list_file.parent / p  # relative to the list file, not to the caller's cwd
        if p.is_dir():
            yield from (ApkInput(x) for x in _walk_dir(p))
        elif p.is_file():
            yield ApkInput(p)
        elif p.exists():
            yield ApkInput(p, missing=f"not a regular file (listed in {list_file.name})")
        else:
            yield ApkInput(p, missing=f"file not found (listed in {list_file.name})")


def expand_inputs(inputs: Iterable[Path]) -> list[ApkInput]:
    """Expand and de-duplicate (by resolved path, first occurrence wins) the batch inputs."""
    found: list[ApkInput] = []
    for raw in inputs:
        p = Path(raw)
        if p.is_dir():
            found.extend(ApkInput(x) for x in _walk_dir(p))
        elif p.is_file():
            found.extend(_read_list(p) if _looks_like_list_file(p) else [ApkInput(p)])
        elif p.exists():
            raise InputError(f"{p}: not a regular file or directory")
        else:
            raise InputError(f"{p}: no such file or directory")
    seen: set[str] = set()
    unique = []
    for item in found:
        key = os.path.realpath(item.path)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique
