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

Conventions the consumers rely on (static scanner, Frida agent, traffic matcher, rules):
- Api.member is the Java member name; constructors are "<init>" (the agent maps it to Frida's
  "$init"); for kind "uri" it is the content URI or absolute file path itself.
- Api.overloads lists parameter types in Java source form ("int", "java.lang.String[]", nested
  classes with "$"); None means every overload. `java_type_descriptor` / `frida_type_name`
  convert them.
- Api.permission is the permission that governs the data (on the API itself or on the call that
  produced the object the API reads, e.g. Location.getLatitude -> ACCESS_FINE_LOCATION).
- Api.capture by kind: method/static_method any; constructor args|this|none; field return|none
  (none = static evidence only, e.g. CONTENT_URI constants); uri none (static evidence; at run
  time the read is seen through ContentResolver.query and its key_arg). `Api.hookable` says
  whether the Frida agent should hook the entry at all.
- key_arg: the PI type depends on one argument (Settings.Secure.getString(cr, "android_id")).
  `pi_type` is then the representative type (one of the key values). `KeyArg.resolve(value)`
  applies the match mode ("exact", or "prefix" for URIs and shell commands). With
  `key_required: true` a call whose key does not resolve is not PI evidence at all (generic
  APIs such as ContentResolver.query); otherwise it may be kept at low confidence.
- Api.runtime_class: the class to hook at run time when `class` only declares the method
  abstractly (PackageManager -> android.app.ApplicationPackageManager); `hook: false` marks an
  abstract/interface member with no implementation of known name (static evidence only).
