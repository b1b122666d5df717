"""The one typed data model of privascope.

Every stage produces or consumes these frozen dataclasses; every report format renders the
`Bundle`. The JSON form is the schema of record (`schema_version`): `to_json` / `from_json` are
the only (de)serialisers, so a bundle written by one run can be re-rendered by another.

Raw personal data never enters this model: values are a `MaskedValue` (salted digest + masked
preview).
"""
from __future__ import annotations

import dataclasses
import enum
import json
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Optional, Union

# 1.1 adds `assessment`; a 1.0 bundle still loads, and `rules.evaluate` (which `privascope
# report` runs) fills the assessment and stamps the current version: that is the migration.
SCHEMA_VERSION = "1.1"


class Severity(str, enum.Enum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)

    @classmethod
    def worst_first(cls) -> tuple["Severity", ...]:
        return tuple(reversed(cls))


class Confidence(str, enum.Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Via(str, enum.Enum):
    """How a static call site reaches a catalog API."""

    INVOKE = "invoke"  # invoke-* instruction whose target is the catalog method
    FIELD = "field"  # sget of a catalog field (Build.SERIAL, ContactsContract...CONTENT_URI)
    URI = "uri"  # const-string of a catalog content URI ("content://sms")
    REFLECTION = "reflection"  # const-string naming the member next to reflection calls


class ConsentPhase(str, enum.Enum):
    BEFORE = "before"
    AFTER_ACCEPT = "after_accept"
    AFTER_REJECT = "after_reject"


class AppState(str, enum.Enum):
    FOREGROUND = "foreground"
    BACKGROUND = "background"
    UNKNOWN = "unknown"


class ConsentKind(str, enum.Enum):
    DIALOG_SHOWN = "dialog_shown"
    ACCEPT = "accept"
    REJECT = "reject"


class Destination(str, enum.Enum):
    FIRST_PARTY = "first_party"
    THIRD_PARTY = "third_party"
    UNKNOWN = "unknown"


class Origin(str, enum.Enum):
    """Whose request a proxy flow is. The device's global proxy carries every process: only
    flows the app's own process asked for are the app's (privascope.dynamic_run.correlate)."""

    APP = "app"
    DEVICE = "device"  # made by another process of the device (its app recorded no such request)
    UNKNOWN = "unknown"  # cannot be told (the app's connections were not recorded)


# --------------------------------------------------------------------------- shared pieces


@dataclass(frozen=True)
class MaskedValue:
    """A personal value as reports may show it: never the value itself."""

    digest: str  # "hmac-sha256:<hex>" keyed with the run's salt
    preview: str  # e.g. "86*********0123"
    length: int


@dataclass(frozen=True)
class ClauseRef:
    """A structured reference into the clause catalogue (validated by the catalog loader)."""

    framework: str  # e.g. "cac191", "miit164", "gbt41391", "pipl", "masvs", "playds"
    item: str  # e.g. "3.1", "art51", "MASVS-PRIVACY-1"


@dataclass(frozen=True)
class EvidenceRef:
    """A reference (not a copy) to one evidence item of the bundle, by its `id`."""

    kind: str  # "api_call" | "runtime_event" | "consent_event" | "traffic_event" | "permission" | ...
    id: str


# --------------------------------------------------------------------------- static evidence


@dataclass(frozen=True)
class Certificate:
    subject: str
    issuer: str
    sha256: str
    not_before: Optional[str] = None
    not_after: Optional[str] = None


@dataclass(frozen=True)
class AppInfo:
    package: str
    label: Optional[str] = None
    version_name: Optional[str] = None
    version_code: Optional[str] = None
    min_sdk: Optional[int] = None
    target_sdk: Optional[int] = None
    sha256: Optional[str] = None
    size_bytes: Optional[int] = None
    dex_count: int = 0
    file_name: Optional[str] = None
    certificates: tuple[Certificate, ...] = ()


@dataclass(frozen=True)
class ManifestFlags:
    debuggable: bool = False
    allow_backup: Optional[bool] = None  # None = not declared (platform default applies)
    uses_cleartext_traffic: Optional[bool] = None
    network_security_config: Optional[str] = None  # resource path when declared
    cleartext_permitted_domains: tuple[str, ...] = ()  # from the network security config
    cleartext_permitted_by_default: Optional[bool] = None  # effective base-config decision


@dataclass(frozen=True)
class Permission:
    name: str
    protection_level: str  # from the catalog; "unknown" for permissions it does not list
    pi_types: tuple[str, ...] = ()
    name_zh: Optional[str] = None
    id: str = ""
    custom: bool = False  # declared by the app itself (<permission> in its manifest)


@dataclass(frozen=True)
class Component:
    kind: str  # activity | service | receiver | provider
    name: str
    exported: bool
    id: str = ""


@dataclass(frozen=True)
class SdkPresence:
    id: str
    name: str
    name_zh: str
    vendor: str
    category: str
    matched_prefixes: tuple[str, ...]
    class_count: int
    calls_pi_apis: bool
    country: Optional[str] = None
    pi_types: tuple[str, ...] = ()  # PI types its own call sites reach
    # catalog hosts of this SDK named in the app's code; with class_count 0 the SDK is known
    # only by its hosts (obfuscated package names, e.g. CNZZ shipped as com.a.a)
    matched_hosts: tuple[str, ...] = ()


@dataclass(frozen=True)
class ApiCallSite:
    id: str
    api: str  # catalog API id, e.g. "android.telephony.TelephonyManager.getDeviceId"
    pi_type: str
    caller_class: str  # dotted Java name
    caller_method: str  # name + descriptor, e.g. "onCreate(Landroid/os/Bundle;)V"
    dex: str  # "classes2.dex", or "assets/x.jar!classes.dex" for nested code
    sdk: Optional[str]  # SDK id, None for the app's own code
    via: Via
    confidence: Confidence = Confidence.HIGH
    permission: Optional[str] = None
    # can a manifest component reach it (static call graph)? False = present but dead code as
    # far as the graph sees; None = not analysed
    reachable: Optional[bool] = None
    # inside a Jetpack/support class that reads PI on the app's behalf (attribution.yaml
    # library_wrappers): library code, not the app's own; no finding of its own
    library: bool = False
    # set on a site moved to the code that calls such a wrapper: the wrapper method it calls
    via_wrapper: Optional[str] = None


@dataclass(frozen=True)
class HostRef:
    host: str
    sample_urls: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()  # "classes.dex", "res/values/strings.xml", ...
    sdk: Optional[str] = None  # SDK whose catalog hosts include it


@dataclass(frozen=True)
class PrivacyPolicyRef:
    kind: str  # "url" | "text"
    value: str  # URL, or the matched phrase (never more than a short excerpt)
    source: str
    # SDK whose code or host alone carries it: the SDK's own policy, not the app's
    sdk: Optional[str] = None


@dataclass(frozen=True)
class PackerHit:
    id: str
    name: str
    evidence: tuple[str, ...]


# --------------------------------------------------------------------------- runtime evidence


@dataclass(frozen=True)
class RuntimeEvent:
    id: str
    time: float  # seconds since the epoch
    api: str
    pi_type: str
    value: Optional[MaskedValue]  # None when nothing was obtained
    obtained: bool
    exception: Optional[str]  # e.g. "java.lang.SecurityException: ..." (= not obtained)
    thread: str
    stack: tuple[str, ...]  # innermost first, "cls.method(File.java:12)"
    sdk: Optional[str]  # attributed from the nearest non-framework frame; None = the app
    caller: Optional[str]  # that frame
    app_state: AppState
    consent_phase: ConsentPhase


@dataclass(frozen=True)
class ConsentEvent:
    id: str
    time: float
    kind: ConsentKind
    detected_by: str  # "agent" | "ui_automation" | "key_press" | "scenario"
    text: Optional[str] = None  # the dialog or button text (app-controlled: escape when shown)


@dataclass(frozen=True)
class PermissionRequest:
    id: str
    time: float
    permissions: tuple[str, ...]
    granted: tuple[str, ...]  # results, when seen
    consent_phase: ConsentPhase
    caller: Optional[str] = None
    sdk: Optional[str] = None


@dataclass(frozen=True)
class AppStateChange:
    id: str
    time: float
    state: AppState
    activity: Optional[str] = None


@dataclass(frozen=True)
class ComponentLaunch:
    """Starting a component of another package (关联启动)."""

    id: str
    time: float
    kind: str  # activity | service | broadcast
    target_package: str
    target: str
    consent_phase: ConsentPhase
    sdk: Optional[str] = None


@dataclass(frozen=True)
class NetConnection:
    """A connection the app's own process opened or asked for (agent net:connect)."""

    id: str
    time: float
    kind: str  # http | okhttp | webview | cronet (an HTTP stack) | socket | channel | native
    host: Optional[str]  # name asked for; None for a native connect (address only)
    ip: Optional[str]
    port: int
    transport: str = "tcp"  # tcp | udp
    via_proxy: Optional[bool] = None  # as the HTTP stack said; None = it cannot tell
    error: Optional[str] = None  # the attempt failed
    module: Optional[str] = None  # native: library that called connect()
    in_http: bool = False  # opened inside a hooked HTTP-stack call: that request's socket
    sdk: Optional[str] = None
    caller: Optional[str] = None


@dataclass(frozen=True)
class RuntimeEvidence:
    target: str  # "jvm:..." or "android:SERIAL/PACKAGE"
    started_at: float
    ended_at: Optional[float]
    api_calls: tuple[RuntimeEvent, ...] = ()
    consent: tuple[ConsentEvent, ...] = ()
    permission_requests: tuple[PermissionRequest, ...] = ()
    app_states: tuple[AppStateChange, ...] = ()
    component_launches: tuple[ComponentLaunch, ...] = ()
    agent_errors: tuple[str, ...] = ()
    # device clock minus host clock as measured at the session's start (ms); every time above is
    # already host time (the session subtracts it where events enter the model)
    clock_offset_ms: float = 0.0
    connections: tuple[NetConnection, ...] = ()
    net_hooks: tuple[str, ...] = ()  # where the agent recorded them (none: not recorded)


# --------------------------------------------------------------------------- traffic evidence


@dataclass(frozen=True)
class PIMatch:
    pi_type: str
    encoding: str  # raw | upper | lower | url | base64 | base64url | hex | md5 | sha1 | sha256 | ...
    location: str  # path | query | header | cookie | body | websocket
    key: Optional[str]  # query/form/JSON key or header name, when known
    preview: str  # masked
    detector: str  # "known" for canaries, else the pattern detector's id (e.g. "imei")
    digest: Optional[str] = None  # digest of the matched canary value, for correlation
    canary_source: Optional[str] = None  # runtime event id that produced the canary, if any


@dataclass(frozen=True)
class TrafficEvent:
    id: str
    time: float
    method: str
    scheme: str  # http | https | ws | wss
    host: str
    port: int
    path: str  # without the query string
    destination: Destination
    sdk: Optional[str]  # SDK whose catalog hosts matched
    matches: tuple[PIMatch, ...] = ()
    truncated: bool = False
    consent_phase: Optional[ConsentPhase] = None
    app_state: Optional[AppState] = None
    related_events: tuple[str, ...] = ()  # runtime event ids whose values were found here
    origin: Origin = Origin.APP
    origin_reason: Optional[str] = None  # why it is (not) the app's, when decided

    @property
    def cleartext(self) -> bool:
        return self.scheme in ("http", "ws")


# --------------------------------------------------------------------------- findings


@dataclass(frozen=True)
class Suppression:
    reason: str
    source: str  # the suppression file


@dataclass(frozen=True)
class Finding:
    rule: str  # stable code, e.g. "PS101"
    name: str  # kebab-case problem name, e.g. "pi-collected-before-consent"
    title: str
    severity: Severity
    confidence: Confidence
    evidence: tuple[EvidenceRef, ...]
    pi_types: tuple[str, ...]
    sdks: tuple[str, ...]
    clauses: tuple[ClauseRef, ...]
    message: str  # what was found, specific to this app
    fix: str
    fingerprint: str
    suppressed: Optional[Suppression] = None
    # title/message/fix above are English; these carry the Chinese texts (reports pick by --lang)
    title_zh: str = ""
    message_zh: str = ""
    fix_zh: str = ""
    source: str = ""  # evidence kind the rule reads: "static" (present/reachable) | "runtime" |
    # "traffic" (observed) | "meta" (limits of the analysis itself)


# --------------------------------------------------------------------------- privacy policy
# (privascope.policy: what the policy declares, next to the evidence; issue 10's JSON contract)


@dataclass(frozen=True)
class PolicySource:
    kind: str  # "asset" (in the APK) | "file" (--policy) | "string" (a resource string)
    path: str
    language: str  # zh | en | mixed
    sha256: str  # of the bytes read


@dataclass(frozen=True)
class DeclaredPI:
    pi_type: str
    negated: bool  # "we do not collect ..." (a statement that it is NOT collected)
    quote: str  # the sentence it rests on (app-controlled text: escape when shown)
    source: int  # index into Policy.sources
    term: str = ""  # the words that named it
    purpose: str = ""  # the clause stating what it is for, when the sentence says


@dataclass(frozen=True)
class DeclaredSdk:
    name: str  # as the policy writes it
    sdk: Optional[str]  # catalog SDK id, None when the catalog does not know it
    pi_types: tuple[str, ...]
    quote: str
    source: int
    vendor: Optional[str] = None  # catalog vendor when the row names the vendor, not a module


@dataclass(frozen=True)
class DeclaredPermission:
    permission: str
    purpose: bool  # the sentence states what it is for
    quote: str
    source: int


@dataclass(frozen=True)
class PolicyStatement:
    kind: str  # update_date | contact | account_deletion | children | sdk_list
    quote: str
    source: int
    value: str = ""  # the date, for update_date


@dataclass(frozen=True)
class UndisclosedSdk:
    sdk: str
    evidence: str  # present | calls_pi | started | observed_read | observed_sent (strongest)
    refs: tuple[EvidenceRef, ...] = ()


@dataclass(frozen=True)
class UndeclaredPI:
    pi_type: str
    evidence: str  # reachable | observed_read | observed_sent (strongest)
    refs: tuple[EvidenceRef, ...] = ()
    sdks: tuple[str, ...] = ()  # SDKs behind the evidence ("" = the app's own code)
    negated: Optional[int] = None  # index into declared_pi of a "not collected" statement


@dataclass(frozen=True)
class SdkRowGap:
    """A disclosed SDK whose row does not name PI it was observed collecting."""

    sdk: str
    row: int  # index into declared_sdks
    pi_types: tuple[str, ...]
    evidence: str
    refs: tuple[EvidenceRef, ...] = ()


@dataclass(frozen=True)
class Policy:
    sources: tuple[PolicySource, ...] = ()
    declared_pi: tuple[DeclaredPI, ...] = ()
    declared_sdks: tuple[DeclaredSdk, ...] = ()
    undisclosed_sdks: tuple[UndisclosedSdk, ...] = ()
    undeclared_pi: tuple[UndeclaredPI, ...] = ()  # incl. those declared as NOT collected
    limits: tuple[str, ...] = ()
    declared_permissions: tuple[DeclaredPermission, ...] = ()
    statements: tuple[PolicyStatement, ...] = ()
    sdk_row_gaps: tuple[SdkRowGap, ...] = ()
    permissions_without_purpose: tuple[str, ...] = ()  # requested dangerous permissions
    sdk_list: bool = False  # the policy lists third-party SDKs (a table, list or page)
    urls: tuple[str, ...] = ()  # policy URLs found in the app, for the reviewer to save


class Verdict(str, enum.Enum):
    """A clause's status in the checklist, and the run's overall verdict (the worst clause)."""

    FAIL = "fail"  # high-confidence evidence of a breach
    REVIEW = "review"  # something a person must look at
    PASS = "pass"  # tested, nothing found
    NOT_TESTED = "not_tested"  # this run collected no evidence that could show it

    @property
    def rank(self) -> int:  # worst first: fail 0 ... not_tested 3
        return list(Verdict).index(self)


@dataclass(frozen=True)
class ClauseStatus:
    """One clause the rules cite (titles and wording live in the clause catalogue)."""

    framework: str
    item: str
    status: Verdict
    rules: tuple[str, ...]  # codes of the rules citing it
    findings: tuple[str, ...]  # fingerprints of the unsuppressed findings behind the status
    suppressed: tuple[str, ...] = ()  # fingerprints of suppressed findings citing it


@dataclass(frozen=True)
class Assessment:
    """Verdict and clause checklist, computed once by `rules.evaluate` after suppressions;
    every renderer (HTML, SARIF, batch) reads it, none recomputes it."""

    verdict: Verdict
    checklist: tuple[ClauseStatus, ...] = ()
    severity_counts: dict[str, int] = field(default_factory=dict)  # unsuppressed, per severity
    max_severity: Optional[Severity] = None  # of the unsuppressed findings


# --------------------------------------------------------------------------- the bundle


@dataclass(frozen=True)
class Tool:
    name: str
    version: str


@dataclass(frozen=True)
class Method:
    """How the evidence was obtained: enough for a reader to judge and to reproduce."""

    kinds: tuple[str, ...] = ("static",)  # which of static/runtime/traffic ran
    catalog_versions: dict[str, str] = field(default_factory=dict)
    scenario: Optional[str] = None
    timings: dict[str, float] = field(default_factory=dict)  # stage -> seconds
    started_at: Optional[float] = None
    limits: tuple[str, ...] = ()  # what this run could not see
    # what the run set on the device that shapes the evidence, e.g. the runtime permissions
    # each scenario granted or revoked ("reject: revoke android.permission.CAMERA")
    device_setup: tuple[str, ...] = ()


# --------------------------------------------------------------------------- process start
# (privascope.static.startup: what runs at process start, before any consent; issue 13's JSON
# contract, bundle key `startup`. Static: "reachable", never "observed".)


@dataclass(frozen=True)
class StartEntryPoint:
    """Code the platform runs when a process of the app starts, before any activity."""

    kind: str  # application | provider | initializer
    class_name: str = field(metadata={"json": "class"})  # dotted; JSON key "class"
    process: Optional[str] = None  # android:process (None = the app's default process)
    sdk: Optional[str] = None  # SDK the class belongs to (an SDK starting itself)


@dataclass(frozen=True)
class StartReachableCall:
    """A catalog PI call site reachable from an entry point: the shortest chain to it."""

    id: str
    api: str
    pi_type: str
    caller_class: str
    caller_method: str  # name + descriptor
    sdk: Optional[str]
    path: tuple[str, ...]  # "a.b.App.onCreate()V", ..., the caller method
    gated: bool  # every chain found passes a consent check first
    confidence: Confidence
    entry: str = ""  # the entry point class the chain starts from
    process: Optional[str] = None
    call_site: str = ""  # id of the ApiCallSite in `api_calls`
    gate: Optional[str] = None  # the consent check the chain passes, when gated
    via: tuple[str, ...] = ()  # edge kinds the chain uses besides plain invokes (cha, async...)


@dataclass(frozen=True)
class StartSdkInit:
    """An SDK started at process start: its init call (or its self-starting provider)."""

    id: str
    sdk: str
    target: str  # "cn.jpush.android.api.JPushInterface.init" or the provider class
    caller_class: str
    path: tuple[str, ...]
    gated: bool
    confidence: Confidence
    role: str = "init"  # init | provider | deferred | consent (deferred/consent: compliant calls)
    entry: str = ""
    process: Optional[str] = None
    gate: Optional[str] = None
    via: tuple[str, ...] = ()
    source: str = ""  # the vendor guide naming the API


@dataclass(frozen=True)
class Startup:
    entry_points: tuple[StartEntryPoint, ...] = ()
    reachable_calls: tuple[StartReachableCall, ...] = ()
    sdk_inits: tuple[StartSdkInit, ...] = ()
    limits: tuple[str, ...] = ()
    stats: dict[str, float] = field(default_factory=dict)  # methods, edges, reached, seconds


@dataclass(frozen=True)
class Bundle:
    """The evidence bundle and report document (JSON contract: keep keys stable, add freely)."""

    tool: Tool
    app: AppInfo
    schema_version: str = SCHEMA_VERSION
    manifest: ManifestFlags = ManifestFlags()
    permissions: tuple[Permission, ...] = ()
    components: tuple[Component, ...] = ()
    sdks: tuple[SdkPresence, ...] = ()
    api_calls: tuple[ApiCallSite, ...] = ()
    hosts: tuple[HostRef, ...] = ()
    privacy_policy: tuple[PrivacyPolicyRef, ...] = ()
    policy: Optional[Policy] = None  # the policy read and compared (privascope.policy)
    startup: Optional[Startup] = None  # what runs at process start (static reachability)
    packers: tuple[PackerHit, ...] = ()
    runtime: Optional[RuntimeEvidence] = None
    traffic: tuple[TrafficEvent, ...] = ()  # the app's requests (origin app): all evidence
    # flows the device's proxy carried that the app's process did not make (origin device or
    # unknown, each with its reason): shown apart, never evidence against the app
    device_traffic: tuple[TrafficEvent, ...] = ()
    findings: tuple[Finding, ...] = ()
    assessment: Optional[Assessment] = None  # None until rules are evaluated
    method: Method = Method()
    partial: bool = False  # some part could not be analysed; see errors
    errors: tuple[str, ...] = ()


def app_traffic_only(bundle: Bundle) -> Bundle:
    """The bundle with every flow not attributed to the app (origin device/unknown) in
    `device_traffic` instead of `traffic`: what the app is judged on is its own requests only.
    Judging runs it first (privascope.pipeline.judge), so a bundle from any source obeys it."""
    other = tuple(t for t in bundle.traffic if t.origin is not Origin.APP)
    if not other:
        return bundle
    return dataclasses.replace(
        bundle, traffic=tuple(t for t in bundle.traffic if t.origin is Origin.APP),
        device_traffic=bundle.device_traffic + other)


# --------------------------------------------------------------------------- (de)serialisation


def to_data(obj: Any) -> Any:
    """Model object -> plain JSON data (dicts, lists, str, numbers, None)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        # a field may carry another JSON key (metadata "json": "class" for a Python keyword)
        return {f.metadata.get("json", f.name): to_data(getattr(obj, f.name))
                for f in dataclasses.fields(obj)}
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, (list, tuple)):
        return [to_data(v) for v in obj]
    if isinstance(obj, dict):
        return {str(k): to_data(v) for k, v in obj.items()}
    return obj


def to_json(obj: Any, indent: Optional[int] = 2) -> str:
    return json.dumps(to_data(obj), ensure_ascii=False, indent=indent, sort_keys=False)


class ModelError(ValueError):
    """Raised when JSON data does not fit the model."""


T = typing.TypeVar("T")


def from_data(cls: type[T], data: Any) -> T:
    """Plain JSON data -> model object of type `cls`, checking types on the way. Unknown keys
    are ignored so that newer bundles stay readable by older code."""
    return _decode(cls, data, cls.__name__)


def from_json(cls: type[T], text: str) -> T:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ModelError(f"not JSON: {exc}") from None
    return from_data(cls, data)


def _decode(tp: Any, data: Any, where: str) -> Any:
    origin = typing.get_origin(tp)
    if tp is Any:
        return data
    if origin in (Union, types.UnionType):
        args = typing.get_args(tp)
        if data is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _decode(arg, data, where)
            except ModelError as exc:
                errors.append(str(exc))
        raise ModelError("; ".join(errors) or f"{where}: unexpected null")
    if origin is tuple:
        if not isinstance(data, list):
            raise ModelError(f"{where}: expected a list")
        (item_tp, _ellipsis) = typing.get_args(tp)
        return tuple(_decode(item_tp, v, f"{where}[{i}]") for i, v in enumerate(data))
    if origin is dict:
        if not isinstance(data, dict):
            raise ModelError(f"{where}: expected an object")
        _k, v_tp = typing.get_args(tp)
        return {k: _decode(v_tp, v, f"{where}.{k}") for k, v in data.items()}
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        try:
            return tp(data)
        except ValueError:
            raise ModelError(f"{where}: {data!r} is not a {tp.__name__}") from None
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):  # a class, never an instance here
        if not isinstance(data, dict):
            raise ModelError(f"{where}: expected an object")
        hints = _hints(tp)
        kwargs = {}
        for f in dataclasses.fields(tp):
            key = f.metadata.get("json", f.name)
            if key in data:
                kwargs[f.name] = _decode(hints[f.name], data[key], f"{where}.{key}")
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ModelError(f"{where}: missing key {key!r}")
        return tp(**kwargs)
    if tp is float:
        if isinstance(data, (int, float)) and not isinstance(data, bool):
            return float(data)
        raise ModelError(f"{where}: expected a number")
    if tp in (int, str, bool):
        if isinstance(data, tp) and not (tp is int and isinstance(data, bool)):
            return data
        raise ModelError(f"{where}: expected {tp.__name__}, got {type(data).__name__}")
    raise ModelError(f"{where}: unsupported type {tp!r}")


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(tp: type) -> dict[str, Any]:
    if tp not in _HINTS:
        _HINTS[tp] = typing.get_type_hints(tp)
    return _HINTS[tp]
