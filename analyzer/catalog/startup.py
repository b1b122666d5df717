"""Loader of startup.yaml: SDK init / deferred-start / consent APIs, async edges, flag readers.

Validated against the rest of the catalog (SDK ids must exist in sdks.yaml); every error names
the file and the entry in one line, like the main loader. `startup_catalog(catalog)` is the
typed way to read it from a loaded catalog.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional


from privascope.catalog.fields import CatalogError, read_catalog_file

FILE = "startup.yaml"
CATALOG_DIR = Path(__file__).resolve().parent
ROLES = ("init", "deferred", "consent")
_MEMBER = re.compile(r"^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+\.[A-Za-z_$][\w$]*$")
_CLASS = re.compile(r"^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$")


@dataclass(frozen=True)
class SdkApi:
    sdk: str
    role: str  # init | deferred | consent
    cls: str  # dotted class
    method: str
    source: str
    verified: bool

    @property
    def target(self) -> str:
        return f"{self.cls}.{self.method}"


@dataclass(frozen=True)
class SdkProvider:
    sdk: str
    cls: str  # dotted <provider> class by which the SDK starts itself
    source: str


@dataclass(frozen=True)
class AsyncEdge:
    cls: str  # dotted
    methods: tuple[str, ...]
    callbacks: tuple[str, ...]


@dataclass(frozen=True)
class StartupCatalog:
    version: str
    apis: tuple[SdkApi, ...]
    providers: tuple[SdkProvider, ...]
    async_edges: tuple[AsyncEdge, ...]
    flag_readers: tuple[tuple[str, str], ...]  # (dotted class, method); words: consent.yaml


def _split(member: str, where: str) -> tuple[str, str]:
    if not isinstance(member, str) or not _MEMBER.match(member):
        raise CatalogError(f"{FILE}: {where}: {member!r} is not 'dotted.Class.method'")
    cls, _, name = member.rpartition(".")
    return cls, name


def _strs(value, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v
                                                           for v in value):
        raise CatalogError(f"{FILE}: {where}: expected a non-empty list of strings")
    return tuple(value)


def parse_startup(doc, sdk_ids: set[str]) -> StartupCatalog:
    if not isinstance(doc, dict) or "version" not in doc:
        raise CatalogError(f"{FILE}: expected a mapping with a 'version' key")
    unknown = set(doc) - {"version", "sdk_apis", "async_edges", "consent_flag_readers"}
    if unknown:
        raise CatalogError(f"{FILE}: unknown top-level keys {sorted(unknown)}")
    apis: list[SdkApi] = []
    providers: list[SdkProvider] = []
    seen: dict[str, str] = {}
    for i, e in enumerate(doc.get("sdk_apis") or []):
        where = f"sdk_apis[{i}]"
        if not isinstance(e, dict):
            raise CatalogError(f"{FILE}: {where}: expected a mapping")
        where = f"sdk_apis[{i}] ({e.get('sdk')})"
        extra = set(e) - {"sdk", "source", "verified", "provider", *ROLES}
        if extra:
            raise CatalogError(f"{FILE}: {where}: unknown keys {sorted(extra)}")
        sdk = e.get("sdk")
        if sdk not in sdk_ids:
            raise CatalogError(f"{FILE}: {where}: sdk {sdk!r} is not in sdks.yaml")
        source = e.get("source")
        if not isinstance(source, str) or not source.startswith("https://"):
            raise CatalogError(f"{FILE}: {where}: 'source' must be the vendor guide's https URL")
        verified = e.get("verified")
        if not isinstance(verified, bool):
            raise CatalogError(f"{FILE}: {where}: 'verified' must be true or false")
        if not any(r in e for r in ROLES) and "provider" not in e:
            raise CatalogError(f"{FILE}: {where}: lists no init, deferred, consent or provider")
        for role in ROLES:
            for member in (_strs(e[role], f"{where}.{role}") if role in e else ()):
                cls, name = _split(member, f"{where}.{role}")
                if member in seen:
                    raise CatalogError(f"{FILE}: {where}: {member} already listed for "
                                       f"{seen[member]}")
                seen[member] = sdk
                apis.append(SdkApi(sdk, role, cls, name, source, verified))
        if "provider" in e:
            if not isinstance(e["provider"], str) or not _CLASS.match(e["provider"]):
                raise CatalogError(f"{FILE}: {where}: 'provider' must be a dotted class name")
            providers.append(SdkProvider(sdk, e["provider"], source))
    edges = []
    for i, e in enumerate(doc.get("async_edges") or []):
        where = f"async_edges[{i}]"
        if not isinstance(e, dict) or set(e) != {"class", "methods", "callbacks"}:
            raise CatalogError(f"{FILE}: {where}: expected class, methods, callbacks")
        if not isinstance(e["class"], str) or not _CLASS.match(e["class"]):
            raise CatalogError(f"{FILE}: {where}: 'class' must be a dotted class name")
        edges.append(AsyncEdge(e["class"], _strs(e["methods"], where + ".methods"),
                               _strs(e["callbacks"], where + ".callbacks")))
    readers = tuple(_split(m, "consent_flag_readers")
                    for m in _strs(doc.get("consent_flag_readers"), "consent_flag_readers"))
    return StartupCatalog(str(doc["version"]), tuple(apis), tuple(providers), tuple(edges),
                          readers)


def load_startup(directory: Optional[Path], sdk_ids: set[str],
                 versions: Optional[dict[str, str]] = None) -> StartupCatalog:
    """startup.yaml of `directory`, validated against the SDK ids; its version is recorded in
    `versions` (so the catalog fingerprint covers it) when given."""
    doc, version = read_catalog_file(Path(directory or CATALOG_DIR) / FILE)
    result = parse_startup(doc, sdk_ids)
    if versions is not None:
        versions["startup"] = version
    return result


def startup_catalog(catalog) -> StartupCatalog:
    """The catalog's startup.yaml, typed: load_catalog reads and validates it with the rest of
    the catalog, so every catalog has it."""
    assert isinstance(catalog.startup, StartupCatalog), "a catalog made by load_catalog"
    return catalog.startup