"""
from __future__ import annotations

import functools
import hashlib
import re
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import yaml

CATALOG_DIR = Path(__file__).resolve().parent
# libyaml's safe loader when present (about 10x faster on sdks.yaml); same safe semantics
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

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

KEY_MATCH_MODES = ("exact", "prefix")
# Normal forms the traffic matcher derives from a known value before hashing/encoding it
# (implemented in analyzer/traffic/variants.py NORMALIZERS; keep the two lists in step).
NORMALIZE_FORMS = ("no_separators", "upper", "lower", "digits_only", "strip")
# Steps of an encoding chain ("md5_bytes>base64": base64 of the binary MD5 digest) that the
# traffic matcher also searches for (pi_types.yaml `combinations`). md5/sha1/sha256 give lower-case
# hex text; *_bytes give the binary digest, which must be followed by base64/base64url/hex.
CHAIN_TEXT_STEPS = NORMALIZE_FORMS + ("md5", "sha1", "sha256", "base64", "base64url", "hex", "url")
CHAIN_BYTES_STEPS = ("md5_bytes", "sha1_bytes", "sha256_bytes")
CHAIN_FROM_BYTES = ("base64", "base64url", "hex")
# Which captures make sense for which kind (see the module docstring).
CAPTURES_BY_KIND = {
    "method": CAPTURES,
    "static_method": ("return", "args", "none", "return_list"),
    "constructor": ("args", "this", "none"),
    "field": ("return", "none"),
    "uri": ("none",),
}

_JAVA_NAME = re.compile(r"^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$")
_HOST = re.compile(r"^(?=.{3,253}$)([a-z0-9-]+\.)+[a-z]{2,}$")
_PI_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$")
_MEMBER = re.compile(r"^[A-Za-z_$][\w$]*$")
_PRIMITIVES = {"boolean": "Z", "byte": "B", "char": "C", "short": "S", "int": "I", "long": "J",
               "float": "F", "double": "D"}
_JAVA_TYPE = re.compile(r"^(?P<base>[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*)(?P<dims>(\[\])*)$")
# kind uri: a content URI (authority + optional path) or an absolute /sys or /proc file path
_URI = re.compile(r"^(content://[A-Za-z0-9._-]+(/[A-Za-z0-9._/-]*)?|/(sys|proc)/[A-Za-z0-9._/-]+)$")


def java_type_descriptor(java_type: str) -> str:
    """"java.lang.String[]" -> "[Ljava/lang/String;", "int" -> "I" (dex/JNI descriptor)."""
    m = _JAVA_TYPE.match(java_type)
    if not m:
        raise ValueError(f"not a Java type: {java_type!r}")
    base, dims = m.group("base"), m.group("dims").count("[")
    core = _PRIMITIVES.get(base) or "L" + base.replace(".", "/") + ";"
    return "[" * dims + core


def frida_type_name(java_type: str) -> str:
    """The spelling Frida's `.overload(...)` expects: "java.lang.String", "int",
    "[Ljava.lang.String;", "[B"."""
    m = _JAVA_TYPE.match(java_type)
    if not m:
        raise ValueError(f"not a Java type: {java_type!r}")
    base, dims = m.group("base"), m.group("dims").count("[")
    if not dims:
        return base
    return "[" * dims + (_PRIMITIVES.get(base) or "L" + base + ";")


def _valid_java_type(t: str) -> bool:
    m = _JAVA_TYPE.match(t)
    return bool(m) and (m.group("base") in _PRIMITIVES or "." in m.group("base"))


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
    combinations: tuple[str, ...] = ()  # encoding chains, e.g. ("md5_bytes>base64",)


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
    match: str = "exact"  # "exact" | "prefix" (the argument starts with the listed value)

    def resolve(self, value: Optional[str]) -> Optional[str]:
        """PI type for an argument value (a Uri is passed as its string form), or None."""
        if value is None:
            return None
        if value in self.values:
            return self.values[value]
        if self.match == "prefix":
            # longest listed prefix wins, on a path/argument boundary ("content://sms" matches
            # "content://sms/inbox" but not "content://smsx")
            for key in sorted(self.values, key=len, reverse=True):
                if value.startswith(key) and (len(value) == len(key) or not _is_word(key[-1])
                                              or not _is_word(value[len(key)])):
                    return self.values[key]
        return None


def _is_word(ch: str) -> bool:
    # ASCII letters and digits only: the Frida agent applies the same rule ([A-Za-z0-9])
    return ch.isascii() and ch.isalnum()


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
    key_required: bool = False  # with key_arg: an unresolved key is no PI evidence at all
    runtime_class: Optional[str] = None  # hook this class instead when `cls` is abstract
    hook: bool = True  # false: static evidence only (abstract/interface member with no hookable
    # implementation of known name; the read is seen through another entry or not at all)

    @property
    def smali_class(self) -> str:
        return "L" + self.cls.replace(".", "/") + ";"

    @property
    def hookable(self) -> bool:
        """Whether the Frida agent hooks this entry (uri and capture-none fields are static
        evidence only)."""
        if not self.hook:
            return False
        return self.kind not in ("uri", "field") or (self.kind == "field" and self.capture != "none")

    @property
    def hook_class(self) -> str:
        return self.runtime_class or self.cls

    def overload_descriptors(self) -> Optional[tuple[tuple[str, ...], ...]]:
        """The overloads as dex descriptors (("Landroid/content/ContentResolver;", ...), ...)."""
        if self.overloads is None:
            return None
        return tuple(tuple(java_type_descriptor(t) for t in o) for o in self.overloads)


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
    item_pattern: str = ""  # regex every clause item of this framework must match


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
    source: str = ""  # where the signature comes from


@dataclass(frozen=True)
class Catalog:
    pi_types: dict[str, PIType]
    permissions: dict[str, PermissionInfo]
    apis: dict[str, Api]
    sdks: dict[str, Sdk]
    frameworks: dict[str, Framework]
    clauses: dict[tuple[str, str], Clause]
    packers: dict[str, Packer]
    rules: tuple[dict[str, Any], ...]  # validated in privascope.rules (needs the rest of the catalog)
    versions: dict[str, str] = field(default_factory=dict)  # file -> "version (sha256:12)"
    raw: dict[str, Any] = field(default_factory=dict, repr=False)  # parsed documents, for extras

    @property
    def fingerprint(self) -> str:
        """One short hash over every catalog file's content: equal fingerprints, equal knowledge."""
        blob = "\n".join(f"{k}={v}" for k, v in sorted(self.versions.items()))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]

    def apis_by_class(self) -> dict[str, tuple[Api, ...]]:
        """Catalog APIs grouped by their dotted class (uri entries under their consumer class)."""
        def build():
            grouped: dict[str, list[Api]] = {}
            for api in self.apis.values():
                grouped.setdefault(api.cls, []).append(api)
            return {c: tuple(a) for c, a in grouped.items()}
        return _cached_index("c", self, build)

    def clause(self, framework: str, item: str) -> Optional[Clause]:
        return self.clauses.get((framework, str(item)))

    def sdk_for_class(self, dotted_class: str) -> Optional[Sdk]:
        """Longest matching prefix wins, on package boundaries only."""
        hit = _prefix_index(self).lookup(dotted_class)
        return hit[0] if hit else None

    def sdk_match(self, dotted_class: str) -> Optional[tuple[Sdk, str]]:
        """sdk_for_class plus the prefix that matched."""
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

    def lookup(self, dotted_class: str) -> Optional[tuple[Sdk, str]]:
        name = dotted_class
        while "." in name:
            name = name.rsplit(".", 1)[0]
            sdk = self._by_prefix.get(name)
            if sdk is not None:
                return sdk, name
        return None


