"""What runs at process start, before any consent: entry points, SDK starts, PI reachable.

Entry points are what the platform runs when a process starts, before any activity: the
Application (`<clinit>`, constructor, `attachBaseContext`, `onCreate`), every `<provider>`
(`<clinit>`, constructor, `attachInfo`, `onCreate`) and the androidx.startup initializers
(`create`). From them a breadth-first search over the call graph (privascope.static.callgraph)
with parent pointers gives the shortest chain to every reachable method. Activity and service
starts are not followed: what an activity does runs after the UI (and a consent dialog) appears.

Consent gates: a method that reads a saved consent flag (a catalog flag reader such as
SharedPreferences.getBoolean, with a consent word among the method's strings) or calls an SDK's
own consent setter gates the calls it makes after that point (instruction order: branches are
not modelled). A method returning boolean that reads such a flag is a consent check: calls
after a call to it are gated too. The search runs twice: once not passing gates (what is
reachable ungated) and once through them (what is reachable only behind a gate, `gated`).
"""
from __future__ import annotations

import hashlib
import time
from collections import deque
from typing import Iterable, Optional

import numpy as np

from privascope.catalog import Catalog
from privascope.catalog.startup import StartupCatalog
from privascope.model import (
    ApiCallSite, Confidence, StartEntryPoint, StartReachableCall, StartSdkInit, Startup,
)
from privascope.static.callgraph import (
    ASYNC, CHA, KIND_NAMES, MAX_FANOUT, REFLECTION, AsyncRule, CallGraph,
)

# methods the platform calls on each kind of entry point (name, proto)
_ENTRY_METHODS = {
    "application": (("<clinit>", "()V"), ("<init>", "()V"),
                    ("attachBaseContext", "(Landroid/content/Context;)V"), ("onCreate", "()V")),
    "provider": (("<clinit>", "()V"), ("<init>", "()V"),
                 ("attachInfo", "(Landroid/content/Context;Landroid/content/pm/ProviderInfo;)V"),
                 ("onCreate", "()Z")),
    "initializer": (("<clinit>", "()V"), ("<init>", "()V"),
                    ("create", "(Landroid/content/Context;)Ljava/lang/Object;")),
}
LIMITS = (
    "process start (static): a chain shows code that can run when the process starts, "
    "not that it runs; activities and services are not followed (they run after the UI appears)",
    "a Runnable or task passed through a field or parameter before Thread.start/Executor/Handler"
    " is not followed; native and dynamically loaded code is not seen",
    "consent gates are recognised by a consent-flag read or an SDK consent setter earlier in the"
    " same method (instruction order, branches not modelled)",
)
_NEVER = 1 << 30


def desc(dotted: str) -> str:
    return "L" + dotted.replace(".", "/") + ";"


def build_graph(dexes: Iterable, scat: StartupCatalog) -> CallGraph:
    graph = new_graph(scat)
    for dex in dexes:
        graph.add_dex(dex)
    return graph.finish()


def new_graph(scat: StartupCatalog) -> CallGraph:
    rules = [AsyncRule(desc(e.cls), m, e.callbacks) for e in scat.async_edges for m in e.methods]
    return CallGraph(rules, [(desc(c), m) for c, m in scat.flag_readers])


def _sid(prefix: str, *parts: object) -> str:
    return prefix + "-" + hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()[:10]


class _Search:
    """Multi-source BFS with parent pointers; `respect_gates` stops at consent gates."""

    def __init__(self, g: CallGraph, edges, roots: dict[int, int], gate_pc: dict[int, int],
                 respect_gates: bool):
        n = g.method_count
        self.parent = np.full(n, -1, dtype=np.int32)
        self.kind = np.zeros(n, dtype=np.uint8)
        self.pc = np.zeros(n, dtype=np.int32)
        self.root = np.full(n, -1, dtype=np.int32)
        self.seen = np.zeros(n, dtype=bool)
        queue: deque[int] = deque()
        for mid, entry in roots.items():
            self.seen[mid] = True
            self.root[mid] = entry
            queue.append(mid)
        while queue:
            m = queue.popleft()
            if not g.defined[m]:
                continue
            limit = gate_pc.get(m, _NEVER) if respect_gates else _NEVER
            r = self.root[m]
            for t, k, pc in edges(m):
                if pc > limit or self.seen[t]:
                    continue
                self.seen[t] = True
                self.parent[t], self.kind[t], self.pc[t], self.root[t] = m, k, pc, r
                queue.append(t)

    def chain(self, mid: int) -> tuple[list[int], list[int]]:
        """The methods from the entry point to `mid`, and the kind of each edge taken."""
        out, kinds, guard = [], [], 0
        while mid >= 0 and guard < 100000:
            out.append(mid)
            if self.parent[mid] >= 0:
                kinds.append(int(self.kind[mid]))
            mid = int(self.parent[mid])
            guard += 1
        out.reverse()
        return out, kinds


