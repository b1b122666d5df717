"""The catalog's value types: frozen dataclasses for each kind of entry, the `Catalog` that holds
them, and the closed vocabularies (allowed values) the loader checks entries against.

Conventions the consumers rely on (static scanner, Frida agent, traffic matcher, rules):
- Api.member is the Java member name; constructors are "<init>" (the agent maps it to Frida's
  "$init"); for kind "uri" it is the content URI or absolute file path itself.
- Api.overloads lists parameter types in Java source form ("int", "java.lang.String[]", nested
  classes with "$"); None means every overload. `java_type_descriptor` converts them to dex
  descriptors.
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

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, Optional

import privascope.catalog.indexes as indexes

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
# how much a call site of an API says about its PI type: weak = it can reveal it but routinely
# serves another purpose (resolving who handles one intent, the packages of one uid)
API_STRENGTHS = ("strong", "weak")
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

PRIMITIVES = {"boolean": "Z", "byte": "B", "char": "C", "short": "S", "int": "I", "long": "J",
              "float": "F", "double": "D"}
JAVA_TYPE = re.compile(r"^(?P<base>[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*)(?P<dims>(\[\])*)$")


def java_type_descriptor(java_type: str) -> str:
    """"java.lang.String[]" -> "[Ljava/lang/String;", "int" -> "I" (dex/JNI descriptor)."""
    m = JAVA_TYPE.match(java_type)
    if not m:
        raise ValueError(f"not a Java type: {java_type!r}")
    base, dims = m.group("base"), m.group("dims").count("[")
    core = PRIMITIVES.get(base) or "L" + base.replace(".", "/") + ";"
    return "[" * dims + core


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
    # values a device reports when the real one is withheld (the buggy ANDROID_ID, the 02:00:..
    # MAC, all-zero ids), plus pi_types.yaml's type-independent ones; see placeholder_key
    placeholders: frozenset[str] = frozenset()

    def is_placeholder(self, value: str) -> bool:
        return placeholder_key(value) in self.placeholders


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
    strength: str = "strong"  # API_STRENGTHS; the static rules grade severity/confidence by it

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
    # packages too generic to be a signature alone (an obfuscated or short top-level package the
    # SDK ships, e.g. old Umeng's u.aly): claimed only when the APK has this SDK by `prefixes`
    companion_prefixes: tuple[str, ...] = ()


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


def placeholder_key(value: str) -> str:
    """The form placeholders are compared in: lower case without separators, so
    "02:00:00:00:00:00", "02-00-00-00-00-00" and "020000000000" are one value."""
    return re.sub(r"[\s:-]", "", value).lower()


@dataclass(frozen=True)
class ConsentVocabulary:
    """consent.yaml: the words of consent dialogs, shared by the agent, the UI automation and the
    static scan (each reads its part; see the file's header)."""

    policy_phrases: tuple[str, ...]
    accept_words: tuple[str, ...]
    reject_words: tuple[str, ...]
    accept_exact: tuple[str, ...]
    reject_exact: tuple[str, ...]
    tick_words: tuple[str, ...]
    max_button_length: int
    policy_url_words: tuple[str, ...]
    consent_flag_words: tuple[str, ...] = ()  # saved consent flags (process-start analysis)


@dataclass(frozen=True)
class AgentKnowledge:
    """agent.yaml: what the Frida agent needs beyond apis.yaml and consent.yaml."""

    value_getters: dict[str, dict[str, str]]  # class -> getter -> PI type
    element_fields: tuple[str, ...]
    loader_classes: tuple[str, ...]


@dataclass(frozen=True)
class CardRange:
    network: str
    low: str  # first digits, compared with the number's prefix of the same length
    high: str

    def covers(self, number: str) -> bool:
        return self.low <= number[:len(self.low)] and number[:len(self.high)] <= self.high


@dataclass(frozen=True)
class Telecom:
    """telecom.yaml: numbering tables of the traffic detectors."""

    imei_reporting_bodies: frozenset[str]
    imsi_mcc: str
    imsi_mncs: frozenset[str]
    mobile_country_code: str
    mobile_prefixes: frozenset[str]
    card_ranges: tuple[CardRange, ...]

    def card_network(self, number: str) -> Optional[str]:
        """The card network whose issuer range covers the number, or None."""
        return next((r.network for r in self.card_ranges if r.covers(number)), None)


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
    consent: Optional[ConsentVocabulary] = None  # consent.yaml (always set by load_catalog)
    telecom: Optional[Telecom] = None  # telecom.yaml (always set by load_catalog)
    framework_prefixes: tuple[str, ...] = ()  # attribution.yaml: platform packages, not callers
    library_wrappers: tuple[str, ...] = ()  # attribution.yaml: library classes that read PI
    # on the app's behalf (their callers carry the finding)
    agent: Optional[AgentKnowledge] = None  # agent.yaml (always set by load_catalog)
    not_destinations: tuple[str, ...] = ()  # hosts.yaml: hosts in URLs nobody connects to
    public_suffixes: tuple[str, ...] = ()  # hosts.yaml: com.cn, co.uk, github.io, ...
    startup: Any = None  # startup.yaml, a catalog.startup.StartupCatalog (set by load_catalog)
    policy_terms: Any = None  # policy_terms.yaml, a catalog.policy_terms.PolicyTerms
    versions: dict[str, str] = field(default_factory=dict)  # file -> "version (sha256:12)"
    raw: dict[str, Any] = field(default_factory=dict, repr=False)  # parsed documents, for extras

    @property
    def fingerprint(self) -> str:
        """One short hash over every catalog file's content: equal fingerprints, equal knowledge."""
        blob = "\n".join(f"{k}={v}" for k, v in sorted(self.versions.items()))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]

    def apis_by_class(self) -> dict[str, tuple[Api, ...]]:
        """Catalog APIs grouped by their dotted class (uri entries under their consumer class)."""
        return indexes.apis_by_class(self)

    def clause(self, framework: str, item: str) -> Optional[Clause]:
        return self.clauses.get((framework, str(item)))

    def sdk_for_class(self, dotted_class: str, own_packages: tuple[str, ...] = (),
                      present: frozenset[str] = frozenset()) -> Optional[Sdk]:
        """Longest matching prefix wins, on package boundaries only; the app's own packages
        are claimed only by a prefix longer than them; companion prefixes only for SDKs in
        `present` (indexes.sdk_match)."""
        hit = indexes.sdk_match(self, dotted_class, own_packages, present)
        return hit[0] if hit else None

    def sdk_match(self, dotted_class: str, own_packages: tuple[str, ...] = (),
                  present: frozenset[str] = frozenset()) -> Optional[tuple[Sdk, str]]:
        """sdk_for_class plus the prefix that matched."""
        return indexes.sdk_match(self, dotted_class, own_packages, present)

    def sdk_for_host(self, host: str) -> Optional[Sdk]:
        """The SDK claiming the host or its nearest parent domain."""
        return indexes.sdk_for_host(self, host)
