"""Call sites of catalog APIs in one dex, found with our own dex reader (privascope.static.dex).

What counts as a call site (each deduplicated per calling method):
- invoke: an invoke-* instruction whose target method id has the catalog class and member name
  (and parameter types, when the catalog lists overloads); constructors match `<init>`;
- field: an sget* of a catalog field (Build.SERIAL, ContactsContract...CONTENT_URI);
- uri: a const-string equal to a catalog content URI ("content://sms");
- reflection: a method that both calls reflection (Class.forName, getMethod, Method.invoke...)
  and loads a const-string naming a catalog member ("getDeviceId") or a key-argument value
  ("android_id", "ro.serialno"). Confidence medium when the API's class name is also a
  const-string there, low otherwise (for a key that fits several getters, one low site per PI
  type, attributed to the first such API of the catalog). Method names shorter than 9
  characters or shared by several catalog classes are too generic to count; a field name
  ("SERIAL") counts only when its class ("android.os.Build") is named in the same method.

Key-argument APIs (Settings.Secure.getString(cr, key)): the key is resolved from the
const-string last loaded into the argument register before the call (straight-line, branches
ignored). A resolved key listed in the catalog gives that PI type with high confidence; a
resolved key that is not listed (e.g. "location_providers_allowed") is dropped — it reads no
catalog PI. An unresolved key (passed in a parameter or field) is kept with the API's own PI
type and confidence low, so a reviewer still sees the site.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from privascope.catalog import Api, Catalog
from privascope.static.dex import (
    CONST_STRING, CONST_STRING_JUMBO, INVOKE_OPS, INVOKE_STATIC_OPS, SGET_OPS, DexFile, Targets,
    candidate_methods, descriptor_to_java,
)

# Reflection entry points: calling one of these next to a member-name string is the evidence.
_REFLECTION = {
    "Ljava/lang/Class;": ("forName", "getMethod", "getDeclaredMethod", "getField",
                          "getDeclaredField", "getMethods", "getDeclaredMethods"),
    "Ljava/lang/reflect/Method;": ("invoke",),
    "Ljava/lang/reflect/Field;": ("get",),
    "Ljava/lang/ClassLoader;": ("loadClass",),
}
# Member names shorter than this are too generic to be reflection evidence ("query", "getText").
_MIN_REFLECTION_NAME = 9


@dataclass(frozen=True)
class RawSite:
    api: str
    pi_type: str
    caller_class: str  # dotted
    caller_method: str  # name + descriptor
    dex: str
    via: str  # invoke | field | uri | reflection
    confidence: str  # high | medium | low
    permission: Optional[str] = None


@dataclass
class CatalogIndex:
    """The catalog's APIs arranged for lookup by dex descriptors (built once per catalog)."""

    methods: dict[tuple[str, str], list[Api]] = field(default_factory=dict)  # (desc, name)
    fields: dict[tuple[str, str], list[Api]] = field(default_factory=dict)
    uris: dict[str, list[Api]] = field(default_factory=dict)
    reflection_names: dict[str, list[Api]] = field(default_factory=dict)
    field_names: dict[str, list[Api]] = field(default_factory=dict)  # reflection on fields
    key_values: dict[str, list[tuple[Api, str]]] = field(default_factory=dict)
    class_names: dict[str, Api] = field(default_factory=dict)  # dotted class names of APIs

    @property
    def classes(self) -> set[str]:
        return ({d for d, _ in self.methods} | {d for d, _ in self.fields}
                | set(_REFLECTION))


_INDEX_CACHE: dict[int, tuple[Catalog, CatalogIndex]] = {}


def index_catalog(catalog: Catalog) -> CatalogIndex:
    hit = _INDEX_CACHE.get(id(catalog))
    if hit is not None and hit[0] is catalog:
        return hit[1]
    idx = _build_index(catalog)
    _INDEX_CACHE[id(catalog)] = (catalog, idx)
    return idx


