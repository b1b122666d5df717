"""The catalog: privascope's knowledge as data files, and the one loader that validates them.

Files (YAML, in this directory):
  pi_types.yaml     personal-information types
  permissions.yaml  Android permissions -> protection level, PI types
  apis.yaml         privacy-sensitive APIs (drives the static scanner AND the Frida agent)
  sdks.yaml         SDK / tracker signatures (class prefixes, hosts)
  clauses.yaml      regulation clauses that rules cite
  packers.yaml      packer (加固) signatures
  rules.yaml        rules: evidence -> findings (see analyzer/rules)

`load_catalog()` parses and cross-checks all of them once and returns a frozen `Catalog`. Every
error names the file and the entry, so a bad edit fails the lint test with a useful message.
"""
from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import yaml

CATALOG_DIR = Path(__file__).resolve().parent

DATA_SAFETY_CATEGORIES = (
    "location", "personal_info", "financial_info", "health_fitness", "messages",
    "photos_videos", "audio", "files_docs", "calendar", "contacts", "app_activity",
    "web_browsing", "app_info_performance", "device_or_other_ids",
)
PROTECTION_LEVELS = ("dangerous", "normal", "signature", "privileged", "special", "internal")
API_KINDS = ("method", "static_method", "constructor", "field", "uri")
CAPTURES = ("return", "args", "none", "return_list", "this")
SDK_CATEGORIES = (
    "ads", "analytics", "attribution", "push", "map_location", "social_login", "share",
    "payment", "crash", "risk_control", "device_id", "auth", "customer_support", "im",
    "speech_ai", "media", "hotfix", "cloud", "utility", "game", "marketing", "security", "other",
)

_JAVA_NAME = re.compile(r"^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$")
_HOST = re.compile(r"^(?=.{3,253}$)([a-z0-9-]+\.)+[a-z]{2,}$")


class CatalogError(ValueError):
    pass


@dataclass(frozen=True)
class PIType:
    id: str
    name_zh: str
    name_en: str
    data_safety: str
    immutable_device_id: bool
    sensitive: bool
    normalize: tuple[str, ...] = ()  # traffic normal forms, e.g. ("no_separators", "upper")


@dataclass(frozen=True)
class PermissionInfo:
    name: str
    protection_level: str
    pi_types: tuple[str, ...]
    name_zh: str
    name_en: str = ""


@dataclass(frozen=True)
class KeyArg:
    """For APIs whose PI depends on an argument, e.g. Settings.Secure.getString(cr, "android_id")."""

    index: int
    values: dict[str, str]  # argument value -> PI type


@dataclass(frozen=True)
class Api:
    id: str  # "android.telephony.TelephonyManager.getDeviceId" (class.member), or explicit for uri
    cls: str  # dotted class name, nested classes with '$'
    member: str  # method or field name; the URI itself for kind uri
    kind: str
    pi_type: str
    overloads: Optional[tuple[tuple[str, ...], ...]]  # None = every overload
    permission: Optional[str]
    capture: str
    key_arg: Optional[KeyArg] = None
    note: str = ""

    @property
    def smali_class(self) -> str:
        return "L" + self.cls.replace(".", "/") + ";"


@dataclass(frozen=True)
class Sdk:
    id: str
    name_en: str
    name_zh: str
    vendor: str
    country: str
    category: str
    prefixes: tuple[str, ...]
    hosts: tuple[str, ...]
    privacy_policy: Optional[str]
    source: str


@dataclass(frozen=True)
class Framework:
    id: str
    name_zh: str
    name_en: str
    reference: str


@dataclass(frozen=True)
class Clause:
    framework: str
    item: str
    title_zh: str
    title_en: str
    verified: bool

    @property
    def key(self) -> tuple[str, str]:
        return (self.framework, self.item)


@dataclass(frozen=True)
class Packer:
    id: str
    name: str
    vendor: str
    files: tuple[str, ...]  # regexes on APK entry names (lib/*/libjiagu.so ...)
    classes: tuple[str, ...]  # class-name prefixes (dotted)


