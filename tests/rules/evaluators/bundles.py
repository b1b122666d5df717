"""Minimal evidence bundles for the evaluator tests: each helper builds one evidence item with
defaults, so a test states only what its rule looks at."""
from __future__ import annotations

from typing import Optional

from privascope.model import (
    ApiCallSite, AppInfo, AppState, Bundle, ComponentLaunch, Confidence, ConsentPhase, Destination,
    MaskedValue, Method, PIMatch, Permission, PermissionRequest, RuntimeEvent, RuntimeEvidence,
    Tool, TrafficEvent, Via,
)
from privascope.rules.evaluators import Context

PACKAGE = "com.example.app"
T0 = 1767000000.0
IMEI_API = "android.telephony.TelephonyManager.getDeviceId"
ANDROID_ID_API = "android.provider.Settings$Secure.getString"
APPS_API = "android.content.pm.PackageManager.getInstalledPackages"
QUERY_API = "android.content.pm.PackageManager.queryIntentActivities"
_MV = MaskedValue(digest="hmac-sha256:00", preview="86***23", length=15)


def bundle(kinds=("static",), runtime: Optional[RuntimeEvidence] = None, **fields) -> Bundle:
    return Bundle(tool=Tool("privascope", "0"),
                  app=AppInfo(package=PACKAGE, **fields.pop("app", {})),
                  method=Method(kinds=tuple(kinds)), runtime=runtime, **fields)


def ctx(catalog, **kw) -> Context:
    return Context(bundle=bundle(**kw), catalog=catalog)


def rule_params(catalog, code: str, **extra) -> dict:
    """The params rules.yaml gives rule `code` (texts some evaluators put into findings live
    there), plus `extra`."""
    from privascope.rules.definitions import load_rules
    from privascope.rules.engine import rule_params as params

    rule = next(r for r in load_rules(catalog) if r.code == code)
    return {**params(rule, None), **extra}


def site(id: str, pi: str = "device.imei", api: str = IMEI_API, sdk: Optional[str] = None,
         via: Via = Via.INVOKE, confidence: Confidence = Confidence.HIGH,
         caller: str = "com.example.app.Main") -> ApiCallSite:
    return ApiCallSite(id=id, api=api, pi_type=pi, caller_class=caller, caller_method="m()V",
                       dex="classes.dex", sdk=sdk, via=via, confidence=confidence)


def event(id: str, t: float = 1.0, pi: str = "device.imei", api: str = IMEI_API,
          sdk: Optional[str] = None, obtained: bool = True,
          phase: ConsentPhase = ConsentPhase.AFTER_ACCEPT,
          state: AppState = AppState.FOREGROUND) -> RuntimeEvent:
    return RuntimeEvent(id=id, time=T0 + t, api=api, pi_type=pi, value=_MV if obtained else None,
                        obtained=obtained,
                        exception=None if obtained else "java.lang.SecurityException: no",
                        thread="main", stack=(), sdk=sdk, caller=None, app_state=state,
                        consent_phase=phase)


def runtime(calls=(), requests=(), launches=()) -> RuntimeEvidence:
    return RuntimeEvidence(target="jvm:test", started_at=T0, ended_at=T0 + 300,
                           api_calls=tuple(calls), permission_requests=tuple(requests),
                           component_launches=tuple(launches))


def request(id: str, *perms: str, phase: ConsentPhase = ConsentPhase.BEFORE,
            sdk: Optional[str] = None) -> PermissionRequest:
    return PermissionRequest(id=id, time=T0 + 1, permissions=perms, granted=(),
                             consent_phase=phase, sdk=sdk)


def launch(id: str, pkg: str, phase: ConsentPhase = ConsentPhase.BEFORE,
           sdk: Optional[str] = None) -> ComponentLaunch:
    return ComponentLaunch(id=id, time=T0 + 1, kind="service", target_package=pkg,
                           target=pkg + ".Svc", consent_phase=phase, sdk=sdk)


def match(pi: str = "device.imei", encoding: str = "raw") -> PIMatch:
    return PIMatch(pi_type=pi, encoding=encoding, location="query", key="k", preview="**",
                   detector="known")


def flow(id: str, host: str, *matches: PIMatch, scheme: str = "https",
         dest: Destination = Destination.THIRD_PARTY, sdk: Optional[str] = None,
         phase: Optional[ConsentPhase] = ConsentPhase.AFTER_ACCEPT) -> TrafficEvent:
    return TrafficEvent(id=id, time=T0 + 2, method="GET", scheme=scheme, host=host,
                        port=443 if scheme == "https" else 80, path="/", destination=dest,
                        sdk=sdk, matches=tuple(matches), consent_phase=phase)


def permission(name: str, pis=(), level: str = "dangerous", id: str = "") -> Permission:
    return Permission(name=name, protection_level=level, pi_types=tuple(pis), id=id)


def refs(hit) -> list[str]:
    return [r.id for r in hit.evidence]
