"""Validators of the core catalog files (pi_types, permissions, apis, sdks, clauses, packers):
parsed YAML in, typed entries out, a CatalogError naming file and entry for anything wrong.
"""
from __future__ import annotations

import re

from privascope.catalog.fields import (HOST, JAVA_NAME, MEMBER, PI_ID, URI, CatalogError,
                                       known_keys, req, req_list, valid_java_type, valid_prefix)
from privascope.catalog.types import (API_KINDS, API_STRENGTHS, CAPTURES, CAPTURES_BY_KIND, CHAIN_BYTES_STEPS,
                                      CHAIN_FROM_BYTES, CHAIN_TEXT_STEPS, DATA_SAFETY_CATEGORIES,
                                      KEY_MATCH_MODES, NORMALIZE_FORMS, PROTECTION_LEVELS,
                                      SDK_CATEGORIES, Api, Clause, Framework, KeyArg, Packer,
                                      PermissionInfo, PIType, Sdk, placeholder_key)


def load_pi_types(doc) -> list[PIType]:
    out = []
    defaults = _chains(doc.get("default_combinations"), "pi_types.yaml default_combinations")
    any_type = _placeholders(doc.get("placeholders"), "pi_types.yaml placeholders")
    for i, e in enumerate(req_list(doc, "pi_types", "pi_types.yaml")):
        where = f"pi_types.yaml[{i}] {e.get('id') if isinstance(e, dict) else e!r}"
        known_keys(e, {"id", "name_zh", "name_en", "data_safety", "immutable_device_id",
                        "sensitive", "normalize", "combinations", "placeholders", "note"}, where)
        pid = req(e, "id", where)
        if not PI_ID.match(pid):
            raise CatalogError(f"{where}: id must be lower_snake, optionally 'group.name'")
        cat = req(e, "data_safety", where)
        if cat not in DATA_SAFETY_CATEGORIES:
            raise CatalogError(f"{where}: data_safety {cat!r} not one of {DATA_SAFETY_CATEGORIES}")
        normalize = e.get("normalize") or []
        if not isinstance(normalize, list) or any(n not in NORMALIZE_FORMS for n in normalize):
            raise CatalogError(f"{where}: normalize must be a list of {NORMALIZE_FORMS}")
        out.append(PIType(
            id=pid, name_zh=req(e, "name_zh", where),
            name_en=req(e, "name_en", where), data_safety=cat,
            immutable_device_id=req(e, "immutable_device_id", where, (bool,)),
            sensitive=req(e, "sensitive", where, (bool,)),
            normalize=tuple(normalize),
            combinations=defaults + _chains(e.get("combinations"), where),
            placeholders=any_type | _placeholders(e.get("placeholders"), where),
        ))
    return out


def _placeholders(values, where: str) -> frozenset[str]:
    """Placeholder values, kept in their comparison form (placeholder_key)."""
    if values is None:
        return frozenset()
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise CatalogError(f"{where}: placeholders must be a list of strings (quote numbers)")
    return frozenset(placeholder_key(v) for v in values)


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



def load_permissions(doc, pi_types) -> list[PermissionInfo]:
    out = []
    for i, e in enumerate(req_list(doc, "permissions", "permissions.yaml")):
        where = f"permissions.yaml[{i}] {e.get('name') if isinstance(e, dict) else e!r}"
        known_keys(e, {"name", "protection_level", "pi_types", "name_zh", "name_en", "note"}, where)
        if not JAVA_NAME.match(req(e, "name", where)):
            raise CatalogError(f"{where}: name is not a dotted permission name")
        level = req(e, "protection_level", where)
        if level not in PROTECTION_LEVELS:
            raise CatalogError(f"{where}: protection_level {level!r} not one of {PROTECTION_LEVELS}")
        if not isinstance(e.get("pi_types") or [], list):
            raise CatalogError(f"{where}: pi_types must be a list")
        pis = tuple(e.get("pi_types") or ())
        for p in pis:
            if p not in pi_types:
                raise CatalogError(f"{where}: unknown PI type {p!r}")
        out.append(PermissionInfo(
            name=req(e, "name", where), protection_level=level, pi_types=pis,
            name_zh=req(e, "name_zh", where), name_en=e.get("name_en", ""),
        ))
    return out



