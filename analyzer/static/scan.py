"""`scan_apk`: the static privacy scan of one APK, as an evidence `Bundle` (findings empty).

Stages (each timed in `method.timings`): zip + manifest (androguard, in apk.py), code (our dex
reader: call sites, defined classes, strings), SDKs, hosts/privacy policy, packers.
Input that is not an APK raises `ScanError` with one line; a valid APK with a part that cannot be
analysed (one corrupt dex, a broken nested jar, a packer) gives `partial=True` and the reasons in
`errors` instead.
"""
from __future__ import annotations

import dataclasses
import hashlib
import re
import time
from pathlib import Path
from typing import Optional, Union

from privascope import __version__
from privascope.catalog import Catalog, load_catalog
from privascope.model import (
    ApiCallSite, AppInfo, Bundle, Certificate, Component, Confidence, ManifestFlags, Method,
    Permission, Tool, Via,
)
from privascope.static.axml_strings import axml_strings
from privascope.static.calls import RawSite, find_call_sites, string_users
from privascope.static.dex import DexError, DexFile, descriptor_to_java
from privascope.static.packers import detect_packers
from privascope.static.sdks import own_packages, presences, tally_classes
from privascope.static.sources import ZipProblem, collect_code, open_apk_zip
from privascope.static.strings import StringFindings
from privascope.static.wrappers import forward_wrapper_sites

_TEXT_ASSET_EXT = (".json", ".txt", ".html", ".htm", ".xml", ".js", ".properties", ".cfg",
                   ".conf", ".ini", ".yaml", ".yml")
MAX_TEXT_ASSET = 1024 * 1024
MAX_TEXT_TOTAL = 16 * 1024 * 1024
MAX_XML_FILES = 5000
# androguard inflates the manifest and resources.arsc whole: sizes no real app comes near are
# zip bombs (found by the batch hostile-input tests: a 2 GiB manifest took 2 GB of memory)
MAX_WHOLE_READ = {"AndroidManifest.xml": 32 * 1024 * 1024, "resources.arsc": 256 * 1024 * 1024}
LIMITS = (
    "static analysis: a call site shows the app can reach an API, not that it runs",
    "code loaded at run time (downloaded, decrypted, native) is not seen",
)


class ScanError(ValueError):
    """Input that is not an APK we can scan (one line naming the problem)."""


def _short_id(prefix: str, *parts: object) -> str:
    return prefix + "-" + hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()[:10]