# Lookup indexes, built once per loaded catalog (the catalog itself stays frozen). Keyed by id()
# with a weak reference to check identity: a collected catalog's id may be reused by a new one.
_INDEXES: dict[tuple[str, int], tuple[Any, Any]] = {}


def _cached_index(kind: str, cat: "Catalog", build):
    key = (kind, id(cat))
    hit = _INDEXES.get(key)
    if hit is None or hit[0]() is not cat:
        hit = (weakref.ref(cat), build())
        _INDEXES[key] = hit
    return hit[1]


def _prefix_index(cat: Catalog) -> _PrefixIndex:
    return _cached_index("p", cat, lambda: _PrefixIndex(cat.sdks))


def _host_index(cat: Catalog) -> dict[str, Sdk]:
    return _cached_index("h", cat, lambda: {h: s for s in cat.sdks.values() for h in s.hosts})


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
            doc = yaml.load(blob, Loader=_SAFE_LOADER)
        except yaml.YAMLError as exc:
            # one line: the YAML error's own text spans several
            mark = getattr(exc, "problem_mark", None)
            at = f" at line {mark.line + 1}" if mark is not None else ""
            problem = getattr(exc, "problem", None) or type(exc).__name__
            raise CatalogError(f"{path}: not valid YAML{at}: {problem}") from None
        if not isinstance(doc, dict) or "version" not in doc:
            raise CatalogError(f"{path}: expected a mapping with a 'version' key")
        if name in _TOP_KEYS:
            _known_keys(doc, _TOP_KEYS[name], f"{name}.yaml")
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


_TOP_KEYS = {
    "pi_types": {"version", "default_combinations", "pi_types"},
    "permissions": {"version", "permissions"},
    "apis": {"version", "apis"},
    "clauses": {"version", "frameworks", "clauses"},
    "packers": {"version", "packers"},
}


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
    if not isinstance(entry, dict):
        raise CatalogError(f"{where}: entry must be a mapping")
    if key not in entry:
        raise CatalogError(f"{where}: missing '{key}'")
    value = entry[key]
    if not isinstance(value, types) or (isinstance(value, str) and not value.strip()):
        raise CatalogError(f"{where}: '{key}' has a bad value {value!r}")
    return value


def _known_keys(entry: dict, allowed: set[str], where: str) -> None:
    if not isinstance(entry, dict):
        raise CatalogError(f"{where}: entry must be a mapping")
    extra = set(entry) - allowed
    if extra:
        raise CatalogError(f"{where}: unknown keys {sorted(extra)}")


