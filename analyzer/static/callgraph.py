"""A call graph of the whole APK (every dex, nested ones too) from our own dex reader.

Built for hundreds of thousands of methods without a Python object per edge:
- Every method (defined or only referenced) gets a global id from one packed 64-bit key
  (class, name, proto ids interned across dex files); `np.unique` over all keys numbers them.
- Instruction boundaries of every method are found vectorised: all methods advance one
  instruction per step in lock-step (numpy), and the few longest methods finish in a plain loop.
  Only true boundaries count, so data inside an instruction never looks like an invoke.
- Raw edges (caller, callee reference, opcode, pc) are stored as int arrays sorted by caller;
  class-hierarchy resolution (the named method and its overrides in subclasses/implementors
  defined in the APK) is done lazily, per method, when a traversal expands it.

Edges Android adds, besides invoke-*: the Runnable's `run` (or `call`, `doInBackground`) of a
class instantiated (new-instance) or fetched as a static singleton (desugared lambdas) in the
method that calls Thread.start / Executor.execute / Handler.post* / View.post / AsyncTask.execute
/ Timer.schedule (the table is data: catalog/startup.yaml); `<clinit>` of a class on its first use
(new-instance, static call, static field); reflection whose class and method names are constant
strings of the same method. Edge kinds lower the confidence of a path that uses them.
"""
from __future__ import annotations

from array import array
from bisect import bisect_left
from dataclasses import dataclass
from typing import Iterable, Optional

import numpy as np

from privascope.static.dex import NO_INDEX, OPCODE_WIDTHS, DexFile, descriptor_to_java

BITS = 21  # class, name and proto ids each fit 21 bits of the packed key
_MASK = (1 << BITS) - 1
_TAIL = 256  # below this many unfinished methods, the lock-step walk hands over to a loop
MAX_FANOUT = 16  # a virtual call with more possible targets than this is not followed

# edge kinds, in order of decreasing certainty of the path that uses them
DIRECT, CHA, ASYNC, CLINIT, REFLECTION = 0, 1, 2, 3, 4
KIND_NAMES = {DIRECT: "invoke", CHA: "cha", ASYNC: "async", CLINIT: "clinit",
              REFLECTION: "reflection"}

_STATIC_DIRECT = frozenset([0x70, 0x71, 0x76, 0x77])
_SUPER = frozenset([0x6F, 0x75])
_INVOKES = np.zeros(256, dtype=bool)
_INVOKES[[*range(0x6E, 0x73), *range(0x74, 0x79)]] = True
_STATIC_FIELD = np.zeros(256, dtype=bool)
_STATIC_FIELD[range(0x60, 0x6E)] = True
_W = np.array(OPCODE_WIDTHS, dtype=np.int32)
NEW_INSTANCE, CONST_CLASS = 0x22, 0x1C
# how a method uses a class (c_kind): instantiates it, touches a static member, names it
USE_NEW, USE_STATIC, USE_CONST_CLASS = 0, 1, 2


class CallGraphError(ValueError):
    """The APK is too large or malformed for the packed-id tables (one line)."""


@dataclass(frozen=True)
class AsyncRule:
    """`cls.method` hands work to another thread; the callbacks named run there."""

    cls: str  # descriptor, e.g. "Ljava/lang/Thread;"
    method: str
    callbacks: tuple[str, ...]


# ----------------------------------------------------------------------------- decoding


