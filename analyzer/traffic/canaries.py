"""Known personal values (canaries) and the one multi-pattern automaton that finds them.

Values arrive live from the Frida session (`add(pi_type, value, source_event_id)`) or from the
user (`--known imei=...`, a file of `pi_type=value` lines). Each value is expanded once into its
variants; all variants of all values live in one Aho-Corasick automaton, rebuilt lazily (at the
next scan) only when the set of values changed. Raw values stay in this process's memory.
"""
from __future__ import annotations

import os
import stat
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Optional

import ahocorasick_rs

from privascope import privacy
from privascope.catalog.types import placeholder_key
from privascope.traffic.variants import Variant, expand

DFA_MAX_VARIANTS = 5000
MIN_VALUE_LENGTH = 6  # shorter values ("0", "true", "wifi") match everywhere: never canaries


class KnownValueError(ValueError):
    """A user-supplied known value or file that cannot be used (one-line message)."""


@dataclass(frozen=True)
class Canary:
    pi_type: str
    digest: str
    preview: str
    source: Optional[str]  # runtime event id, or None for user-supplied values
    variants: tuple[Variant, ...]


@dataclass(frozen=True)
class CanaryHit:
    canary: Canary
    encoding: str
    start: int
    end: int  # exclusive


class CanaryStore:
    """Thread-safe: the Frida callback thread adds while the proxy thread scans."""

    def __init__(self, normalize: Optional[dict[str, tuple[str, ...]]] = None,
                 min_length: int = MIN_VALUE_LENGTH, known_types: Optional[Iterable[str]] = None,
                 combinations: Optional[dict[str, tuple[str, ...]]] = None,
                 placeholders: Optional[dict[str, frozenset[str]]] = None):
        self._normalize = dict(normalize or {})
        # pi type -> values a device reports when the real one is withheld (placeholder_key form)
        self._placeholders = dict(placeholders or {})
        self._combinations = dict(combinations or {})
        # With a catalog, user-given types are checked (and "imei" means "device.imei").
        self._known_types = frozenset(known_types) if known_types is not None else None
        self._min_length = min_length
        self._lock = threading.Lock()
        self._canaries: list[Canary] = []
        self._by_key: dict[tuple[str, str], int] = {}
        self._automaton: Optional[_Automaton] = None  # None = needs a rebuild
        self._variant_count = 0

    @classmethod
    def for_catalog(cls, catalog, **kw) -> "CanaryStore":
        """Normal forms, encoding chains and placeholder values per PI type come from the catalog
        (`normalize`, `combinations` and `placeholders` in pi_types.yaml)."""
        types = catalog.pi_types.values()
        return cls({p.id: p.normalize for p in types}, known_types=catalog.pi_types.keys(),
                   combinations={p.id: p.combinations for p in types},
                   placeholders={p.id: p.placeholders for p in types}, **kw)

    @classmethod
    def from_user(cls, catalog, specs: Iterable[str] = (), files: Iterable[Path | str] = ()) -> "CanaryStore":
        """The values a user gives: `--known pi_type=value` (repeatable) and files of such
        lines. Raises KnownValueError with a one-line message."""
        store = cls.for_catalog(catalog)
        for spec in specs:
            store.add_known_spec(spec)
        for f in files:
            store.load_file(f)
        return store

    # ------------------------------------------------------------------ adding values

    def add(self, pi_type: str, value: str, source_event_id: Optional[str] = None) -> Optional[Canary]:
        """Add one value; returns its canary, or None when the value is too short, a known
        placeholder, or already present (the first source is kept)."""
        if not isinstance(value, str):
            return None
        value = value.strip()
        if len(value) < self._min_length \
                or placeholder_key(value) in self._placeholders.get(pi_type, ()):
            return None
        key = (pi_type, value)
        with self._lock:
            if key in self._by_key:
                return None
        variants = tuple(expand(value, self._normalize.get(pi_type, ()), self._min_length,
                                self._combinations.get(pi_type, ())))
        canary = Canary(pi_type=pi_type, digest=privacy.digest(value), preview=privacy.mask(value),
                        source=source_event_id, variants=variants)
        with self._lock:
            if key in self._by_key:
                return None
            self._by_key[key] = len(self._canaries)
            self._canaries.append(canary)
            self._variant_count += len(variants)
            self._automaton = None
        return canary

    def add_known_spec(self, spec: str) -> Optional[Canary]:
        """`pi_type=value`, as given to `--known` or on one line of a known-values file."""
        pi_type, sep, value = spec.partition("=")
        pi_type = pi_type.strip()
        if not sep or not pi_type or not value.strip():
            raise KnownValueError(f"expected pi_type=value, got {privacy.mask(spec)!r}")
        return self.add(self.resolve_type(pi_type), value)

    def resolve_type(self, name: str) -> str:
        """A catalog PI type id; short forms such as "imei" or "android_id" mean device.*."""
        if self._known_types is None or name in self._known_types:
            return name
        for candidate in (f"device.{name}", name.replace("-", "_"), f"device.{name.replace('-', '_')}"):
            if candidate in self._known_types:
                return candidate
        raise KnownValueError(f"unknown PI type {name!r} (see analyzer/catalog/pi_types.yaml)")

    def load_file(self, path: Path | str) -> int:
        """Load a file of `pi_type=value` lines (# comments, blank lines allowed). Returns the
        number of values added. The file holds raw personal data: a warning is returned by
        `file_permission_warning` when others can read it."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise KnownValueError(f"cannot read known-values file {path}: {exc.__class__.__name__}") from None
        added = 0
        for n, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            try:
                added += self.add_known_spec(line) is not None
            except KnownValueError as exc:
                raise KnownValueError(f"{path}:{n}: {exc}") from None
        return added

    # ------------------------------------------------------------------ reading

    def __len__(self) -> int:
        return len(self._canaries)

    @property
    def variant_count(self) -> int:
        return self._variant_count

    def canaries(self) -> list[Canary]:
        with self._lock:
            return list(self._canaries)

    def _current_automaton(self) -> Optional["_Automaton"]:
        automaton = self._automaton
        if automaton is not None:
            return automaton
        with self._lock:
            if self._automaton is None and self._canaries:
                self._automaton = _Automaton(self._canaries)
            return self._automaton

    def scan(self, text: str) -> Iterator[CanaryHit]:
        """One pass over `text` for every variant of every canary."""
        automaton = self._current_automaton()
        if automaton is None or len(text) < self._min_length:
            return
        yield from automaton.scan(text)


class _Automaton:
    """All variants of all canaries in one Aho-Corasick automaton (immutable once built: a
    scan in progress keeps using the one it started with while a new one is built)."""

    def __init__(self, canaries: Iterable[Canary]):
        texts, self._info = [], []
        seen = set()
        for canary in canaries:
            for v in canary.variants:
                # A spelling shared by two canaries keeps the first: one value, one report.
                if v.text not in seen:
                    seen.add(v.text)
                    texts.append(v.text)
                    self._info.append((canary, v.encoding, v.text.isdigit()))
        self._texts = texts
        # Two automata over the same variants: bytes is ~3x faster, and for ASCII text (most
        # requests) byte offsets are character offsets. The str one serves non-ASCII text.
        # A DFA scans ~2x faster than the default NFA; its size grows with the patterns, so
        # only up to a few thousand variants (hundreds of canaries).
        impl = ahocorasick_rs.Implementation.DFA if len(texts) <= DFA_MAX_VARIANTS else None
        self._bytes_ac = ahocorasick_rs.BytesAhoCorasick([t.encode("utf-8") for t in texts],
                                                         implementation=impl)
        self._str_ac: Optional[ahocorasick_rs.AhoCorasick] = None

    def _find(self, text: str):
        if text.isascii():
            return self._bytes_ac.find_matches_as_indexes(text.encode("ascii"), overlapping=True)
        if self._str_ac is None:
            self._str_ac = ahocorasick_rs.AhoCorasick(self._texts)
        return self._str_ac.find_matches_as_indexes(text, overlapping=True)

    def scan(self, text: str) -> Iterator[CanaryHit]:
        n = len(text)
        for index, start, end in self._find(text):
            canary, encoding, digits = self._info[index]
            # A digit-only value inside a longer digit run is another number, not this value.
            if digits and ((start > 0 and text[start - 1].isdigit())
                           or (end < n and text[end].isdigit())):
                continue
            yield CanaryHit(canary, encoding, start, end)


def file_permission_warning(path: Path | str) -> Optional[str]:
    """Known-values files hold raw personal data: recommend owner-only permissions."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        return f"{path} is readable by other users; it holds raw personal data (chmod 600 it)"
    return None