@dataclass(frozen=True)
class Catalog:
    pi_types: dict[str, PIType]
    permissions: dict[str, PermissionInfo]
    apis: dict[str, Api]
    sdks: dict[str, Sdk]
    frameworks: dict[str, Framework]
    clauses: dict[tuple[str, str], Clause]
    packers: dict[str, Packer]
    rules: tuple[dict[str, Any], ...]  # validated in analyzer.rules (needs the rest of the catalog)
    versions: dict[str, str] = field(default_factory=dict)  # file -> "version (sha256:12)"
    raw: dict[str, Any] = field(default_factory=dict, repr=False)  # parsed documents, for extras

    def sdk_for_class(self, dotted_class: str) -> Optional[Sdk]:
        """Longest matching prefix wins, on package boundaries only."""
        return _prefix_index(self).lookup(dotted_class)

    def sdk_for_host(self, host: str) -> Optional[Sdk]:
        host = host.lower().rstrip(".")
        index = _host_index(self)
        parts = host.split(".")
        for i in range(len(parts) - 1):
            sdk = index.get(".".join(parts[i:]))
            if sdk is not None:
                return sdk
        return None


class _PrefixIndex:
    def __init__(self, sdks: dict[str, Sdk]):
        self._by_prefix = {p: s for s in sdks.values() for p in s.prefixes}

    def lookup(self, dotted_class: str) -> Optional[Sdk]:
        name = dotted_class
        while "." in name:
            name = name.rsplit(".", 1)[0]
            sdk = self._by_prefix.get(name)
            if sdk is not None:
                return sdk
        return None


# Lookup indexes, built once per loaded catalog (the catalog itself stays frozen).
_INDEXES: dict[tuple[str, int], Any] = {}


def _prefix_index(cat: Catalog) -> _PrefixIndex:
    key = ("p", id(cat))
    if key not in _INDEXES:
        _INDEXES[key] = _PrefixIndex(cat.sdks)
    return _INDEXES[key]


def _host_index(cat: Catalog) -> dict[str, Sdk]:
    key = ("h", id(cat))
    if key not in _INDEXES:
        _INDEXES[key] = {h: s for s in cat.sdks.values() for h in s.hosts}
    return _INDEXES[key]


# --------------------------------------------------------------------------- loading


@functools.lru_cache(maxsize=4)
def load_catalog(directory: Optional[str] = None) -> Catalog:
    base = Path(directory) if directory else CATALOG_DIR
    docs: dict[str, Any] = {}
    versions: dict[str, str] = {}
    for name in ("pi_types", "permissions", "apis", "sdks", "clauses", "packers", "rules"):
        path = base / f"{name}.yaml"
        if not path.exists():
            raise CatalogError(f"{path}: missing catalog file")
        blob = path.read_bytes()
        try:
            doc = yaml.safe_load(blob)
        except yaml.YAMLError as exc:
            raise CatalogError(f"{path}: not valid YAML: {exc}") from None
        if not isinstance(doc, dict) or "version" not in doc:
            raise CatalogError(f"{path}: expected a mapping with a 'version' key")
        docs[name] = doc
        versions[name] = f"{doc['version']} (sha256:{hashlib.sha256(blob).hexdigest()[:12]})"

    pi_types = _index(_load_pi_types(docs["pi_types"]), "pi_types.yaml", lambda p: p.id)
    permissions = _index(
        _load_permissions(docs["permissions"], pi_types), "permissions.yaml", lambda p: p.name
    )
    apis = _index(_load_apis(docs["apis"], pi_types, permissions), "apis.yaml", lambda a: a.id)
    sdks = _index(_load_sdks(docs["sdks"]), "sdks.yaml", lambda s: s.id)
    _check_prefixes_unique(sdks)
    frameworks, clauses = _load_clauses(docs["clauses"])
    packers = _index(_load_packers(docs["packers"]), "packers.yaml", lambda p: p.id)
    rules = tuple(_list(docs["rules"], "rules", "rules.yaml"))
    return Catalog(
        pi_types=pi_types, permissions=permissions, apis=apis, sdks=sdks, frameworks=frameworks,
        clauses=clauses, packers=packers, rules=rules, versions=versions, raw=docs,
    )


def _list(doc: dict, key: str, fname: str) -> list:
    items = doc.get(key)
    if not isinstance(items, list):
        raise CatalogError(f"{fname}: '{key}' must be a list")
    return items


def _index(items, fname, keyfn):
    out = {}
    for item in items:
        k = keyfn(item)
        if k in out:
            raise CatalogError(f"{fname}: duplicate entry {k!r}")
        out[k] = item
    return out


def _req(entry: dict, key: str, where: str, types=(str,)):
    if key not in entry:
        raise CatalogError(f"{where}: missing '{key}'")
    value = entry[key]
    if not isinstance(value, types) or (isinstance(value, str) and not value.strip()):
        raise CatalogError(f"{where}: '{key}' has a bad value {value!r}")
    return value