# A chain longer than this, or with this many class-hierarchy guesses, is a weak lead: CHA over
# listener interfaces builds long chains through UI callbacks that start-up code never triggers.
LONG_CHAIN = 20
MANY_CHA = 2


def _confidence(kinds: list[int], base: Confidence = Confidence.HIGH) -> Confidence:
    """high: plain invokes and static initialisers; medium: one CHA guess or a thread hop;
    low: reflection, several CHA guesses or a very long chain; never above the site's own."""
    if REFLECTION in kinds or kinds.count(CHA) >= MANY_CHA or len(kinds) >= LONG_CHAIN:
        level = Confidence.LOW
    elif CHA in kinds or ASYNC in kinds:
        level = Confidence.MEDIUM
    else:
        level = Confidence.HIGH
    order = [Confidence.LOW, Confidence.MEDIUM, Confidence.HIGH]
    return order[min(order.index(level), order.index(base))]


def analyze_startup(graph: CallGraph, start_points, api_calls: Iterable[ApiCallSite],
                    catalog: Catalog, scat: StartupCatalog,
                    own_packages: tuple[str, ...] = ()) -> Startup:
    """`own_packages`: the app's own packages, never claimed by a vendor-wide SDK prefix
    (static.sdks.own_packages)."""
    t0 = time.perf_counter()
    g = graph

    def sdk_of(cls: str):
        return catalog.sdk_for_class(cls, own_packages)
    entries: list[StartEntryPoint] = []
    roots: dict[int, int] = {}
    for sp in start_points:
        sdk = sdk_of(sp.name)
        entries.append(StartEntryPoint(sp.kind, class_name=sp.name, process=sp.process,
                                       sdk=sdk.id if sdk else None))
        c = g.types.index.get(desc(sp.name))
        for name, proto in _ENTRY_METHODS.get(sp.kind, ()):
            mid = g.resolve_named(c, name, proto) if c is not None else -1
            if mid >= 0 and mid not in roots:
                roots[mid] = len(entries) - 1

    cache: dict[int, list] = {}

    def edges(m: int) -> list:
        hit = cache.get(m)
        if hit is None:
            hit = cache[m] = g.edges(m)
        return hit

    words = catalog.consent.consent_flag_words if catalog.consent is not None else ()
    gate_pc, gate_why = _gates(g, scat, words)
    ungated = _Search(g, edges, roots, gate_pc, respect_gates=True)
    full = _Search(g, edges, roots, gate_pc, respect_gates=False)

    def describe(search: _Search, mid: int) -> tuple[list[str], list[int], str, Optional[str],
                                                        Optional[str]]:
        chain, kinds = search.chain(mid)
        entry = entries[int(search.root[chain[0]])] if search.root[chain[0]] >= 0 else None
        gate = None
        for a, b in zip(chain, chain[1:]):
            if search.pc[b] > gate_pc.get(a, _NEVER):
                gate = gate_why[a]
                break
        return ([g.display(m) for m in chain], kinds, entry.class_name if entry else "",
                entry.process if entry else None, gate)

    def status(caller: int, pcs: Optional[list[int]]):
        """(search, gated, gate inside the caller) for a call made in `caller` at `pcs`."""
        inner = gate_pc.get(caller, _NEVER)
        inside_gated = pcs is not None and pcs and min(pcs) > inner
        if ungated.seen[caller] and not inside_gated:
            return ungated, False, None
        if full.seen[caller]:
            return full, True, gate_why.get(caller) if inside_gated else None
        return None, False, None

    reachable: list[StartReachableCall] = []
    for site in api_calls:
        if site.library:  # a library wrapper's read: its callers' sites (via_wrapper) count
            continue
        name, _, rest = site.caller_method.partition("(")
        c = g.types.index.get(desc(site.caller_class))
        mid = g.resolve_named(c, name, "(" + rest, inherit=False) if c is not None else -1
        if mid < 0:
            continue
        pcs = _api_pcs(g, mid, site.api) if site.via.value == "invoke" else None
        search, gated, inner_gate = status(mid, pcs)
        if search is None:
            continue
        path, kinds, entry, process, gate = describe(search, mid)
        reachable.append(StartReachableCall(
            id=_sid("start", site.id), api=site.api, pi_type=site.pi_type,
            caller_class=site.caller_class, caller_method=site.caller_method, sdk=site.sdk,
            path=tuple(path), gated=gated, confidence=_confidence(kinds, site.confidence),
            entry=entry, process=process, call_site=site.id, gate=gate or inner_gate,
            via=tuple(sorted({KIND_NAMES[k] for k in kinds}))))

    inits: dict[tuple, StartSdkInit] = {}
    for api in scat.apis:
        targets = np.asarray(g.find(desc(api.cls), api.method), dtype=np.int32)
        if not len(targets):
            continue
        hit = np.flatnonzero(np.isin(g.e_callee, targets))
        calls: dict[int, list[int]] = {}
        for i in hit.tolist():
            calls.setdefault(int(g.e_caller[i]), []).append(int(g.e_pc[i]))
        for caller, pcs in calls.items():
            search, gated, inner_gate = status(caller, pcs)
            if search is None:
                continue
            path, kinds, entry, process, gate = describe(search, caller)
            rec = StartSdkInit(
                id=_sid("sdkinit", api.sdk, api.target, g.display(caller)), sdk=api.sdk,
                target=api.target, caller_class=g.class_of(caller),
                path=tuple(path) + (api.target,), gated=gated, confidence=_confidence(kinds),
                role=api.role, entry=entry, process=process, gate=gate or inner_gate,
                via=tuple(sorted({KIND_NAMES[k] for k in kinds})), source=api.source)
            key = (api.sdk, api.role, api.target)
            old = inits.get(key)
            if old is None or (old.gated, len(old.path)) > (rec.gated, len(rec.path)):
                inits[key] = rec
    providers = {p.cls: p for p in scat.providers}
    for e in entries:
        if e.kind != "provider" or (e.sdk is None and e.class_name not in providers):
            continue
        listed = providers.get(e.class_name)
        owner_id = listed.sdk if listed else e.sdk
        if owner_id is None:
            continue
        cid = g.types.index.get(desc(e.class_name))
        starts = [m for m in (g.resolve_named(cid, n, pr) if cid is not None else -1
                              for n, pr in _ENTRY_METHODS["provider"][2:]) if m >= 0]
        # an SDK's provider that only inherits onCreate from a library class (a FileProvider
        # subclass for sharing files) does not start the SDK: its own code must run
        own = [m for m in starts
               if (o := sdk_of(g.class_of(m))) is not None and o.id == owner_id]
        if listed is None and not own:
            continue
        first = [g.display(m) for m in (own or starts)]
        inits[(owner_id, "provider", e.class_name)] = StartSdkInit(
            id=_sid("sdkinit", owner_id, e.class_name), sdk=owner_id, target=e.class_name,
            caller_class=e.class_name, path=tuple(first or [e.class_name]), gated=False,
            confidence=Confidence.HIGH, role="provider", entry=e.class_name,
            process=e.process, source=listed.source if listed else "")

    limits = list(LIMITS)
    if g.dropped_fanout:
        limits.append(f"{g.dropped_fanout} virtual calls with more than {MAX_FANOUT} possible "
                      "targets in the APK were not followed")
    if not roots:
        limits.append("no entry point of the manifest has code in the APK (no Application or "
                      "provider class, or the code is packed): nothing is reachable at start")
    stats = {"methods": float(g.method_count), "edges": float(g.edge_count),
             "entry_methods": float(len(roots)),
             "reachable_methods": float(int(full.seen.sum())),
             "reachable_ungated": float(int(ungated.seen.sum())),
             "seconds": round(time.perf_counter() - t0, 4)}
    return Startup(
        entry_points=tuple(entries),
        reachable_calls=tuple(sorted(reachable, key=lambda r: (r.gated, r.sdk or "", r.api,
                                                               r.caller_class, len(r.path)))),
        sdk_inits=tuple(sorted(inits.values(), key=lambda r: (r.gated, r.sdk, r.role,
                                                              r.target))),
        limits=tuple(limits), stats=stats)