def _build_index(catalog: Catalog) -> CatalogIndex:
    idx = CatalogIndex()
    owners: dict[str, set[str]] = {}
    for api in catalog.apis.values():
        if api.kind == "uri":
            idx.uris.setdefault(api.member, []).append(api)
            continue
        desc = api.smali_class
        if api.kind == "field":
            idx.fields.setdefault((desc, api.member), []).append(api)
            idx.field_names.setdefault(api.member, []).append(api)
            idx.class_names.setdefault(api.cls, api)
            continue
        name = "<init>" if api.kind == "constructor" else api.member
        idx.methods.setdefault((desc, name), []).append(api)
        idx.class_names.setdefault(api.cls, api)
        if api.kind != "constructor":
            owners.setdefault(api.member, set()).add(api.cls)
        if api.key_arg is not None and getattr(api.key_arg, "match", "exact") == "exact":
            for value, pi in api.key_arg.values.items():
                idx.key_values.setdefault(value, []).append((api, pi))
    for api in catalog.apis.values():
        if api.kind in ("method", "static_method") and len(api.member) >= _MIN_REFLECTION_NAME \
                and len(owners.get(api.member, ())) == 1 and api.key_arg is None:
            idx.reflection_names.setdefault(api.member, []).append(api)
    return idx


def _overload_ok(api: Api, params: tuple[str, ...]) -> bool:
    if api.overloads is None:
        return True
    java = tuple(descriptor_to_java(p) for p in params)
    return any(tuple(o) == java for o in api.overloads)


def _arg_register(regs: tuple[int, ...], static: bool, params: tuple[str, ...],
                  index: int) -> Optional[int]:
    """Register holding Java argument `index` of an invoke (wide types take two)."""
    if index >= len(params):
        return None
    pos = (0 if static else 1) + sum(2 if p in ("J", "D") else 1 for p in params[:index])
    return regs[pos] if pos < len(regs) else None


def find_call_sites(dex: DexFile, catalog: Catalog, strings: Optional[dict[str, int]] = None,
                    resolve_keys: bool = True) -> list[RawSite]:
    """All catalog call sites in `dex`. `strings` (value -> index) saves a second decode of
    the string table when the caller already has it. `resolve_keys=False` reports every invoke
    of a key-argument API as is (for comparison with tools that do not resolve keys)."""
    idx = index_catalog(catalog)
    if strings is None:
        strings = {s: i for i, s in dex.strings()}
    # the catalog's classes as type indices of this dex (most are absent from any given dex)
    named = {strings[d]: d for d in idx.classes if d in strings}
    type_of: dict[int, str] = {t: named[si] for si, t in dex.types_named(named).items()}

    targets = Targets()
    method_apis: dict[int, list[Api]] = {}
    method_params: dict[int, tuple[str, ...]] = {}
    reflection_ids: set[int] = set()
    for mi, cls, proto, name_idx in dex.method_ids_of(type_of):
        desc = type_of[cls]
        name = dex.string(name_idx)
        if name in _REFLECTION.get(desc, ()):
            reflection_ids.add(mi)
            targets.methods.add(mi)
            continue
        apis = idx.methods.get((desc, name))
        if not apis:
            continue
        params, _ret = dex.proto(proto)
        matching = [a for a in apis if _overload_ok(a, params)]
        if matching:
            method_apis[mi] = matching
            method_params[mi] = params
            targets.methods.add(mi)
    field_apis: dict[int, list[Api]] = {}
    for fi, cls, _typ, name_idx in dex.field_ids_of(type_of):
        apis = idx.fields.get((type_of[cls], dex.string(name_idx)))
        if apis:
            field_apis[fi] = apis
            targets.fields.add(fi)
    uri_strings = _uri_strings(strings, idx)
    name_strings = {strings[n]: apis for n, apis in idx.reflection_names.items() if n in strings}
    key_strings = {strings[k]: v for k, v in idx.key_values.items() if k in strings}
    class_strings = {strings[c]: c for c in idx.class_names if c in strings}
    field_strings = {strings[f]: apis for f, apis in idx.field_names.items() if f in strings}
    targets.strings.update(uri_strings, name_strings, key_strings)
    direct = method_apis or field_apis or uri_strings
    if not direct and not (reflection_ids and (name_strings or key_strings or field_strings)):
        return []  # nothing of the catalog is referenced by this dex: no code walk at all
    targets.strings.update(class_strings)

    sites: dict[RawSite, None] = {}
    for m in candidate_methods(dex, targets):
        caller = dex.method_ref(m.method_idx)
        caller_class = descriptor_to_java(dex.class_desc_of(m.class_def))
        caller_method = caller.name + caller.descriptor

        def add(api: Api, pi: str, via: str, confidence: str) -> None:
            sites[RawSite(api.id, pi, caller_class, caller_method, dex.name, via, confidence,
                          api.permission)] = None

        reg_string: dict[int, int] = {}  # register -> string index of the last const-string
        seen_strings: set[int] = set()
        uses_reflection = False
        direct_apis: set[str] = set()
        for ins in dex.instructions(m):
            op = ins.op
            if op == CONST_STRING or op == CONST_STRING_JUMBO:
                reg_string[ins.regs[0]] = ins.index
                seen_strings.add(ins.index)
                for api in uri_strings.get(ins.index, ()):
                    add(api, api.pi_type, "uri", "high")
            elif op in INVOKE_OPS:
                if ins.index in reflection_ids:
                    uses_reflection = True
                    continue
                for api in method_apis.get(ins.index, ()):
                    direct_apis.add(api.id)
                    if api.key_arg is None or not resolve_keys:
                        add(api, api.pi_type, "invoke", "high")
                        continue
                    reg = _arg_register(ins.regs, op in INVOKE_STATIC_OPS,
                                        method_params[ins.index], api.key_arg.index)
                    key_idx = reg_string.get(reg) if reg is not None else None
                    if key_idx is not None:
                        pi = _resolve_key(api, _safe_string(dex, key_idx))
                        if pi is not None:
                            add(api, pi, "invoke", "high")
                        continue  # a constant key the catalog does not list: no catalog PI
                    if not getattr(api, "key_required", False):
                        add(api, api.pi_type, "invoke", "low")
            elif op in SGET_OPS:
                reg_string.pop(ins.regs[0], None)
                for api in field_apis.get(ins.index, ()):
                    add(api, api.pi_type, "field", "high")
            elif ins.regs:
                reg_string.pop(ins.regs[0], None)  # most formats write their first register
        if uses_reflection:
            classes_here = {class_strings[s] for s in seen_strings if s in class_strings}
            for s in seen_strings:
                # a field name ("SERIAL") is short and generic: only with its class named here
                for api in field_strings.get(s, ()):
                    if api.cls in classes_here:
                        add(api, api.pi_type, "reflection", "medium")
                for api in name_strings.get(s, ()):
                    if api.id not in direct_apis:
                        add(api, api.pi_type, "reflection",
                            "medium" if api.cls in classes_here else "low")
                keyed = [(api, pi) for api, pi in key_strings.get(s, ())
                         if api.id not in direct_apis]
                with_class = [(api, pi) for api, pi in keyed if api.cls in classes_here]
                if with_class:  # the method names the class too: that API, medium confidence
                    for api, pi in with_class:
                        add(api, pi, "reflection", "medium")
                else:  # "android_id" alone fits several getters: one low-confidence site
                    for pi in dict.fromkeys(pi for _api, pi in keyed):
                        api = next(a for a, p in keyed if p == pi)
                        add(api, pi, "reflection", "low")
    return list(sites)


