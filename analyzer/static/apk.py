"""The one module that imports androguard: manifest (binary AXML), resources, certificates.

Everything here returns plain data (`ApkFacts`); code scanning does not use androguard at all
(see privascope.static.dex). androguard logs through loguru at DEBUG level by default, which would
flood the user's terminal, so its sink is removed on import.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from typing import Optional

from loguru import logger as _loguru

_loguru.remove()  # androguard's loguru output is noise for our users; errors reach us as raises

from androguard.core.apk import APK  # noqa: E402
from androguard.core.axml import AXMLPrinter  # noqa: E402

log = logging.getLogger(__name__)
ANDROID_NS = "{http://schemas.android.com/apk/res/android}"
COMPONENT_TAGS = ("activity", "activity-alias", "service", "receiver", "provider")


class ApkReadError(ValueError):
    """androguard could not read the manifest: the APK is unusable for a scan."""


@dataclass
class ComponentFact:
    kind: str
    name: str
    exported: bool


@dataclass
class StartFact:
    """Code the platform runs when the app's process starts, before any activity: the
    Application class, every <provider>, and androidx.startup initializers named in the
    InitializationProvider's meta-data. `process` is android:process (None = the default)."""

    kind: str  # application | provider | initializer
    name: str  # dotted class name, resolved against the package
    process: Optional[str] = None


@dataclass
class CertFact:
    subject: str
    issuer: str
    sha256: str
    not_before: Optional[str]
    not_after: Optional[str]


@dataclass
class ApkFacts:
    package: str
    label: Optional[str]
    version_name: Optional[str]
    version_code: Optional[str]
    min_sdk: Optional[int]
    target_sdk: Optional[int]
    permissions: list[str]
    declared_permissions: list[str]
    components: list[ComponentFact]
    debuggable: bool
    allow_backup: Optional[bool]
    uses_cleartext_traffic: Optional[bool]
    network_security_config: Optional[str]
    nsc_base_cleartext: Optional[bool]  # base-config cleartextTrafficPermitted, when declared
    nsc_cleartext_domains: list[str]
    certificates: list[CertFact]
    resource_strings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    start_points: list[StartFact] = field(default_factory=list)


def _bool(value) -> Optional[bool]:
    if value is None:
        return None
    text = str(value).strip().lower()
    if text in ("true", "1", "-1", "0xffffffff"):
        return True
    if text in ("false", "0", "0x0"):
        return False
    return None  # a resource reference we do not resolve


def _int(value) -> Optional[int]:
    try:
        return int(str(value), 0)
    except (TypeError, ValueError):
        return None


def read_apk(path: str) -> ApkFacts:
    """Manifest facts, resource strings and certificates. Raises ApkReadError when androguard
    cannot read the manifest; smaller failures (resources, certificates, network security
    config) are recorded in `errors` and the rest is still returned."""
    try:
        apk = APK(path)
        package = apk.get_package()
    except Exception as exc:  # androguard raises many kinds on malformed input
        raise ApkReadError(f"unreadable AndroidManifest.xml ({type(exc).__name__}: {exc})"
                           .splitlines()[0]) from None
    if not package:
        raise ApkReadError("AndroidManifest.xml has no package name")
    errors: list[str] = []

    def guarded(what: str, fn, default):
        try:
            return fn()
        except Exception as exc:
            errors.append(f"{what}: {type(exc).__name__}: {exc}".splitlines()[0])
            return default

    target = _int(guarded("targetSdkVersion", apk.get_target_sdk_version, None))
    manifest = guarded("manifest XML", apk.get_android_manifest_xml, None)
    app_el = manifest.find("application") if manifest is not None else None

    def app_attr(name: str):
        return app_el.get(ANDROID_NS + name) if app_el is not None else None

    nsc_path, nsc_base, nsc_domains = None, None, []
    nsc_ref = app_attr("networkSecurityConfig")
    if nsc_ref:
        nsc_path, nsc_base, nsc_domains = guarded(
            "network security config", lambda: _network_security_config(apk, nsc_ref),
            (str(nsc_ref), None, []))
    label = guarded("app label", apk.get_app_name, None) or None
    if label and label.startswith("@"):  # a resource reference nothing resolved (no/odd resources)
        errors.append(f"app label: unresolved resource reference {label[:40]}")
        label = None
    return ApkFacts(
        package=package,
        label=label,
        version_name=guarded("versionName", apk.get_androidversion_name, None) or None,
        version_code=guarded("versionCode", apk.get_androidversion_code, None) or None,
        min_sdk=_int(guarded("minSdkVersion", apk.get_min_sdk_version, None)),
        target_sdk=target,
        permissions=sorted(set(guarded("permissions", apk.get_permissions, []) or [])),
        declared_permissions=sorted(guarded("declared permissions",
                                            apk.get_declared_permissions, []) or []),
        components=guarded("components", lambda: _components(manifest, target), []),
        debuggable=bool(_bool(app_attr("debuggable"))),
        allow_backup=_bool(app_attr("allowBackup")),
        uses_cleartext_traffic=_bool(app_attr("usesCleartextTraffic")),
        network_security_config=nsc_path,
        nsc_base_cleartext=nsc_base,
        nsc_cleartext_domains=nsc_domains,
        certificates=guarded("certificates", lambda: _certificates(apk), []),
        resource_strings=guarded("resources.arsc", lambda: _resource_strings(apk), []),
        errors=errors,
        start_points=guarded("start components", lambda: _start_points(manifest, package), []),
    )


