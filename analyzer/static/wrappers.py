"""Library wrappers: call sites inside Jetpack/support classes that read personal information
on the app's behalf (catalog attribution.yaml `library_wrappers`) are library code, not the
app's own. They are marked `library` (no finding of their own), and the finding moves to the
code that calls the wrapper, found on the whole-APK call graph:

- callers inside a listed wrapper class are followed further (TelephonyManagerCompat.getImei
  -> its $Api26Impl.getImei -> TelephonyManager.getImei);
- a caller in app or SDK code gets a call site of its own (`via_wrapper` names the wrapper
  method it calls), attributed like any site of that class;
- callers in other library or platform code (AppCompat's night mode calling TwilightManager)
  are the library's own business: no site;
- a wrapper nothing outside the libraries calls is dead library code.

Callers are found through the exact method reference (how compat wrappers are called: static
methods and final classes); a call through a subclass or interface reference is not seen.
"""
from __future__ import annotations

import dataclasses
import hashlib
from typing import Callable, Iterable, Optional

import numpy as np

from privascope.model import ApiCallSite, Via

MAX_HOPS = 8  # wrapper-internal forwarding is one or two calls deep; a bound against cycles


def is_wrapper(dotted_class: str, wrappers: frozenset[str]) -> bool:
    """The class or the class it is nested in is a listed wrapper."""
    return dotted_class in wrappers or dotted_class.split("$", 1)[0] in wrappers


class _Callers:
    """Reverse edges of a finished CallGraph, built once: callee method id -> caller ids."""

    def __init__(self, graph):
        order = np.argsort(graph.e_callee, kind="stable")
        self.callee = graph.e_callee[order]
        self.caller = graph.e_caller[order]

    def of(self, mid: int) -> list[int]:
        lo = int(np.searchsorted(self.callee, mid, side="left"))
        hi = int(np.searchsorted(self.callee, mid, side="right"))
        return sorted(set(self.caller[lo:hi].tolist()))


def _outside_callers(graph, callers: _Callers, mid: int, wrappers: frozenset[str],
                     library_prefixes: tuple[str, ...]) -> list[tuple[int, int]]:
    """(caller outside the libraries, the wrapper method it calls), climbing through the
    wrapper classes only."""
    out: list[tuple[int, int]] = []
    seen = {mid}
    frontier = [mid]
    for _hop in range(MAX_HOPS):
        nxt = []
        for m in frontier:
            for c in callers.of(m):
                if c in seen:
                    continue
                seen.add(c)
                cls = graph.class_of(c)
                if is_wrapper(cls, wrappers):
                    nxt.append(c)
                elif not cls.startswith(library_prefixes):
                    out.append((c, m))
        if not nxt:
            break
        frontier = nxt
    return out


def forward_wrapper_sites(graph, sites: Iterable[ApiCallSite], wrappers: frozenset[str],
                          library_prefixes: tuple[str, ...],
                          sdk_of: Callable[[str], Optional[str]],
                          class_dex: dict[str, str]) -> list[ApiCallSite]:
    """The sites with wrapper sites marked `library`, plus one site per (outside caller method,
    API, PI type) reached through a wrapper. `graph` None or unfinished: marking only."""
    out: list[ApiCallSite] = []
    moved: dict[str, ApiCallSite] = {}
    callers: Optional[_Callers] = None
    for site in sites:
        if not wrappers or not is_wrapper(site.caller_class, wrappers):
            out.append(site)
            continue
        out.append(dataclasses.replace(site, library=True))
        if graph is None or not graph.finished:
            continue
        name, _, rest = site.caller_method.partition("(")
        cid = graph.types.index.get("L" + site.caller_class.replace(".", "/") + ";")
        mid = graph.resolve_named(cid, name, "(" + rest, inherit=False) if cid is not None else -1
        if mid < 0:
            continue
        callers = callers or _Callers(graph)
        for caller, through in _outside_callers(graph, callers, mid, wrappers, library_prefixes):
            cls, method = graph.class_of(caller), graph.method_sig(caller)
            dex = class_dex.get(cls, site.dex)
            sid = "call-" + hashlib.sha1("\x1f".join(map(str, (
                site.api, site.pi_type, cls, method, dex, "wrapper"))).encode()).hexdigest()[:10]
            if sid not in moved:
                moved[sid] = ApiCallSite(
                    id=sid, api=site.api, pi_type=site.pi_type, caller_class=cls,
                    caller_method=method, dex=dex, sdk=sdk_of(cls), via=Via.INVOKE,
                    confidence=site.confidence, permission=site.permission,
                    via_wrapper=graph.display(through))
    return out + sorted(moved.values(), key=lambda s: (s.dex, s.caller_class, s.caller_method,
                                                       s.api, s.pi_type))