def scan_apk(path: Union[str, Path], catalog: Optional[Catalog] = None) -> Bundle:
    from privascope.static.apk import ApkReadError, read_apk

    path = Path(path)
    timings: dict[str, float] = {}
    started = time.time()
    t = time.perf_counter()
    try:
        zf = open_apk_zip(path)
    except ZipProblem as exc:
        raise ScanError(str(exc)) from None
    with zf:
        catalog = catalog or load_catalog()  # after the input check: bad input fails first
        seen: set[str] = set()
        for info in zf.infolist():  # every entry of that name: duplicates included
            if info.filename in seen:
                # Android refuses such APKs (libziparchive: duplicate entry), and readers
                # disagree on which copy counts: say so rather than analyse one of them
                raise ScanError(f"not a valid APK: duplicate zip entry {info.filename!r} "
                                "(Android refuses to install it)")
            seen.add(info.filename)
            limit = MAX_WHOLE_READ.get(info.filename)
            if limit is not None and info.file_size > limit:
                raise ScanError(f"not a valid APK: {info.filename} inflates to "
                                f"{info.file_size} bytes, over the {limit // 2**20} MB limit")
        try:
            facts = read_apk(str(path))
        except ApkReadError as exc:
            raise ScanError(f"not a valid APK: {exc}") from None
        except Exception as exc:  # androguard on hostile zips: still one line
            raise ScanError(f"not a valid APK: {type(exc).__name__}: {exc}".splitlines()[0]) \
                from None
        entry_names = zf.namelist()
        own = own_packages(facts.package, (sp.name for sp in facts.start_points
                                           if sp.kind == "application"))  # never an SDK's by a vendor prefix
        timings["manifest"] = time.perf_counter() - t
        t = time.perf_counter()
        errors: list[str] = list(facts.errors)
        try:
            code = collect_code(zf)
        except Exception as exc:  # a zip that lists entries but cannot deliver them
            code = None
            errors.append(f"code: cannot read the zip entries ({type(exc).__name__}: {exc})")
        text_assets = _text_assets(zf, entry_names, errors)
        xml_strings = _xml_resource_strings(zf, entry_names)
    try:
        with path.open("rb") as fh:
            sha256 = hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError as exc:  # removed or unreadable while we scanned it
        raise ScanError(f"cannot read {path}: {exc.strerror or exc}") from None
    if code is not None:
        errors += code.errors
    timings["unzip"] = time.perf_counter() - t

    t = time.perf_counter()
    raw_sites: dict[RawSite, None] = {}
    graph, startup_notes = _start_graph(catalog)  # call graph for process-start reachability
    named: set[str] = set()  # strings that may name a class (loaded by name: reachable roots)
    host_users: dict[str, set[str]] = {}  # SDK id -> classes that name one of its hosts
    classes: list[str] = []
    class_dex: dict[str, str] = {}  # class -> the dex defining it (a wrapper's callers' sites)
    findings = StringFindings()
    root_dex = 0
    for name, data in (code.dex if code else []):
        if "!" not in name and "/" not in name:
            root_dex += 1
        try:
            dex = DexFile(data, name)
            strings: dict[str, int] = {}  # text -> its first string id
            all_strings = []
            for i, s in dex.strings():
                strings.setdefault(s, i)
                all_strings.append(s)
            dex_classes = [descriptor_to_java(d) for d in dex.class_descriptors()]
            classes += dex_classes
            for c in dex_classes:
                class_dex.setdefault(c, name)
            for site in find_call_sites(dex, catalog, strings):
                raw_sites[site] = None
            _graph_add(graph, dex, startup_notes)
            named.update(s for s in all_strings if "." in s and " " not in s and len(s) < 256)
            sdk_hits = findings.add_strings(all_strings, name, catalog)
            policy_hits = findings.policy_hits
            users = string_users(dex, {i for i, _sdk in sdk_hits}
                                 | {i for i, _key in policy_hits})
            if policy_hits:  # a policy text only SDK code loads is the SDK's, not the app's
                findings.owned_by_sdks(_policy_owners(policy_hits, users, catalog, own))
            for i, sdk_id in sdk_hits:
                host_users.setdefault(sdk_id, set()).update(users.get(i, ()))
        except DexError as exc:
            errors.append(f"{name}: corrupt dex, not analysed ({exc})")
        except Exception as exc:  # noqa: BLE001
            # a dex reader bug must not take the whole scan down; say which file and why
            errors.append(f"{name}: corrupt dex, not analysed ({type(exc).__name__}: {exc})")
    timings["code"] = time.perf_counter() - t

    t = time.perf_counter()
    tally = tally_classes(classes, catalog, own)
    present = frozenset(tally.classes)  # SDKs found by their prefixes claim their companions
    sites = []
    pi_by_sdk: dict[str, set[str]] = {}
    for r in sorted(raw_sites, key=lambda r: (r.dex, r.caller_class, r.caller_method, r.api,
                                              r.pi_type, r.via)):
        sdk = catalog.sdk_for_class(r.caller_class, own, present)
        caller_sdk = sdk.id if sdk else None
        if caller_sdk:
            pi_by_sdk.setdefault(caller_sdk, set()).add(r.pi_type)
        sites.append(ApiCallSite(
            id=_short_id("call", r.api, r.pi_type, r.caller_class, r.caller_method, r.dex, r.via),
            api=r.api, pi_type=r.pi_type, caller_class=r.caller_class,
            caller_method=r.caller_method, dex=r.dex, sdk=caller_sdk, via=Via(r.via),
            confidence=Confidence(r.confidence), permission=r.permission,
        ))
    timings["sdks"] = time.perf_counter() - t

    t = time.perf_counter()
    graph = _finish_graph(graph, startup_notes)
    # sites inside Jetpack/support wrappers are library code; their callers carry the finding
    def sdk_id_of(cls: str) -> Optional[str]:
        owner = catalog.sdk_for_class(cls, own, present)
        return owner.id if owner else None

    wrappers = frozenset(catalog.library_wrappers)
    try:
        sites = forward_wrapper_sites(graph, sites, wrappers, catalog.framework_prefixes,
                                      sdk_id_of, class_dex)
    except Exception as exc:  # noqa: BLE001 - a graph bug: mark the wrappers, say what is missing
        startup_notes.append(f"library wrapper callers not found ({type(exc).__name__}: {exc})"
                             .splitlines()[0])
        sites = forward_wrapper_sites(None, sites, wrappers, (), sdk_id_of, class_dex)
    for moved in sites:
        if moved.via_wrapper and moved.sdk:
            pi_by_sdk.setdefault(moved.sdk, set()).add(moved.pi_type)
    startup = _startup(graph, facts.start_points, sites, catalog, startup_notes, own)
    sites, startup = _mark_reachable(graph, startup, facts, sites, _class_names(
        named, classes, facts.resource_strings, xml_strings, text_assets), startup_notes)
    timings["startup"] = time.perf_counter() - t

    t = time.perf_counter()
    findings.add_strings(facts.resource_strings, "resources.arsc", catalog)
    if facts.label:
        findings.add_strings([facts.label], "AndroidManifest.xml", catalog)
    for name, text in text_assets:
        findings.add_strings(text.splitlines(), name, catalog, in_text=True)
    for name, xml_pool in xml_strings:
        findings.add_strings(xml_pool, name, catalog)
    timings["strings"] = time.perf_counter() - t
    code_sources = {name for name, _data in (code.dex if code else [])}
    hosts_by_sdk: dict[str, set[str]] = {}
    for ref in findings.host_refs():
        if not ref.sdk or not code_sources.intersection(ref.sources):
            continue
        # an SDK without matching classes counts as present by its hosts only when code that
        # belongs to no other SDK names them (obfuscated SDK code, or the app itself): a share
        # SDK that knows the WeChat API host does not make WeChat's SDK present
        if ref.sdk not in tally.classes and not any(
                (owner := catalog.sdk_for_class(c, own, present)) is None or owner.id == ref.sdk
                for c in host_users.get(ref.sdk, ())):
            continue
        hosts_by_sdk.setdefault(ref.sdk, set()).add(ref.host)
    sdks = presences(tally, catalog, pi_by_sdk, hosts_by_sdk)

    packers = detect_packers(entry_names, classes, catalog)
    limits = list(LIMITS)
    if packers:
        note = ("packed app (" + ", ".join(p.name for p in packers) + "): the real code is "
                "encrypted in the APK, so the static scan is incomplete")
        errors.append(note)
        limits.append(note)
    timings["total"] = time.time() - started

    target = facts.target_sdk
    if facts.nsc_base_cleartext is not None:
        cleartext_default = facts.nsc_base_cleartext
    elif facts.network_security_config is not None:
        # a network security config replaces usesCleartextTraffic (API 24+); without a
        # base-config attribute its default follows the target SDK
        cleartext_default = target is None or target < 28
    elif facts.uses_cleartext_traffic is not None:
        cleartext_default = facts.uses_cleartext_traffic
    else:  # the platform default: cleartext allowed for apps targeting API < 28
        cleartext_default = target is None or target < 28
    app = AppInfo(
        package=facts.package, label=facts.label, version_name=facts.version_name,
        version_code=facts.version_code, min_sdk=facts.min_sdk, target_sdk=target,
        sha256=sha256, size_bytes=path.stat().st_size, dex_count=root_dex,
        # POSIX names are bytes: undecodable ones (surrogate escapes) would break every writer
        file_name=path.name.encode("utf-8", "surrogateescape").decode("utf-8", "replace"),
        certificates=tuple(Certificate(c.subject, c.issuer, c.sha256, c.not_before, c.not_after)
                           for c in facts.certificates),
    )
    return Bundle(
        tool=Tool("privascope", __version__),
        app=app,
        manifest=ManifestFlags(
            debuggable=facts.debuggable, allow_backup=facts.allow_backup,
            uses_cleartext_traffic=facts.uses_cleartext_traffic,
            network_security_config=facts.network_security_config,
            cleartext_permitted_domains=tuple(facts.nsc_cleartext_domains),
            cleartext_permitted_by_default=cleartext_default,
        ),
        permissions=_permissions(facts.permissions, facts.declared_permissions, catalog),
        components=tuple(Component(c.kind, c.name, c.exported, _short_id("comp", c.kind, c.name))
                         for c in facts.components),
        sdks=sdks,
        api_calls=tuple(sites),
        hosts=findings.host_refs(),
        privacy_policy=findings.policy_refs(),
        startup=startup,
        packers=packers,
        method=Method(kinds=("static",), catalog_versions=dict(catalog.versions),
                      timings={k: round(v, 4) for k, v in timings.items()},
                      started_at=started, limits=tuple(limits)),
        partial=bool(errors),
        errors=tuple(errors),
    )