def _components(manifest, target_sdk: Optional[int]) -> list[ComponentFact]:
    """Exported state as the platform decides it: the explicit attribute, else (before API 31,
    where the attribute became mandatory with intent filters) exported iff it has an intent
    filter; providers were exported by default up to API 16."""
    out: list[ComponentFact] = []
    if manifest is None:
        return out
    app = manifest.find("application")
    if app is None:
        return out
    for el in app:
        if el.tag not in COMPONENT_TAGS:
            continue
        name = el.get(ANDROID_NS + "name") or el.get(ANDROID_NS + "targetActivity") or ""
        explicit = _bool(el.get(ANDROID_NS + "exported"))
        if explicit is not None:
            exported = explicit
        elif el.tag == "provider":
            exported = target_sdk is not None and target_sdk <= 16
        else:
            exported = el.find("intent-filter") is not None
        kind = "activity" if el.tag == "activity-alias" else el.tag
        out.append(ComponentFact(kind, name, exported))
    return out


def _class_name(name: Optional[str], package: str) -> str:
    """android:name as the platform resolves it: ".App" and "App" are relative to the package."""
    name = (name or "").strip()
    if name.startswith("."):
        return package + name
    return name if "." in name else f"{package}.{name}" if name else ""


# androidx.startup: the provider whose <meta-data android:value="androidx.startup"> entries name
# the Initializer classes it runs in its onCreate (developer.android.com/topic/libraries/app-startup)
_STARTUP_PROVIDER = "androidx.startup.InitializationProvider"


def _start_points(manifest, package: str) -> list[StartFact]:
    app = manifest.find("application") if manifest is not None else None
    if app is None:
        return []
    app_process = app.get(ANDROID_NS + "process") or None
    out = []
    if app.get(ANDROID_NS + "name"):
        # the Application runs in every process of the app; its own attribute is the default
        out.append(StartFact("application", _class_name(app.get(ANDROID_NS + "name"), package),
                             app_process))
    for el in app:
        if el.tag != "provider":
            continue
        if _bool(el.get(ANDROID_NS + "enabled")) is False:
            continue  # a disabled provider is not instantiated at start
        name = _class_name(el.get(ANDROID_NS + "name"), package)
        if not name:
            continue
        process = el.get(ANDROID_NS + "process") or app_process
        out.append(StartFact("provider", name, process))
        if name == _STARTUP_PROVIDER:
            for meta in el.findall("meta-data"):
                if (meta.get(ANDROID_NS + "value") or "").strip() == "androidx.startup":
                    init = _class_name(meta.get(ANDROID_NS + "name"), package)
                    if init:
                        out.append(StartFact("initializer", init, process))
    return out


def _network_security_config(apk: APK, ref: str) -> tuple[str, Optional[bool], list[str]]:
    """Resolve "@7f..." / "@xml/name" to the file, parse base-config and domain-config."""
    path = None
    res = apk.get_android_resources()
    text = str(ref)
    if text.startswith("@") and res is not None:
        try:
            res_id = int(text[1:], 16)
            for _config, value in res.get_resolved_res_configs(res_id):
                if isinstance(value, str) and value.endswith(".xml"):
                    path = value
                    break
        except ValueError:
            name = text[1:].split("/")[-1]
            path = f"res/xml/{name}.xml"
    if path is None or path not in apk.get_files():
        return text, None, []
    root = AXMLPrinter(apk.get_file(path)).get_xml_obj()
    base = None
    domains: list[str] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        permitted = _bool(el.get("cleartextTrafficPermitted"))
        if el.tag == "base-config":
            base = permitted
        elif el.tag == "domain-config" and permitted:
            domains.extend((d.text or "").strip() for d in el.findall("domain") if d.text)
    return path, base, sorted(set(domains))


def _certificates(apk: APK) -> list[CertFact]:
    out = []
    seen = set()
    for cert in apk.get_certificates():
        der = cert.dump()
        digest = hashlib.sha256(der).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        validity = cert["tbs_certificate"]["validity"]
        out.append(CertFact(
            subject=cert.subject.human_friendly, issuer=cert.issuer.human_friendly,
            sha256=digest,
            not_before=validity["not_before"].native.isoformat(),
            not_after=validity["not_after"].native.isoformat(),
        ))
    return out


def _resource_strings(apk: APK) -> list[str]:
    """The global string pool of resources.arsc (all string values of every configuration)."""
    if "resources.arsc" not in apk.get_files():
        return []
    res = apk.get_android_resources()
    if res is None:
        return []
    pool = res.stringpool_main
    return [s for s in (pool.getString(i) for i in range(pool.stringCount)) if s]