def _known_keys(entry: dict, allowed: set[str], where: str) -> None:
    extra = set(entry) - allowed
    if extra:
        raise CatalogError(f"{where}: unknown keys {sorted(extra)}")


def _load_pi_types(doc) -> list[PIType]:
    out = []
    for i, e in enumerate(_list(doc, "pi_types", "pi_types.yaml")):
        where = f"pi_types.yaml[{i}] {e.get('id')!r}"
        _known_keys(e, {"id", "name_zh", "name_en", "data_safety", "immutable_device_id",
                        "sensitive", "normalize", "note"}, where)
        cat = _req(e, "data_safety", where)
        if cat not in DATA_SAFETY_CATEGORIES:
            raise CatalogError(f"{where}: data_safety {cat!r} not one of {DATA_SAFETY_CATEGORIES}")
        out.append(PIType(
            id=_req(e, "id", where), name_zh=_req(e, "name_zh", where),
            name_en=_req(e, "name_en", where), data_safety=cat,
            immutable_device_id=_req(e, "immutable_device_id", where, (bool,)),
            sensitive=_req(e, "sensitive", where, (bool,)),
            normalize=tuple(e.get("normalize") or ()),
        ))
    return out


def _load_permissions(doc, pi_types) -> list[PermissionInfo]:
    out = []
    for i, e in enumerate(_list(doc, "permissions", "permissions.yaml")):
        where = f"permissions.yaml[{i}] {e.get('name')!r}"
        _known_keys(e, {"name", "protection_level", "pi_types", "name_zh", "name_en", "note"}, where)
        level = _req(e, "protection_level", where)
        if level not in PROTECTION_LEVELS:
            raise CatalogError(f"{where}: protection_level {level!r} not one of {PROTECTION_LEVELS}")
        pis = tuple(e.get("pi_types") or ())
        for p in pis:
            if p not in pi_types:
                raise CatalogError(f"{where}: unknown PI type {p!r}")
        out.append(PermissionInfo(
            name=_req(e, "name", where), protection_level=level, pi_types=pis,
            name_zh=_req(e, "name_zh", where), name_en=e.get("name_en", ""),
        ))
    return out


def _load_apis(doc, pi_types, permissions) -> list[Api]:
    out = []
    for i, e in enumerate(_list(doc, "apis", "apis.yaml")):
        where = f"apis.yaml[{i}] {e.get('class')}.{e.get('member')}"
        _known_keys(e, {"id", "class", "member", "kind", "pi_type", "overloads", "permission",
                        "capture", "key_arg", "note"}, where)
        cls = _req(e, "class", where)
        if not _JAVA_NAME.match(cls):
            raise CatalogError(f"{where}: class {cls!r} is not a dotted Java name")
        kind = _req(e, "kind", where)
        if kind not in API_KINDS:
            raise CatalogError(f"{where}: kind {kind!r} not one of {API_KINDS}")
        member = _req(e, "member", where)
        pi = _req(e, "pi_type", where)
        if pi not in pi_types:
            raise CatalogError(f"{where}: unknown PI type {pi!r}")
        perm = e.get("permission")
        if perm is not None and perm not in permissions:
            raise CatalogError(f"{where}: permission {perm!r} is not in permissions.yaml")
        capture = e.get("capture", "return")
        if capture not in CAPTURES:
            raise CatalogError(f"{where}: capture {capture!r} not one of {CAPTURES}")
        overloads = e.get("overloads")
        if overloads is not None:
            if not isinstance(overloads, list) or not all(isinstance(o, list) for o in overloads):
                raise CatalogError(f"{where}: overloads must be a list of parameter-type lists")
            overloads = tuple(tuple(str(t) for t in o) for o in overloads)
        key_arg = None
        if e.get("key_arg") is not None:
            ka = e["key_arg"]
            if not isinstance(ka, dict) or not isinstance(ka.get("index"), int) \
                    or not isinstance(ka.get("values"), dict) or not ka["values"]:
                raise CatalogError(f"{where}: key_arg needs an int 'index' and a 'values' mapping")
            for v in ka["values"].values():
                if v not in pi_types:
                    raise CatalogError(f"{where}: key_arg maps to unknown PI type {v!r}")
            key_arg = KeyArg(index=ka["index"], values=dict(ka["values"]))
        default_id = member if kind == "uri" else f"{cls}.{member}"
        out.append(Api(
            id=e.get("id", default_id), cls=cls, member=member, kind=kind, pi_type=pi,
            overloads=overloads, permission=perm, capture=capture, key_arg=key_arg,
            note=e.get("note", ""),
        ))
    return out