def _api_pcs(g: CallGraph, mid: int, api_id: str) -> list[int]:
    cls, _, name = api_id.rpartition(".")
    c, n = g.types.index.get(desc(cls)), g.names.index.get(name)
    out = []
    for callee, _op, pc in g.invokes(mid):
        cc, cn, _p = g.parts(callee)
        if cn == n and (cc == c or (c is not None and c in g.ancestors(cc))):
            out.append(pc)
    return out


def _gates(g: CallGraph, scat: StartupCatalog,
           flag_words: tuple[str, ...]) -> tuple[dict[int, int], dict[int, str]]:
    """Method id -> pc after which its calls are behind a consent check, and why."""
    gate_pc: dict[int, int] = {}
    why: dict[int, str] = {}

    def add(mid: int, pc: int, text: str) -> None:
        if pc < gate_pc.get(mid, _NEVER):
            gate_pc[mid], why[mid] = pc, text

    readers = set()
    for cls, name in scat.flag_readers:
        readers.update(g.find(desc(cls), name))
    predicates = []
    for mid, strings in g.strings.items():
        words = [s for _pc, s in strings if any(w in s.lower() for w in flag_words)]
        if not words:
            continue
        pcs = [pc for callee, _op, pc in g.invokes(mid) if callee in readers]
        if not pcs:
            continue
        add(mid, min(pcs), f"consent flag {words[0]!r} read in {g.display(mid)}")
        if g.method_sig(mid).endswith(")Z"):
            predicates.append(mid)
    consent = {}
    for api in scat.apis:
        if api.role == "consent":
            for mid in g.find(desc(api.cls), api.method):
                consent[mid] = f"{api.sdk} consent setter {api.target}"
    checks = {m: f"consent check {g.display(m)}" for m in predicates}
    checks.update(consent)
    if checks:
        ids = np.fromiter(checks, dtype=np.int32)
        for i in np.flatnonzero(np.isin(g.e_callee, ids)).tolist():
            add(int(g.e_caller[i]), int(g.e_pc[i]), checks[int(g.e_callee[i])])
    return gate_pc, why