def load_apis(doc, pi_types, permissions) -> list[Api]:
    out = []
    for i, e in enumerate(req_list(doc, "apis", "apis.yaml")):
        if not isinstance(e, dict):
            raise CatalogError(f"apis.yaml[{i}]: entry must be a mapping")
        where = f"apis.yaml[{i}] {e.get('class')}.{e.get('member')}"
        known_keys(e, {"id", "class", "member", "kind", "pi_type", "overloads", "permission",
                        "capture", "key_arg", "key_required", "runtime_class", "hook", "note",
                        "strength"},
                    where)
        cls = req(e, "class", where)
        if not JAVA_NAME.match(cls):
            raise CatalogError(f"{where}: class {cls!r} is not a dotted Java name")
        kind = req(e, "kind", where)
        if kind not in API_KINDS:
            raise CatalogError(f"{where}: kind {kind!r} not one of {API_KINDS}")
        member = req(e, "member", where)
        if kind == "uri":
            if not URI.match(member):
                raise CatalogError(f"{where}: member {member!r} is not a content:// URI or "
                                   "a /sys or /proc path")
            if not isinstance(e.get("id"), str) or not e["id"].startswith("uri:"):
                raise CatalogError(f"{where}: kind uri needs an explicit id starting 'uri:'")
        elif kind == "constructor":
            if member != "<init>":
                raise CatalogError(f"{where}: a constructor's member must be '<init>'")
        elif not MEMBER.match(member):
            raise CatalogError(f"{where}: member {member!r} is not a Java identifier")
        pi = req(e, "pi_type", where)
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
                    if not isinstance(t, str) or not valid_java_type(t):
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
            known_keys(ka, {"index", "values", "match"}, f"{where} key_arg")
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
                                          or not JAVA_NAME.match(runtime_class)):
            raise CatalogError(f"{where}: runtime_class {runtime_class!r} is not a dotted Java name")
        hook = e.get("hook", True)
        if not isinstance(hook, bool):
            raise CatalogError(f"{where}: hook must be true or false")
        strength = e.get("strength", "strong")
        if strength not in API_STRENGTHS:
            raise CatalogError(f"{where}: strength {strength!r} not one of {API_STRENGTHS}")
        default_id = member if kind == "uri" else f"{cls}.{member}"
        out.append(Api(
            id=e.get("id", default_id), cls=cls, member=member, kind=kind, pi_type=pi,
            overloads=overloads, permission=perm, capture=capture, key_arg=key_arg,
            note=e.get("note", ""), key_required=key_required, runtime_class=runtime_class,
            hook=hook, strength=strength,
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



def load_sdks(doc) -> list[Sdk]:
    out = []
    for i, e in enumerate(req_list(doc, "sdks", "sdks.yaml")):
        where = f"sdks.yaml[{i}] {e.get('id')!r}"
        known_keys(e, {"id", "name_en", "name_zh", "vendor", "country", "category", "prefixes",
                        "companion_prefixes", "hosts", "privacy_policy", "source", "note"}, where)
        category = req(e, "category", where)
        if category not in SDK_CATEGORIES:
            raise CatalogError(f"{where}: category {category!r} not one of {SDK_CATEGORIES}")
        prefixes = tuple(req(e, "prefixes", where, (list,)))
        for p in prefixes:
            if not isinstance(p, str) or not valid_prefix(p):
                raise CatalogError(f"{where}: prefix {p!r} is too short or not a package name")
        companions = tuple(e.get("companion_prefixes") or ())
        for p in companions:
            # may be short or obfuscated (u.aly, com.aps): claimed only next to `prefixes`
            if not isinstance(p, str) or not re.fullmatch(r"[a-z][\w$]*(\.[A-Za-z_$][\w$]*)+", p):
                raise CatalogError(f"{where}: companion prefix {p!r} is not a dotted package name")
        if companions and not prefixes:
            raise CatalogError(f"{where}: companion_prefixes need prefixes that find the SDK first")
        hosts = tuple(e.get("hosts") or ())
        for h in hosts:
            if not isinstance(h, str) or not HOST.match(h):
                raise CatalogError(f"{where}: host {h!r} is not a lower-case host name")
        country = req(e, "country", where)
        if not re.fullmatch(r"[A-Z]{2}", country):
            raise CatalogError(f"{where}: country must be an ISO 3166 alpha-2 code")
        out.append(Sdk(
            id=req(e, "id", where), name_en=req(e, "name_en", where),
            name_zh=req(e, "name_zh", where), vendor=req(e, "vendor", where), country=country,
            category=category, prefixes=prefixes, hosts=hosts,
            privacy_policy=e.get("privacy_policy"), source=req(e, "source", where),
            companion_prefixes=companions,
        ))
    return out


def check_prefixes_unique(sdks: dict[str, Sdk]) -> None:
    seen: dict[str, str] = {}
    for sdk in sdks.values():
        # a companion prefix is still a package name only one SDK may claim
        for p in sdk.prefixes + sdk.companion_prefixes:
            if p in seen and seen[p] != sdk.id:
                raise CatalogError(f"sdks.yaml: prefix {p!r} claimed by {seen[p]!r} and {sdk.id!r}")
            seen[p] = sdk.id



def load_clauses(doc):
    frameworks = {}
    for i, e in enumerate(req_list(doc, "frameworks", "clauses.yaml")):
        where = f"clauses.yaml frameworks[{i}]"
        known_keys(e, {"id", "name_zh", "name_en", "reference", "item_pattern", "note"}, where)
        pattern = e.get("item_pattern", "")
        try:
            re.compile(pattern)
        except (re.error, TypeError) as exc:
            raise CatalogError(f"{where}: bad item_pattern {pattern!r}: {exc}") from None
        fw = Framework(id=req(e, "id", where), name_zh=req(e, "name_zh", where),
                       name_en=req(e, "name_en", where), reference=e.get("reference", ""),
                       item_pattern=pattern)
        if fw.id in frameworks:
            raise CatalogError(f"{where}: duplicate framework {fw.id!r}")
        frameworks[fw.id] = fw
    clauses = {}
    for i, e in enumerate(req_list(doc, "clauses", "clauses.yaml")):
        where = f"clauses.yaml clauses[{i}] {e.get('framework')}/{e.get('item')}"
        known_keys(e, {"framework", "item", "title_zh", "title_en", "verified", "note"}, where)
        fw = req(e, "framework", where)
        if fw not in frameworks:
            raise CatalogError(f"{where}: unknown framework {fw!r}")
        c = Clause(framework=fw, item=str(req(e, "item", where, (str, int, float))),
                   title_zh=req(e, "title_zh", where), title_en=req(e, "title_en", where),
                   verified=req(e, "verified", where, (bool,)))
        pattern = frameworks[fw].item_pattern
        if pattern and not re.fullmatch(pattern, c.item):
            raise CatalogError(f"{where}: item {c.item!r} does not follow the {fw} convention "
                               f"{pattern!r}")
        if c.key in clauses:
            raise CatalogError(f"{where}: duplicate clause")
        clauses[c.key] = c
    return frameworks, clauses



def load_packers(doc) -> list[Packer]:
    out = []
    for i, e in enumerate(req_list(doc, "packers", "packers.yaml")):
        where = f"packers.yaml[{i}] {e.get('id') if isinstance(e, dict) else e!r}"
        known_keys(e, {"id", "name", "vendor", "files", "classes", "source", "note"}, where)
        source = req(e, "source", where)
        files = tuple(e.get("files") or ())
        for f in files:
            try:
                re.compile(f)
            except re.error as exc:
                raise CatalogError(f"{where}: bad file regex {f!r}: {exc}") from None
        classes = tuple(e.get("classes") or ())
        for c in classes:
            if not isinstance(c, str) or not valid_prefix(c):
                raise CatalogError(f"{where}: class prefix {c!r} is too short or not a class name")
        if not files and not classes:
            raise CatalogError(f"{where}: needs 'files' or 'classes'")
        out.append(Packer(id=req(e, "id", where), name=req(e, "name", where),
                          vendor=e.get("vendor", ""), files=files, classes=classes,
                          source=source))
    return out
