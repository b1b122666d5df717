"""Fuzz targets: feed bytes to the dex reader and to the manifest path, and tell an expected
rejection (a one-line DexError / ScanError, or a result flagged partial) from a bug (any other
exception). Shared by the atheris harness (run.py), the hypothesis tests and the regressions."""
from __future__ import annotations

import io
import os
import tempfile
import zipfile
from functools import lru_cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("PRIVASCOPE_CORPUS", REPO.parent / "shared" / "corpus"))
# Small real APK whose dex and manifest seed the fuzzers (read at run time, never copied
# into the repository).
SEED_APK = CORPUS / "androguard_politedroid_4.apk"


@lru_cache(maxsize=1)
def seed_members() -> dict[str, bytes]:
    with zipfile.ZipFile(SEED_APK) as zf:
        return {n: zf.read(n) for n in zf.namelist() if not n.startswith("META-INF/")}


@lru_cache(maxsize=1)
def _catalog():
    from privascope.catalog import load_catalog

    return load_catalog()


def check_dex(data: bytes) -> None:
    """Everything the static scanner does with one dex: header and tables, every code item,
    every method reference, and the catalog call-site search."""
    from privascope.static.dex import DexError, DexFile

    try:
        dex = DexFile(data)
        for i in range(min(dex.method_count, 5000)):
            try:
                dex.method_ref(i)
            except DexError:
                pass
        for m in dex.code_methods():
            for _ in dex.instructions(m):
                pass
        from privascope.static.calls import find_call_sites

        find_call_sites(dex, _catalog())
        _check_call_graph(dex)
    except DexError as exc:
        assert str(exc) and "\n" not in str(exc), "DexError must be one line"


def _check_call_graph(dex) -> None:
    """The scan's whole-APK call graph over this dex, and the out-edges of its methods."""
    from privascope.catalog.startup import startup_catalog
    from privascope.static.callgraph import CallGraphError
    from privascope.static.startup import new_graph

    graph = new_graph(startup_catalog(_catalog()))
    try:
        graph.add_dex(dex)
    except CallGraphError as exc:
        assert str(exc) and "\n" not in str(exc), "CallGraphError must be one line"
        return
    graph.finish()
    for mid in range(min(graph.method_count, 3000)):
        if graph.defined[mid]:
            graph.edges(mid)
    graph.reach_all(list(graph.super_of)[:200])  # call-site reachability from its classes


def manifest_apk_bytes(manifest: bytes) -> bytes:
    """The seed APK with its AndroidManifest.xml replaced by `manifest`."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for name, data in seed_members().items():
            zf.writestr(name, manifest if name == "AndroidManifest.xml" else data)
    return buf.getvalue()


def check_manifest(manifest: bytes, scratch: Path | None = None) -> None:
    """scan_apk on an APK whose manifest is `manifest`: a ScanError (one line) or a bundle."""
    from privascope.static.scan import ScanError, scan_apk

    with tempfile.TemporaryDirectory(dir=scratch) as tmp:
        path = Path(tmp) / "fuzz.apk"
        path.write_bytes(manifest_apk_bytes(manifest))
        try:
            bundle = scan_apk(path)
        except ScanError as exc:
            assert str(exc) and "\n" not in str(exc), "ScanError must be one line"
            return
        assert bundle.app.package, "a bundle without a package name must be a ScanError"


TARGETS = {"dex": check_dex, "manifest": check_manifest}


def seed_input(target: str) -> bytes:
    return seed_members()["classes.dex" if target == "dex" else "AndroidManifest.xml"]
