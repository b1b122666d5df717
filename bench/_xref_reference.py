"""The obvious alternative to our dex scanner, for comparison only (bench and one cross-check
test): androguard's full `AnalyzeAPK` + xref search for the same catalog methods.

Compared unit: (api id, caller class dotted, caller method name+descriptor) for invoke sites of
method/static_method/constructor APIs. Key arguments are not resolved here (androguard has no
notion of them), so our side is taken with `resolve_keys=False`.
"""
from __future__ import annotations

import re
from pathlib import Path

from privascope.catalog import Catalog


def androguard_invoke_sites(apk_path: Path, catalog: Catalog) -> set[tuple[str, str, str]]:
    from loguru import logger

    logger.remove()
    from androguard.misc import AnalyzeAPK

    from privascope.static.dex import descriptor_to_java

    _a, _d, dx = AnalyzeAPK(str(apk_path))
    out: set[tuple[str, str, str]] = set()
    for api in catalog.apis.values():
        if api.kind not in ("method", "static_method", "constructor"):
            continue
        name = "<init>" if api.kind == "constructor" else api.member
        for m in dx.find_methods(classname="^" + re.escape(api.smali_class) + "$",
                                 methodname="^" + re.escape(name) + "$"):
            desc = m.get_method().get_descriptor()
            params = desc[1:desc.index(")")].split()
            if api.overloads is not None:
                java = tuple(descriptor_to_java(p) for p in params)
                if java not in {tuple(o) for o in api.overloads}:
                    continue
            for _cls, caller, _off in m.get_xref_from():
                out.add((api.id, descriptor_to_java(caller.class_name),
                         caller.name + caller.descriptor.replace(" ", "")))
    return out


def our_invoke_sites(apk_path: Path, catalog: Catalog) -> set[tuple[str, str, str]]:
    import zipfile

    from privascope.static.calls import find_call_sites
    from privascope.static.dex import DexFile
    from privascope.static.sources import collect_code

    out: set[tuple[str, str, str]] = set()
    with zipfile.ZipFile(apk_path) as zf:
        code = collect_code(zf)
    for name, data in code.dex:
        if "/" in name:  # androguard's AnalyzeAPK reads only the root classes*.dex
            continue
        for s in find_call_sites(DexFile(data, name), catalog, resolve_keys=False):
            if s.via == "invoke":
                out.add((s.api, s.caller_class, s.caller_method))
    return out