def _uri_strings(strings: dict[str, int], idx: CatalogIndex) -> dict[int, list[Api]]:
    """String ids equal to a catalog URI or extending one at a path boundary
    ("content://sms/inbox" is evidence for "content://sms"); the longest catalog URI wins."""
    if not idx.uris:
        return {}
    uris = sorted(idx.uris, key=len, reverse=True)
    out: dict[int, list[Api]] = {}
    for value, i in strings.items():
        if not value.startswith(("content://", "/")):
            continue
        for uri in uris:
            if value == uri or (value.startswith(uri) and (uri.endswith("/")
                                                          or value[len(uri)] in "/?#")):
                out[i] = idx.uris[uri]
                break
    return out


def _resolve_key(api: Api, value: Optional[str]) -> Optional[str]:
    assert api.key_arg is not None  # the caller resolves keys only of APIs with a key argument
    return api.key_arg.resolve(value)  # the catalog's own matching (exact/prefix)


def _safe_string(dex: DexFile, idx: int) -> Optional[str]:
    try:
        return dex.string(idx)
    except ValueError:
        return None


def string_users(dex: DexFile, string_indices: set[int]) -> dict[int, set[str]]:
    """Which classes (dotted) load each of the given strings with const-string: tells an SDK's
    host named by that SDK's own (possibly obfuscated) code from one named by another SDK."""
    if not string_indices:
        return {}
    out: dict[int, set[str]] = {}
    for m in candidate_methods(dex, Targets(strings=set(string_indices))):
        cls = None
        for ins in dex.instructions(m):
            if ins.op in (CONST_STRING, CONST_STRING_JUMBO) and ins.index in string_indices:
                if cls is None:
                    cls = descriptor_to_java(dex.class_desc_of(m.class_def))
                out.setdefault(ins.index, set()).add(cls)
    return out