def instruction_starts(data: bytes, starts_u: np.ndarray, ends_u: np.ndarray) -> np.ndarray:
    """Code-unit positions of every instruction of the given methods (sorted), skipping
    switch/array payloads. starts_u/ends_u are unit offsets into `data` viewed as uint16."""
    n = len(data) // 2
    units = np.frombuffer(data, dtype="<u2", count=n)
    width = _W[units & 0xFF]
    # payload pseudo-instructions (opcode 0 with an ident byte): their size is in the next units
    for ident in (1, 2, 3):
        p = np.flatnonzero(units == (ident << 8))
        p = p[p + 3 < n]
        if not len(p):
            continue
        size = units[p + 1].astype(np.int64)
        # a hostile size cannot overflow: int32 widths are capped at the file's length
        if ident == 1:
            width[p] = size * 2 + 4
        elif ident == 2:
            width[p] = size * 4 + 2
        else:
            count = size = units[p + 2].astype(np.int64) | (units[p + 3].astype(np.int64) << 16)
            width[p] = np.minimum((count * units[p + 1].astype(np.int64) + 1) // 2 + 4, n)
    np.maximum(width, 1, out=width)  # every step advances, whatever the data
    pc, end = starts_u.astype(np.int64), ends_u.astype(np.int64)
    keep = pc < end
    pc, end = pc[keep], end[keep]
    chunks = []
    while len(pc) > _TAIL:
        nxt = pc + width[pc]
        ok = nxt <= end  # an instruction running past its method's end is not one
        chunks.append(pc[ok])
        more = ok & (nxt < end)
        pc, end = nxt[more], end[more]
    tail: list[int] = []
    wl: list[int] = width.tolist() if len(pc) else []
    for p, e in zip(pc.tolist(), end.tolist()):
        while p < e:
            w = wl[p]
            if p + w > e:
                break
            tail.append(p)
            p += w
    chunks.append(np.asarray(tail, dtype=np.int64))
    out = np.concatenate(chunks)
    out.sort()
    return out


def _ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Concatenated index ranges [starts[i], ends[i]) as one array, without a Python loop."""
    lens = ends - starts
    total = int(lens.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    shift = np.repeat(starts - np.concatenate(([0], np.cumsum(lens)[:-1])), lens)
    return shift + np.arange(total)


# ----------------------------------------------------------------------------- the graph


class _Interner:
    def __init__(self):
        self.index: dict = {}
        self.items: list = []

    def __call__(self, value) -> int:
        i = self.index.get(value)
        if i is None:
            i = self.index[value] = len(self.items)
            self.items.append(value)
        return i

    def bulk(self, values: list) -> np.ndarray:
        """Ids of many values at once (one dict lookup each; new ones are added)."""
        get = self.index.get
        out = [get(v, -1) for v in values]
        if -1 in out:
            out = [i if i >= 0 else self(v) for i, v in zip(out, values)]
        return np.asarray(out, dtype=np.int64)


@dataclass
class _DexPart:
    """What one dex contributes, in packed keys (merged and numbered in `finish`)."""

    def_keys: np.ndarray  # keys of methods with code
    e_caller: np.ndarray  # packed keys
    e_callee: np.ndarray
    e_op: np.ndarray
    e_pc: np.ndarray
    c_caller: np.ndarray  # class uses: caller key, class id, pc, kind (0 new-instance, 1 static)
    c_class: np.ndarray
    c_pc: np.ndarray
    c_kind: np.ndarray
    strings: dict  # caller key -> [(pc, string)] for methods that reflect or read flags


class CallGraph:
    """Whole-APK call graph. Build with `add_dex` for every dex, then `finish()`."""

    def __init__(self, async_rules: Iterable[AsyncRule] = (), string_users: Iterable[
            tuple[str, str]] = ()):
        self.types = _Interner()  # type descriptors ("Lcom/a/B;", "I", "[B")
        self.names = _Interner()  # member names
        self.protos = _Interner()  # "(Ljava/lang/String;)V"
        self.super_of: dict[int, int] = {}  # defined class -> superclass type id
        self.ifaces_of: dict[int, tuple[int, ...]] = {}
        self._parts: list[_DexPart] = []
        self.async_rules = tuple(async_rules)
        # (class descriptor, method name) whose callers need their const-strings kept
        self._string_users = set(string_users) | {
            ("Ljava/lang/Class;", n) for n in ("forName", "getMethod", "getDeclaredMethod")} | {
            ("Ljava/lang/ClassLoader;", "loadClass")}
        self.errors: list[str] = []
        self.finished = False

    # -- building ------------------------------------------------------------------------

    def key(self, cls_id: int, name_id: int, proto_id: int) -> int:
        return (cls_id << (2 * BITS)) | (name_id << BITS) | proto_id

    def add_dex(self, dex: DexFile) -> None:
        strings = dex.all_strings()
        tdesc = dex.type_descriptors()
        tg = self.types.bulk(tdesc)
        mids = dex.method_id_table
        uniq_names, name_inv = np.unique(mids["name"], return_inverse=True)
        if len(uniq_names) and int(uniq_names[-1]) >= len(strings):
            raise CallGraphError(f"{dex.name}: a method id names a string out of range")
        ng = self.names.bulk([strings[i] for i in uniq_names.tolist()])
        pg = self.protos.bulk(dex.proto_descriptors())
        if max(len(self.types.items), len(self.names.items), len(self.protos.items)) > _MASK:
            raise CallGraphError("too many distinct types, names or prototypes for the graph")
        if len(mids) and (int(mids["cls"].max()) >= len(tg) or int(mids["mid"].max()) >= len(pg)):
            raise CallGraphError(f"{dex.name}: a method id names a type or proto out of range")
        mkeys = (tg[mids["cls"]] << (2 * BITS)) | (ng[name_inv] << BITS) | pg[mids["mid"]]

        for cls, sup, ifaces in dex.class_supertypes():
            if cls >= len(tg):
                continue
            c = int(tg[cls])
            if c in self.super_of:  # the first definition wins, as in the platform's loader
                continue
            self.super_of[c] = int(tg[sup]) if sup != NO_INDEX and sup < len(tg) else -1
            self.ifaces_of[c] = tuple(int(tg[i]) for i in ifaces if i < len(tg))

        methods = dex.code_methods()
        if not methods:
            return
        starts = np.fromiter((m.insns_off // 2 for m in methods), dtype=np.int64,
                             count=len(methods))
        lens = np.fromiter((m.insns_units for m in methods), dtype=np.int64, count=len(methods))
        if any(m.insns_off % 2 for m in methods[:1]):
            raise CallGraphError(f"{dex.name}: code items not 2-byte aligned")
        midx = np.fromiter((m.method_idx for m in methods), dtype=np.int64, count=len(methods))
        if int(midx.max()) >= len(mkeys):
            raise CallGraphError(f"{dex.name}: a code item names a method id out of range")
        caller_keys = mkeys[midx]
        pos = instruction_starts(dex.data, starts, starts + lens)
        units = np.frombuffer(dex.data, dtype="<u2", count=len(dex.data) // 2)
        pos = pos[pos + 2 < len(units)]
        ops = (units[pos] & 0xFF).astype(np.uint8)
        # owner method of each instruction: boundaries are sorted and lie inside their method,
        # so each method owns the run of boundaries from its start to the next method's start
        firsts = np.searchsorted(pos, starts)
        owner = np.repeat(np.arange(len(starts)), np.diff(np.append(firsts, len(pos))))
        arg = units[pos + 1].astype(np.int64)

        inv = np.flatnonzero(_INVOKES[ops])
        inv = inv[arg[inv] < len(mkeys)]
        e_caller = caller_keys[owner[inv]]
        e_callee = mkeys[arg[inv]]
        e_pc = (pos[inv] - starts[owner[inv]]).astype(np.int32)
        e_op = ops[inv]

        fields = dex.field_id_table
        ni = np.flatnonzero(ops == NEW_INSTANCE)
        ni = ni[arg[ni] < len(tg)]
        sf = np.flatnonzero(_STATIC_FIELD[ops])
        sf = sf[arg[sf] < len(fields)]
        if len(sf):  # a field id naming a type outside the type table (hostile dex): dropped
            sf = sf[fields["cls"][arg[sf]] < len(tg)]
        cc = np.flatnonzero(ops == CONST_CLASS)  # a class handed over by name (Fragment, Intent)
        cc = cc[arg[cc] < len(tg)]
        c_idx = np.concatenate([ni, sf, cc])
        c_class = np.concatenate([tg[arg[ni]], tg[fields["cls"][arg[sf]]] if len(sf) else
                                  np.zeros(0, dtype=np.int64), tg[arg[cc]]])
        c_kind = np.concatenate([np.full(len(ni), USE_NEW, np.uint8),
                                 np.full(len(sf), USE_STATIC, np.uint8),
                                 np.full(len(cc), USE_CONST_CLASS, np.uint8)])

        # const-strings only of methods that call a string user (reflection, flag readers)
        wanted = set()
        for cdesc, name in self._string_users:
            user_cls = self.types.index.get(cdesc)
            user_name = self.names.index.get(name)
            if user_cls is not None and user_name is not None:
                wanted.add((user_cls << BITS) | user_name)
        kept: dict[int, list] = {}
        if wanted and len(inv):
            cn = e_callee >> BITS
            users = np.unique(owner[inv][np.isin(cn, np.fromiter(wanted, dtype=np.int64))])
            if len(users):
                cs = np.flatnonzero(((ops == 0x1A) | (ops == 0x1B)) & np.isin(owner, users))
                for p, o, op in zip(pos[cs].tolist(), owner[cs].tolist(), ops[cs].tolist()):
                    si = int(units[p + 1]) | ((int(units[p + 2]) << 16) if op == 0x1B else 0)
                    if si < len(strings):
                        kept.setdefault(int(caller_keys[o]), []).append(
                            (p - int(starts[o]), strings[si]))
        self._parts.append(_DexPart(
            def_keys=caller_keys, e_caller=e_caller, e_callee=e_callee, e_op=e_op, e_pc=e_pc,
            c_caller=caller_keys[owner[c_idx]], c_class=c_class,
            c_pc=(pos[c_idx] - starts[owner[c_idx]]).astype(np.int32), c_kind=c_kind,
            strings=kept))

    def finish(self) -> "CallGraph":
        parts = self._parts

        def cat(name: str, dt) -> np.ndarray:
            return (np.concatenate([getattr(p, name) for p in parts]).astype(dt)
                    if parts else np.zeros(0, dt))

        def_keys = cat("def_keys", np.int64)
        e_caller, e_callee = cat("e_caller", np.int64), cat("e_callee", np.int64)
        c_caller = cat("c_caller", np.int64)
        # callers are always defined methods: numbering defined + callee keys covers every id
        self.keys = np.unique(np.concatenate([def_keys, e_callee]))

        def ids(k: np.ndarray) -> np.ndarray:
            return np.asarray(np.searchsorted(self.keys, k), dtype=np.int32)

        self.defined = np.zeros(len(self.keys), dtype=bool)
        self.defined[ids(def_keys)] = True
        del def_keys
        caller = ids(e_caller)
        del e_caller
        order = np.argsort(caller, kind="stable")
        self.e_caller = caller[order]
        self.e_callee = ids(e_callee)[order]
        del e_callee
        self.e_op = cat("e_op", np.uint8)[order]
        self.e_pc = cat("e_pc", np.int32)[order]
        cc = ids(c_caller)
        order = np.argsort(cc, kind="stable")
        self.c_caller = cc[order]
        self.c_class = cat("c_class", np.int32)[order]
        self.c_pc = cat("c_pc", np.int32)[order]
        self.c_kind = cat("c_kind", np.uint8)[order]
        self.strings: dict[int, list] = {}
        for p in parts:
            for k, v in p.strings.items():
                self.strings.setdefault(self.mid_of_key(k), []).extend(v)
        self._parts = []
        # defined methods by signature (name+proto) and by (class, name), for CHA and lookups
        dm = np.flatnonzero(self.defined)
        dk = self.keys[dm]
        sig = dk & ((1 << (2 * BITS)) - 1)
        o = np.argsort(sig, kind="stable")
        self._sig_keys, self._sig_mids = sig[o], dm[o]
        self._sig_list = array("q", self._sig_keys.tobytes())
        cn = dk >> BITS
        o = np.argsort(cn, kind="stable")
        self._cn_keys, self._cn_mids = cn[o], dm[o]
        # O(1) lookups for the traversal: per-caller slices and the defined methods by key
        everyone = np.arange(len(self.keys) + 1)
        self._e_off = array("q", np.searchsorted(self.e_caller, everyone).tobytes())
        self._c_off = array("q", np.searchsorted(self.c_caller, everyone).tobytes())
        self._key_list = array("q", self.keys.tobytes())  # bisect: no numpy call per lookup
        self._defined_b = self.defined.tobytes()
        self._children: Optional[dict[int, list[int]]] = None
        self._subtypes: dict[int, frozenset] = {}
        self._clinit_cache: dict[int, list[int]] = {}
        self._ancestors: dict[int, frozenset] = {}
        self._resolved: dict[tuple[int, int], tuple[int, ...]] = {}
        self._cha_fanout = 0
        self.dropped_fanout = 0
        self._async = {}
        for r in self.async_rules:
            c, n = self.types.index.get(r.cls), self.names.index.get(r.method)
            if c is not None and n is not None:
                self._async[(c, n)] = tuple(r.callbacks)
        self._async_names = {n for (_c, n) in self._async}
        self.finished = True
        return self

    # -- ids and names -------------------------------------------------------------------

    @property
    def method_count(self) -> int:
        return len(self.keys)

    @property
    def edge_count(self) -> int:
        return len(self.e_caller)

    def mid_of_key(self, key: int) -> int:
        i = int(np.searchsorted(self.keys, key))
        return i if i < len(self.keys) and int(self.keys[i]) == key else -1

    def find(self, cls_desc: str, name: str, proto: Optional[str] = None) -> list[int]:
        """Method ids of `cls_desc.name` (every overload when `proto` is None)."""
        c, n = self.types.index.get(cls_desc), self.names.index.get(name)
        if c is None or n is None:
            return []
        if proto is not None:
            p = self.protos.index.get(proto)
            mid = self.mid_of_key(self.key(c, n, p)) if p is not None else -1
            return [mid] if mid >= 0 else []
        lo = int(np.searchsorted(self.keys, self.key(c, n, 0)))
        hi = int(np.searchsorted(self.keys, self.key(c, n + 1, 0)))
        return list(range(lo, hi))

    def parts(self, mid: int) -> tuple[int, int, int]:
        k = int(self.keys[mid])
        return k >> (2 * BITS), (k >> BITS) & _MASK, k & _MASK

    def class_of(self, mid: int) -> str:
        return descriptor_to_java(self.types.items[self.parts(mid)[0]])

    def method_sig(self, mid: int) -> str:
        _c, n, p = self.parts(mid)
        return self.names.items[n] + self.protos.items[p]

    def display(self, mid: int) -> str:
        """"a.b.App.onCreate()V": dotted class, name and dex descriptor."""
        return f"{self.class_of(mid)}.{self.method_sig(mid)}"

    # -- hierarchy -----------------------------------------------------------------------

    def ancestors(self, cls: int) -> frozenset:
        """The class, its superclasses and interfaces as far as the APK defines them."""
        hit = self._ancestors.get(cls)
        if hit is not None:
            return hit
        seen, todo = set(), [cls]
        while todo:
            c = todo.pop()
            if c in seen or c < 0:
                continue
            seen.add(c)
            todo.append(self.super_of.get(c, -1))
            todo.extend(self.ifaces_of.get(c, ()))
        hit = self._ancestors[cls] = frozenset(seen)
        return hit

    def _defined(self, cls: int, sig: int) -> int:
        key = (cls << (2 * BITS)) | sig
        i = bisect_left(self._key_list, key)
        if i < len(self._key_list) and self._key_list[i] == key and self._defined_b[i]:
            return i
        return -1

    def _children_map(self) -> dict[int, list[int]]:
        """Class id -> the APK classes that extend or implement it directly."""
        if self._children is None:
            self._children = {}
            for c, sup in self.super_of.items():
                for parent in (sup, *self.ifaces_of.get(c, ())):
                    if parent >= 0:
                        self._children.setdefault(parent, []).append(c)
        return self._children

    def subtypes(self, cls: int) -> frozenset:
        """APK classes having `cls` among their superclasses or interfaces (itself included)."""
        hit = self._subtypes.get(cls)
        if hit is not None:
            return hit
        children = self._children_map()
        seen, todo = set(), [cls]
        while todo:
            c = todo.pop()
            if c not in seen:
                seen.add(c)
                todo.extend(children.get(c, ()))
        hit = self._subtypes[cls] = frozenset(seen)
        return hit

    def _upward(self, cls: int, sig: int) -> int:
        seen = set()
        while cls >= 0 and cls not in seen:
            seen.add(cls)
            mid = self._defined(cls, sig)
            if mid >= 0:
                return mid
            cls = self.super_of.get(cls, -1)
        return -1

    def resolve_named(self, cls: Optional[int], name: str, proto: str,
                      inherit: bool = True) -> int:
        """The defined method `name proto` of class id `cls` (or inherited from an APK
        superclass when `inherit`), else -1."""
        n, p = self.names.index.get(name), self.protos.index.get(proto)
        if cls is None or n is None or p is None:
            return -1
        sig = (n << BITS) | p
        return self._upward(cls, sig) if inherit else self._defined(cls, sig)

    def by_class_name(self, cls: int, name: int) -> list[int]:
        """Defined methods of `cls` (or, if none, its nearest APK superclass) named `name`."""
        seen = set()
        while cls >= 0 and cls not in seen:
            seen.add(cls)
            k = (cls << BITS) | name
            lo = int(np.searchsorted(self._cn_keys, k))
            hi = int(np.searchsorted(self._cn_keys, k, side="right"))
            if hi > lo:
                return self._cn_mids[lo:hi].tolist()
            cls = self.super_of.get(cls, -1)
        return []

    def resolve(self, callee: int, op: int) -> tuple[int, ...]:
        """Defined methods an invoke of `callee` with opcode `op` may run (CHA)."""
        hit = self._resolved.get((callee, op in _STATIC_DIRECT or op in _SUPER))
        if hit is not None:
            return hit
        cls, n, p = self.parts(callee)
        sig = (n << BITS) | p
        if cls not in self.super_of and cls not in self._children_map():
            out: tuple[int, ...] = ()  # a platform class with no subclass in the APK
        elif op in _STATIC_DIRECT or op in _SUPER:
            up = self._upward(cls, sig)
            out = (up,) if up >= 0 else ()
        else:
            targets = set()
            up = self._upward(cls, sig)
            if up >= 0:
                targets.add(up)
            lo = bisect_left(self._sig_list, sig)
            hi = bisect_left(self._sig_list, sig + 1)
            subs = self.subtypes(cls)
            if len(subs) < hi - lo:  # walk the smaller side: subtypes of cls, or the definers
                targets.update(m for m in (self._defined(c, sig) for c in subs) if m >= 0)
            else:
                targets.update(m for m in self._sig_mids[lo:hi].tolist()
                               if self.parts(m)[0] in subs)
            out = tuple(sorted(targets))
        self._resolved[(callee, op in _STATIC_DIRECT or op in _SUPER)] = out
        return out

    # -- edges ---------------------------------------------------------------------------

    def invokes(self, mid: int) -> list[tuple[int, int, int]]:
        """Raw invokes of a defined method: (callee reference id, opcode, pc)."""
        lo, hi = self._e_off[mid], self._e_off[mid + 1]
        return list(zip(self.e_callee[lo:hi].tolist(), self.e_op[lo:hi].tolist(),
                        self.e_pc[lo:hi].tolist()))

    def class_uses(self, mid: int) -> list[tuple[int, int, int]]:
        """Classes a defined method uses: (class id, pc, USE_NEW | USE_STATIC | USE_CONST_CLASS)."""
        lo, hi = self._c_off[mid], self._c_off[mid + 1]
        return list(zip(self.c_class[lo:hi].tolist(), self.c_pc[lo:hi].tolist(),
                        self.c_kind[lo:hi].tolist()))

    def methods_of(self, cls: int) -> list[int]:
        """Every defined method of class id `cls` and of its APK superclasses."""
        out, seen = [], set()
        while cls >= 0 and cls not in seen:
            seen.add(cls)
            lo = int(np.searchsorted(self._cn_keys, cls << BITS))
            hi = int(np.searchsorted(self._cn_keys, (cls + 1) << BITS))
            out.extend(self._cn_mids[lo:hi].tolist())
            cls = self.super_of.get(cls, -1)
        return out

    def reach_all(self, root_classes) -> np.ndarray:
        """Methods reachable from every method of `root_classes` (class ids), when every
        method of each class that reached code uses (creates, touches, names) counts too: the
        framework may call any of them. Vectorised over the edge arrays; each distinct callee
        reference is resolved (CHA, no fan-out cap: over-approximating keeps "unreachable"
        honest) once. No paths: for whole-app reachability, not for chains."""
        n = self.method_count
        reached = np.zeros(n, dtype=bool)
        class_done: set[int] = set()
        e_off = np.frombuffer(self._e_off, dtype=np.int64)
        c_off = np.frombuffer(self._c_off, dtype=np.int64)
        def methods(classes) -> list[int]:
            out: list[int] = []
            for c in classes:
                if c not in class_done:
                    class_done.add(c)
                    out.extend(self.methods_of(c))
            return out

        frontier = np.asarray(methods(root_classes), dtype=np.int64)
        done_pair = np.zeros(2 * n, dtype=bool)  # (callee ref, static/direct) already resolved
        # classes the APK defines or extends: a call on any other class has no target here
        known = np.zeros(len(self.types.items), dtype=bool)
        known[list(self.super_of)] = True
        known[list(self._children_map())] = True
        static_ops = np.fromiter(_STATIC_DIRECT | _SUPER, np.uint8)
        while len(frontier):
            frontier = np.unique(frontier)
            new = frontier[~reached[frontier]]
            new = new[self.defined[new]] if len(new) else new
            if not len(new):
                break
            reached[new] = True
            idx = _ranges(e_off[new], e_off[new + 1])
            refs = self.e_callee[idx].astype(np.int64)
            pairs = np.unique(refs * 2 + np.isin(self.e_op[idx], static_ops))
            pairs = pairs[~done_pair[pairs]]
            done_pair[pairs] = True
            ref, direct = pairs >> 1, (pairs & 1).astype(bool)
            ref_cls = (self.keys[ref] >> (2 * BITS)).astype(np.int64)
            pairs, ref, direct, ref_cls = (a[known[ref_cls]] for a in (pairs, ref, direct, ref_cls))
            # the common case without Python: a static/direct call of a method the APK defines
            fast = direct & self.defined[ref]
            targets: list[int] = ref[fast].tolist()
            for c in np.unique(ref_cls[direct]).tolist():  # static calls initialise the class
                targets.extend(self._clinits(c))
            for r, d in zip(ref[~fast].tolist(), direct[~fast].tolist()):
                targets.extend(self.resolve(r, 0x71 if d else 0x6E))
            uses = self.c_class[_ranges(c_off[new], c_off[new + 1])]
            frontier = np.concatenate([np.asarray(targets, dtype=np.int64),
                                       np.asarray(methods(np.unique(uses).tolist()),
                                                  dtype=np.int64)])
        return reached

    def edges(self, mid: int) -> list[tuple[int, int, int]]:
        """Resolved out-edges of a defined method: (target method id, kind, pc)."""
        out: list[tuple[int, int, int]] = []
        raw = self.invokes(mid)
        async_pcs: list[tuple[int, tuple[str, ...], int]] = []
        for callee, op, pc in raw:
            targets = self.resolve(callee, op)
            if len(targets) > MAX_FANOUT:
                self.dropped_fanout += 1
                continue
            kind = CHA if len(targets) > 1 else DIRECT
            out.extend((t, kind, pc) for t in targets)
            cls, n, _p = self.parts(callee)
            if n in self._async_names:
                for anc in self.ancestors(cls):
                    cbs = self._async.get((anc, n))
                    if cbs:
                        async_pcs.append((pc, cbs, cls))
                        break
            if op in (0x71, 0x77):  # invoke-static initialises the callee's class
                out.extend((t, CLINIT, pc) for t in self._clinits(cls))
        # const-class names a class without initialising it: no <clinit>, no callback offered
        uses = [(c, pc) for c, pc, k in self.class_uses(mid) if k != USE_CONST_CLASS]
        for cls, pc in uses:
            out.extend((t, CLINIT, pc) for t in self._clinits(cls))
        if async_pcs:
            offered = {c for c, _pc in uses}
            for pc, cbs, callee_cls in async_pcs:
                for cls in offered | {callee_cls}:
                    for cb in cbs:
                        cb_name = self.names.index.get(cb)
                        if cb_name is not None:
                            out.extend((t, ASYNC, pc)
                                       for t in self.by_class_name(cls, cb_name))
        for t, pc in self._reflection(mid):
            out.append((t, REFLECTION, pc))
        return out

    def _clinits(self, cls: int) -> list[int]:
        hit = self._clinit_cache.get(cls)
        if hit is None:
            hit = self._clinit_cache[cls] = self._clinits_of(cls)
        return hit

    def _clinits_of(self, cls: int) -> list[int]:
        n = self.names.index.get("<clinit>")
        p = self.protos.index.get("()V")
        if n is None or p is None:
            return []
        out, seen = [], set()
        while cls >= 0 and cls not in seen:  # initialising a class initialises its superclasses
            seen.add(cls)
            m = self._defined(cls, (n << BITS) | p)
            if m >= 0:
                out.append(m)
            cls = self.super_of.get(cls, -1)
        return out

    def _reflection(self, mid: int) -> list[tuple[int, int]]:
        strings = self.strings.get(mid)
        if not strings:
            return []
        calls = {self.method_sig(c).split("(")[0] for c, _op, _pc in self.invokes(mid)
                 if self.types.items[self.parts(c)[0]] in ("Ljava/lang/Class;",
                                                           "Ljava/lang/ClassLoader;")}
        if not calls & {"forName", "loadClass"}:
            return []
        out: list[tuple[int, int]] = []
        classes: list[int] = []
        for pc, s in strings:
            if "." in s and " " not in s and len(s) < 300:
                c = self.types.index.get("L" + s.replace(".", "/") + ";")
                if c is not None and c in self.super_of:  # a class the APK defines
                    classes.append(c)
                    if "forName" in calls:
                        out.extend((t, pc) for t in self._clinits(c))
        if classes and calls & {"getMethod", "getDeclaredMethod"}:
            for pc, s in strings:
                n = self.names.index.get(s)
                if n is None:
                    continue
                for c in classes:
                    out.extend((t, pc) for t in self.by_class_name(c, n))
        return out
