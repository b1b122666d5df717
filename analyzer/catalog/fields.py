"""CatalogError and the small checks every catalog file's validator shares (required keys, known
keys, name shapes). Every error names the file and the entry, so a bad edit fails the lint test
with a useful message.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import yaml

from privascope.catalog.types import JAVA_TYPE, PRIMITIVES

# libyaml's safe loader when present (about 10x faster on sdks.yaml); same safe semantics
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CatalogError(ValueError):
    pass


def read_catalog_file(path: Path, error: type[CatalogError] = CatalogError
                      ) -> tuple[dict[str, Any], str]:
    """One catalog YAML file -> (its mapping, "version (sha256:12 hex)" for the catalog's
    fingerprint). Every failure is one line naming the file, raised as `error`."""
    if not path.exists():
        raise error(f"{path}: missing catalog file")
    blob = path.read_bytes()
    try:
        doc = yaml.load(blob, Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        # one line: the YAML error's own text spans several
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise error(f"{path}: not valid YAML{at}: {problem}") from None
    if not isinstance(doc, dict) or "version" not in doc:
        raise error(f"{path}: expected a mapping with a 'version' key")
    return doc, f"{doc['version']} (sha256:{hashlib.sha256(blob).hexdigest()[:12]})"


JAVA_NAME = re.compile(r"^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$")
HOST = re.compile(r"^(?=.{3,253}$)([a-z0-9-]+\.)+[a-z]{2,}$")
PI_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$")
MEMBER = re.compile(r"^[A-Za-z_$][\w$]*$")
# kind uri: a content URI (authority + optional path) or an absolute /sys or /proc file path
URI = re.compile(r"^(content://[A-Za-z0-9._-]+(/[A-Za-z0-9._/-]*)?|/(sys|proc)/[A-Za-z0-9._/-]+)$")


def valid_java_type(t: str) -> bool:
    m = JAVA_TYPE.match(t)
    return m is not None and (m.group("base") in PRIMITIVES or "." in m.group("base"))


def valid_prefix(prefix: str) -> bool:
    """A prefix must mean something: at least two package segments, and not a bare short one
    like 'com.a' (the εxodus false-positive class)."""
    if not JAVA_NAME.match(prefix) or prefix != prefix.strip("."):
        return False
    parts = prefix.split(".")
    return len(prefix) >= 6 and (len(parts) >= 3 or len(parts[-1]) >= 3)



def req_list(doc: dict, key: str, fname: str) -> list:
    items = doc.get(key)
    if not isinstance(items, list):
        raise CatalogError(f"{fname}: '{key}' must be a list")
    return items


def index(items, fname, keyfn):
    out = {}
    for item in items:
        k = keyfn(item)
        if k in out:
            raise CatalogError(f"{fname}: duplicate entry {k!r}")
        out[k] = item
    return out


def req(entry: dict, key: str, where: str, types=(str,)):
    if not isinstance(entry, dict):
        raise CatalogError(f"{where}: entry must be a mapping")
    if key not in entry:
        raise CatalogError(f"{where}: missing '{key}'")
    value = entry[key]
    if not isinstance(value, types) or (isinstance(value, str) and not value.strip()):
        raise CatalogError(f"{where}: '{key}' has a bad value {value!r}")
    return value


def known_keys(entry: object, allowed: set[str], where: str) -> dict:
    """`entry`, checked to be a mapping with no keys outside `allowed`."""
    if not isinstance(entry, dict):
        raise CatalogError(f"{where}: entry must be a mapping")
    extra = set(entry) - allowed
    if extra:
        raise CatalogError(f"{where}: unknown keys {sorted(extra)}")
    return entry