def _valid_prefix(prefix: str) -> bool:
    """A prefix must mean something: at least two package segments, and not a bare short one
    like 'com.a' (the εxodus false-positive class)."""
    if not _JAVA_NAME.match(prefix) or prefix != prefix.strip("."):
        return False
    parts = prefix.split(".")
    return len(prefix) >= 6 and (len(parts) >= 3 or len(parts[-1]) >= 3)


def _load_sdks(doc) -> list[Sdk]:
    out = []
    for i, e in enumerate(_list(doc, "sdks", "sdks.yaml")):
        where = f"sdks.yaml[{i}] {e.get('id')!r}"
        _known_keys(e, {"id", "name_en", "name_zh", "vendor", "country", "category", "prefixes",
                        "hosts", "privacy_policy", "source", "note"}, where)
        category = _req(e, "category", where)
        if category not in SDK_CATEGORIES:
            raise CatalogError(f"{where}: category {category!r} not one of {SDK_CATEGORIES}")
        prefixes = tuple(_req(e, "prefixes", where, (list,)))
        for p in prefixes:
            if not isinstance(p, str) or not _valid_prefix(p):
                raise CatalogError(f"{where}: prefix {p!r} is too short or not a package name")
        hosts = tuple(e.get("hosts") or ())
        for h in hosts:
            if not isinstance(h, str) or not _HOST.match(h):
                raise CatalogError(f"{where}: host {h!r} is not a lower-case host name")
        country = _req(e, "country", where)
        if not re.fullmatch(r"[A-Z]{2}", country):
            raise CatalogError(f"{where}: country must be an ISO 3166 alpha-2 code")
        out.append(Sdk(
            id=_req(e, "id", where), name_en=_req(e, "name_en", where),
            name_zh=_req(e, "name_zh", where), vendor=_req(e, "vendor", where), country=country,
            category=category, prefixes=prefixes, hosts=hosts,
            privacy_policy=e.get("privacy_policy"), source=_req(e, "source", where),
        ))
    return out


def _check_prefixes_unique(sdks: dict[str, Sdk]) -> None:
    seen: dict[str, str] = {}
    for sdk in sdks.values():
        for p in sdk.prefixes:
            if p in seen and seen[p] != sdk.id:
                raise CatalogError(f"sdks.yaml: prefix {p!r} claimed by {seen[p]!r} and {sdk.id!r}")
            seen[p] = sdk.id


def _load_clauses(doc):
    frameworks = {}
    for i, e in enumerate(_list(doc, "frameworks", "clauses.yaml")):
        where = f"clauses.yaml frameworks[{i}]"
        fw = Framework(id=_req(e, "id", where), name_zh=_req(e, "name_zh", where),
                       name_en=_req(e, "name_en", where), reference=e.get("reference", ""))
        if fw.id in frameworks:
            raise CatalogError(f"{where}: duplicate framework {fw.id!r}")
        frameworks[fw.id] = fw
    clauses = {}
    for i, e in enumerate(_list(doc, "clauses", "clauses.yaml")):
        where = f"clauses.yaml clauses[{i}] {e.get('framework')}/{e.get('item')}"
        _known_keys(e, {"framework", "item", "title_zh", "title_en", "verified", "note"}, where)
        fw = _req(e, "framework", where)
        if fw not in frameworks:
            raise CatalogError(f"{where}: unknown framework {fw!r}")
        c = Clause(framework=fw, item=str(_req(e, "item", where, (str, int, float))),
                   title_zh=_req(e, "title_zh", where), title_en=_req(e, "title_en", where),
                   verified=_req(e, "verified", where, (bool,)))
        if c.key in clauses:
            raise CatalogError(f"{where}: duplicate clause")
        clauses[c.key] = c
    return frameworks, clauses


def _load_packers(doc) -> list[Packer]:
    out = []
    for i, e in enumerate(_list(doc, "packers", "packers.yaml")):
        where = f"packers.yaml[{i}] {e.get('id')!r}"
        _known_keys(e, {"id", "name", "vendor", "files", "classes", "source", "note"}, where)
        files = tuple(e.get("files") or ())
        for f in files:
            try:
                re.compile(f)
            except re.error as exc:
                raise CatalogError(f"{where}: bad file regex {f!r}: {exc}") from None
        classes = tuple(e.get("classes") or ())
        if not files and not classes:
            raise CatalogError(f"{where}: needs 'files' or 'classes'")
        out.append(Packer(id=_req(e, "id", where), name=_req(e, "name", where),
                          vendor=e.get("vendor", ""), files=files, classes=classes))
    return out