def _load_pi_types(doc) -> list[PIType]:
    out = []
    defaults = _chains(doc.get("default_combinations"), "pi_types.yaml default_combinations")
    for i, e in enumerate(_list(doc, "pi_types", "pi_types.yaml")):
        where = f"pi_types.yaml[{i}] {e.get('id') if isinstance(e, dict) else e!r}"
        _known_keys(e, {"id", "name_zh", "name_en", "data_safety", "immutable_device_id",
                        "sensitive", "normalize", "combinations", "note"}, where)
        pid = _req(e, "id", where)
        if not _PI_ID.match(pid):
            raise CatalogError(f"{where}: id must be lower_snake, optionally 'group.name'")
        cat = _req(e, "data_safety", where)
        if cat not in DATA_SAFETY_CATEGORIES:
            raise CatalogError(f"{where}: data_safety {cat!r} not one of {DATA_SAFETY_CATEGORIES}")
        normalize = e.get("normalize") or []
        if not isinstance(normalize, list) or any(n not in NORMALIZE_FORMS for n in normalize):
            raise CatalogError(f"{where}: normalize must be a list of {NORMALIZE_FORMS}")
        out.append(PIType(
            id=pid, name_zh=_req(e, "name_zh", where),
            name_en=_req(e, "name_en", where), data_safety=cat,
            immutable_device_id=_req(e, "immutable_device_id", where, (bool,)),
            sensitive=_req(e, "sensitive", where, (bool,)),
            normalize=tuple(normalize),
            combinations=defaults + _chains(e.get("combinations"), where),
        ))
    return out


def _chains(chains, where: str) -> tuple[str, ...]:
    """Validate encoding chains such as "no_separators>upper>md5" or "md5_bytes>base64"."""
    if chains is None:
        return ()
    if not isinstance(chains, list) or not all(isinstance(c, str) for c in chains):
        raise CatalogError(f"{where}: combinations must be a list of 'step>step' strings")
    for chain in chains:
        steps = chain.split(">")
        for i, step in enumerate(steps):
            if step not in CHAIN_TEXT_STEPS + CHAIN_BYTES_STEPS:
                raise CatalogError(f"{where}: combination {chain!r}: unknown step {step!r}")
            after_bytes = i > 0 and steps[i - 1] in CHAIN_BYTES_STEPS
            if after_bytes and step not in CHAIN_FROM_BYTES:
                raise CatalogError(f"{where}: combination {chain!r}: {steps[i - 1]} must be "
                                   f"followed by one of {CHAIN_FROM_BYTES}")
        if steps[-1] in CHAIN_BYTES_STEPS:
            raise CatalogError(f"{where}: combination {chain!r} ends in binary; add >hex or >base64")
    return tuple(chains)