def _start_graph(catalog: Catalog):
    """An empty whole-APK call graph, and the list its notes go to."""
    from privascope.catalog.startup import startup_catalog
    from privascope.static.startup import new_graph

    return new_graph(startup_catalog(catalog)), []


def _graph_add(graph, dex: DexFile, notes: list[str]) -> None:
    from privascope.static.callgraph import CallGraphError

    try:
        graph.add_dex(dex)
    except (CallGraphError, DexError) as exc:  # the rest of the scan stands
        notes.append(f"process start: {dex.name} not in the call graph ({exc})")
    except Exception as exc:  # noqa: BLE001 - a graph bug must not cost the dex its call sites
        notes.append(f"process start: {dex.name} not in the call graph "
                     f"({type(exc).__name__}: {exc})".splitlines()[0])


def _finish_graph(graph, notes: list[str]):
    """The call graph ready for queries, or None (with the reason in `notes`) when finishing it
    fails: the call sites stay, the steps that need the graph are skipped."""
    if graph is None:
        return None
    try:
        return graph.finish()
    except Exception as exc:  # noqa: BLE001 - the rest of the scan stands; say what is missing
        notes.append(f"process-start analysis failed ({type(exc).__name__}: {exc})"
                     .splitlines()[0])
        return None


def _startup(graph, start_points, sites, catalog: Catalog, notes: list[str],
             own: tuple[str, ...] = ()):
    """The `startup` section: entry points, SDK starts and PI reachable at process start."""
    from privascope.catalog.startup import startup_catalog
    from privascope.model import Startup
    from privascope.static.startup import analyze_startup

    if graph is None:
        return Startup(limits=tuple(notes))
    try:
        result = analyze_startup(graph, start_points, sites, catalog,
                                 startup_catalog(catalog), own)
    except Exception as exc:  # noqa: BLE001 - the rest of the scan stands; say what is missing
        return Startup(limits=tuple(notes) + (
            f"process-start analysis failed ({type(exc).__name__}: {exc})".splitlines()[0],))
    return dataclasses.replace(result, limits=result.limits + tuple(notes)) if notes else result