# --------------------------------------------------------------------------- every call site


def reachable_call_sites(graph: CallGraph, package: str, start_points, components,
                         named_classes, api_calls: Iterable[ApiCallSite]) -> tuple[set[str], int]:
    """Ids of the call sites some manifest component can reach, and how many methods are
    reachable at all. The framework calls any method of a component (lifecycle, callbacks),
    and of a class that reached code creates, touches or names (listeners, lambdas, fragments,
    views named in layouts: `named_classes`), so all of those are roots. A site whose method is
    not in the graph counts as reachable: only what the graph shows unreachable is reported so.
    """
    g = graph
    names = [sp.name for sp in start_points] + list(named_classes) + [
        package + c.name if c.name.startswith(".") else c.name if "." in c.name
        else f"{package}.{c.name}" for c in components]  # manifest names may be relative
    roots = [c for c in (g.types.index.get(desc(n)) for n in names) if c is not None]
    seen = g.reach_all(roots)
    out = set()
    for site in api_calls:
        name, _, rest = site.caller_method.partition("(")
        c = g.types.index.get(desc(site.caller_class))
        mid = g.resolve_named(c, name, "(" + rest, inherit=False) if c is not None else -1
        if mid < 0 or seen[mid]:
            out.add(site.id)
    return out, int(seen.sum())