def _load_permissions(doc, pi_types) -> list[PermissionInfo]:
    out = []
    for i, e in enumerate(_list(doc, "permissions", "permissions.yaml")):
        where = f"permissions.yaml[{i}] {e.get('name') if isinstance(e, dict) else e!r}"
        _known_keys(e, {"name", "protection_level", "pi_types", "name_zh", "name_en", "note"}, where)
        if not _JAVA_NAME.match(_req(e, "name", where)):
            raise CatalogError(f"{where}: name is not a dotted permission name")
        level = _req(e, "protection_level", where)
        if level not in PROTECTION_LEVELS:
            raise CatalogError(f"{where}: protection_level {level!r} not one of {PROTECTION_LEVELS}")
        if not isinstance(e.get("pi_types") or [], list):
            raise CatalogError(f"{where}: pi_types must be a list")
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
        if not isinstance(e, dict):
            raise CatalogError(f"apis.yaml[{i}]: entry must be a mapping")
        where = f"apis.yaml[{i}] {e.get('class')}.{e.get('member')}"
        _known_keys(e, {"id", "class", "member", "kind", "pi_type", "overloads", "permission",
                        "capture", "key_arg", "key_required", "runtime_class", "hook", "note"},
                    where)
        cls = _req(e, "class", where)
        if not _JAVA_NAME.match(cls):
            raise CatalogError(f"{where}: class {cls!r} is not a dotted Java name")
        kind = _req(e, "kind", where)
        if kind not in API_KINDS:
            raise CatalogError(f"{where}: kind {kind!r} not one of {API_KINDS}")
        member = _req(e, "member", where)
        if kind == "uri":
            if not _URI.match(member):
                raise CatalogError(f"{where}: member {member!r} is not a content:// URI or "
                                   "a /sys or /proc path")
            if not isinstance(e.get("id"), str) or not e["id"].startswith("uri:"):
                raise CatalogError(f"{where}: kind uri needs an explicit id starting 'uri:'")
        elif kind == "constructor":
            if member != "<init>":
                raise CatalogError(f"{where}: a constructor's member must be '<init>'")
        elif not _MEMBER.match(member):
            raise CatalogError(f"{where}: member {member!r} is not a Java identifier")
        pi = _req(e, "pi_type", where)
        if pi not in pi_types:
            raise CatalogError(f"{where}: unknown PI type {pi!r}")
        perm = e.get("permission")
        if perm is not None and perm not in permissions:
            raise CatalogError(f"{where}: permission {perm!r} is not in permissions.yaml")
        capture = e.get("capture", "return")
        if capture not in CAPTURES:
            raise CatalogError(f"{where}: capture {capture!r} not one of {CAPTURES}")
        if capture not in CAPTURES_BY_KIND[kind]:
            raise CatalogError(f"{where}: capture {capture!r} makes no sense for kind {kind!r} "
                               f"(use one of {CAPTURES_BY_KIND[kind]})")
        overloads = e.get("overloads")
        if overloads is not None:
            if kind in ("field", "uri"):
                raise CatalogError(f"{where}: kind {kind!r} has no overloads")
            if not isinstance(overloads, list) or not overloads \
                    or not all(isinstance(o, list) for o in overloads):
                raise CatalogError(f"{where}: overloads must be a list of parameter-type lists")
            for o in overloads:
                for t in o:
                    if not isinstance(t, str) or not _valid_java_type(t):
                        raise CatalogError(f"{where}: overload parameter {t!r} is not a Java "
                                           "type in source form (int, java.lang.String[], a$B)")
            overloads = tuple(tuple(o) for o in overloads)
            if len(set(overloads)) != len(overloads):
                raise CatalogError(f"{where}: an overload is listed twice")
        key_arg = None
        if e.get("key_arg") is not None:
            ka = e["key_arg"]
            if not isinstance(ka, dict) or not isinstance(ka.get("index"), int) \
                    or isinstance(ka.get("index"), bool) \
                    or not isinstance(ka.get("values"), dict) or not ka["values"]:
                raise CatalogError(f"{where}: key_arg needs an int 'index' and a 'values' mapping")
            _known_keys(ka, {"index", "values", "match"}, f"{where} key_arg")
            if kind not in ("method", "static_method", "constructor"):
                raise CatalogError(f"{where}: key_arg only applies to methods and constructors")
            if overloads is None:
                raise CatalogError(f"{where}: key_arg needs explicit overloads (to know the arity)")
            if ka["index"] < 0 or any(ka["index"] >= len(o) for o in overloads):
                raise CatalogError(f"{where}: key_arg index {ka['index']} is outside an overload's "
                                   "parameter list")
            if any(o[ka["index"]] not in ("java.lang.String", "android.net.Uri") for o in overloads):
                raise CatalogError(f"{where}: key_arg must point at a String or Uri parameter")
            match = ka.get("match", "exact")
            if match not in KEY_MATCH_MODES:
                raise CatalogError(f"{where}: key_arg match {match!r} not one of {KEY_MATCH_MODES}")
            for k, v in ka["values"].items():
                if not isinstance(k, str) or not k:
                    raise CatalogError(f"{where}: key_arg value {k!r} must be a non-empty string")
                if v not in pi_types:
                    raise CatalogError(f"{where}: key_arg maps to unknown PI type {v!r}")
            if pi not in ka["values"].values():
                raise CatalogError(f"{where}: pi_type {pi!r} must be one of the key_arg PI types")
            key_arg = KeyArg(index=ka["index"], values=dict(ka["values"]), match=match)
        key_required = e.get("key_required", False)
        if not isinstance(key_required, bool) or (key_required and key_arg is None):
            raise CatalogError(f"{where}: key_required is a boolean and needs key_arg")
        runtime_class = e.get("runtime_class")
        if runtime_class is not None and (not isinstance(runtime_class, str)
                                          or not _JAVA_NAME.match(runtime_class)):
            raise CatalogError(f"{where}: runtime_class {runtime_class!r} is not a dotted Java name")
        hook = e.get("hook", True)
        if not isinstance(hook, bool):
            raise CatalogError(f"{where}: hook must be true or false")
        default_id = member if kind == "uri" else f"{cls}.{member}"
        out.append(Api(
            id=e.get("id", default_id), cls=cls, member=member, kind=kind, pi_type=pi,
            overloads=overloads, permission=perm, capture=capture, key_arg=key_arg,
            note=e.get("note", ""), key_required=key_required, runtime_class=runtime_class,
            hook=hook,
        ))
    seen: dict[tuple[str, str], str] = {}
    for api in out:
        # one entry per member: the static scanner and the agent would otherwise report it twice
        k = ("uri", api.member) if api.kind == "uri" else (api.cls, api.member)
        if k in seen:
            raise CatalogError(f"apis.yaml: {api.id!r} duplicates {seen[k]!r} "
                               f"(same class and member {k[0]}.{k[1]})")
        seen[k] = api.id
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
        _known_keys(e, {"id", "name_zh", "name_en", "reference", "item_pattern", "note"}, where)
        pattern = e.get("item_pattern", "")
        try:
            re.compile(pattern)
        except (re.error, TypeError) as exc:
            raise CatalogError(f"{where}: bad item_pattern {pattern!r}: {exc}") from None
        fw = Framework(id=_req(e, "id", where), name_zh=_req(e, "name_zh", where),
                       name_en=_req(e, "name_en", where), reference=e.get("reference", ""),
                       item_pattern=pattern)
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
        pattern = frameworks[fw].item_pattern
        if pattern and not re.fullmatch(pattern, c.item):
            raise CatalogError(f"{where}: item {c.item!r} does not follow the {fw} convention "
                               f"{pattern!r}")
        if c.key in clauses:
            raise CatalogError(f"{where}: duplicate clause")
        clauses[c.key] = c
    return frameworks, clauses


def _load_packers(doc) -> list[Packer]:
    out = []
    for i, e in enumerate(_list(doc, "packers", "packers.yaml")):
        where = f"packers.yaml[{i}] {e.get('id') if isinstance(e, dict) else e!r}"
        _known_keys(e, {"id", "name", "vendor", "files", "classes", "source", "note"}, where)
        source = _req(e, "source", where)
        files = tuple(e.get("files") or ())
        for f in files:
            try:
                re.compile(f)
            except re.error as exc:
                raise CatalogError(f"{where}: bad file regex {f!r}: {exc}") from None
        classes = tuple(e.get("classes") or ())
        for c in classes:
            if not isinstance(c, str) or not _valid_prefix(c):
                raise CatalogError(f"{where}: class prefix {c!r} is too short or not a class name")
        if not files and not classes:
            raise CatalogError(f"{where}: needs 'files' or 'classes'")
        out.append(Packer(id=_req(e, "id", where), name=_req(e, "name", where),
                          vendor=e.get("vendor", ""), files=files, classes=classes,
                          source=source))
    return out