def _policy_owners(hits, users: dict[int, set[str]], catalog: Catalog,
                   own: tuple[str, ...] = ()) -> dict:
    """Policy-text key -> the SDK whose classes alone load it, or None (app code, or unused)."""
    out: dict = {}
    for pos, key in hits:
        owners = {(sdk.id if (sdk := catalog.sdk_for_class(c, own)) else None)
                  for c in users.get(pos, ())}
        owner = None if (not owners or None in owners) else \
            sorted(o for o in owners if o is not None)[0]  # (no None left here: for mypy)
        out[key] = None if (key in out and out[key] is None) else owner
    return out


_DOTTED = re.compile(r"[A-Za-z_$][\w$]*(?:[./][A-Za-z_$][\w$]*)+")


def _class_names(named, classes, resource_strings, xml_strings, text_assets) -> set[str]:
    """Classes of the APK named in a string (dex constants, resources, layouts, text assets such
    as plugin tables): code may load them by name, so call-site reachability starts there too."""
    defined = set(classes)
    found = {s.replace("/", ".") for s in named} & defined
    found |= set(resource_strings) & defined
    for _name, strings in xml_strings:
        found |= set(strings) & defined
    for _name, text in text_assets:
        found |= {m.replace("/", ".") for m in _DOTTED.findall(text)} & defined
    return found


def _mark_reachable(graph, startup, facts, sites, named, notes: list[str]):
    """Sites with `reachable` set from manifest components (left None when the graph is
    missing or incomplete: it cannot call anything unreachable), and the startup section with
    the count of reachable methods."""
    from privascope.static.startup import reachable_call_sites

    if graph is None or not graph.finished or any("not in the call graph" in n for n in notes):
        return sites, startup
    try:
        ids, count = reachable_call_sites(graph, facts.package, facts.start_points,
                                          facts.components, named, sites)
    except Exception as exc:  # noqa: BLE001 - the sites stay as they are; say so
        note = f"call-site reachability failed ({type(exc).__name__}: {exc})".splitlines()[0]
        return sites, dataclasses.replace(startup, limits=startup.limits + (note,))
    startup = dataclasses.replace(startup, stats={**startup.stats,
                                                  "component_reachable_methods": float(count)})
    return [dataclasses.replace(s, reachable=s.id in ids) for s in sites], startup


def _permissions(names, declared, catalog: Catalog) -> tuple[Permission, ...]:
    out = []
    declared = set(declared)
    for name in names:
        info = catalog.permissions.get(name)
        if info is not None:
            level, pis, zh = info.protection_level, info.pi_types, info.name_zh
        else:
            level, pis, zh = "unknown", (), None
        out.append(Permission(name=name, protection_level=level, pi_types=tuple(pis),
                              name_zh=zh, id=_short_id("perm", name),
                              custom=name in declared))
    return tuple(out)


def _xml_resource_strings(zf, names) -> list[tuple[str, list[str]]]:
    """String pools of compiled XML under res/ (layouts, res/xml), bounded in count and size."""
    out: list[tuple[str, list[str]]] = []
    total = 0
    for name in names:
        if not (name.startswith("res/") and name.endswith(".xml")) or len(out) >= MAX_XML_FILES:
            continue
        try:
            info = zf.getinfo(name)
            if info.file_size > MAX_TEXT_ASSET or total + info.file_size > MAX_TEXT_TOTAL:
                continue
            data = zf.read(info)
        except Exception:  # a damaged entry: its strings are simply not seen
            continue
        total += len(data)
        strings = [s for s in axml_strings(data) if "://" in s or "." in s or not s.isascii()]
        if strings:
            out.append((name, strings))
    return out


def _text_assets(zf, names, errors: list[str]) -> list[tuple[str, str]]:
    out, total = [], 0
    for name in names:
        low = name.lower()
        if not (low.startswith(("assets/", "res/raw/")) and low.endswith(_TEXT_ASSET_EXT)):
            continue
        try:
            info = zf.getinfo(name)
            if info.file_size > MAX_TEXT_ASSET or total + info.file_size > MAX_TEXT_TOTAL:
                continue
            with zf.open(info) as fh:
                data = fh.read(MAX_TEXT_ASSET + 1)
            total += len(data)
            out.append((name, data.decode("utf-8", "replace")))
        except Exception as exc:
            errors.append(f"{name}: cannot read ({type(exc).__name__})")
    return out
