"""Benchmark of process-start reachability (issue 13): our whole-APK call graph + start
reachability against today's full scan and against androguard's AnalyzeAPK + get_call_graph.

Input: the large multidex APK of bench/static_scan.py (every root dex of the corpus packed into
one APK, with one small corpus manifest). Modes, each in its own subprocess (wall time around
it, peak RSS from GNU time):
- scan_plain: the full product scan with the call graph switched off (today's scan);
- scan_startup: the full product scan, call graph and start reachability included;
- graph: call graph of every dex + reachability from every Application and ContentProvider
  subclass the APK defines (the 36 packed apps' start code, not just the one manifest's), with
  every reached method's edges resolved by CHA: the graph work alone, on a realistic load;
- androguard: AnalyzeAPK + dx.get_call_graph() (androguard only here, like _xref_reference.py).
The two scan modes also run over the whole corpus (36 APKs, one process each mode).
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from bench._measure import run_worker
from bench.static_scan import CORPUS, REPO, build_large_apk

_ROOT_KINDS = {"Landroid/app/Application;": "application",
               "Landroid/content/ContentProvider;": "provider"}


def _scan(apk: str, catalog, startup: bool) -> dict:
    from privascope.static import scan

    if not startup:  # today's scan: no graph is built at all
        scan._start_graph = lambda _catalog: (None, [])
    b = scan.scan_apk(apk, catalog)
    s = b.startup
    return {"call_sites": len(b.api_calls), "startup_seconds": b.method.timings.get("startup"),
            "reachable_calls": len(s.reachable_calls) if s and startup else None,
            "sdk_inits": len(s.sdk_inits) if s and startup else None,
            "stats": dict(s.stats) if s and startup else None}


def _graph(apk: str, catalog) -> dict:
    import zipfile

    from privascope.catalog.startup import startup_catalog
    from privascope.static.apk import StartFact
    from privascope.static.dex import DexFile, descriptor_to_java
    from privascope.static.startup import analyze_startup, new_graph

    scat = startup_catalog(catalog)
    t0 = time.perf_counter()
    g = new_graph(scat)
    read = 0.0
    n_dex = 0
    with zipfile.ZipFile(apk) as z:  # one dex at a time, as the scan does: none is kept
        for name in (n for n in z.namelist() if n.endswith(".dex")):
            r0 = time.perf_counter()
            dex = DexFile(z.read(name), name)
            read += time.perf_counter() - r0
            g.add_dex(dex)
            n_dex += 1
    g.finish()
    t1 = t0 + read
    t2 = time.perf_counter()
    roots = {g.types.index[d]: k for d, k in _ROOT_KINDS.items() if d in g.types.index}
    starts = []
    for cls in g.super_of:
        for anc in g.ancestors(cls):
            if anc in roots and anc != cls:
                starts.append(StartFact(roots[anc], descriptor_to_java(g.types.items[cls])))
                break
    result = analyze_startup(g, starts, (), catalog, scat)
    t3 = time.perf_counter()
    return {"dex_files": n_dex, "methods": g.method_count, "edges_raw": g.edge_count,
            "entry_classes": len(starts), "entry_methods": result.stats["entry_methods"],
            "reachable_methods": result.stats["reachable_methods"],
            "sdk_inits": len(result.sdk_inits),
            "seconds": {"read_dex": round(t1 - t0, 3), "graph": round(t2 - t1, 3),
                        "reachability": round(t3 - t2, 3)}}


def _androguard(apk: str) -> dict:
    from loguru import logger

    logger.remove()
    from androguard.misc import AnalyzeAPK

    t0 = time.perf_counter()
    _a, _d, dx = AnalyzeAPK(apk)
    t1 = time.perf_counter()
    cg = dx.get_call_graph()
    t2 = time.perf_counter()
    return {"nodes": cg.number_of_nodes(), "edges": cg.number_of_edges(),
            "seconds": {"analyze": round(t1 - t0, 3), "call_graph": round(t2 - t1, 3)}}


def _worker(mode: str, out_json: Path, apks: list[str]) -> None:
    from privascope.catalog import load_catalog

    catalog = load_catalog()
    t0 = time.perf_counter()
    result: dict = {"apks": {}, "errors": {}}
    for apk in apks:
        try:
            if mode in ("scan_plain", "scan_startup"):
                result["apks"][apk] = _scan(apk, catalog, mode == "scan_startup")
            elif mode == "graph":
                result["apks"][apk] = _graph(apk, catalog)
            elif mode == "androguard":
                result["apks"][apk] = _androguard(apk)
        except Exception as exc:  # a measured tool failing on an input: record, keep going
            result["errors"][apk] = f"{type(exc).__name__}: {exc}"[:300]
    result["inner_seconds"] = round(time.perf_counter() - t0, 3)
    out_json.write_text(json.dumps(result))


def _measure(mode: str, apks: list[Path], out_dir: Path, tag: str) -> dict:
    figures, data = run_worker("bench.startup_reachability", mode, apks, out_dir, tag, cwd=REPO)
    detail = next(iter(data["apks"].values()), None) if data and len(apks) == 1 else None
    return {**figures, **({"detail": detail} if detail is not None else {})}


def main(out_dir: Path) -> dict:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if not CORPUS.is_dir():
        return {"skipped": f"corpus not found at {CORPUS}"}
    large = out_dir / "large-multidex.apk"
    results: dict = {"large_apk": build_large_apk(large)}
    runs = {m: _measure(m, [large], out_dir, "large")
            for m in ("scan_plain", "scan_startup", "graph", "androguard")}
    results["large"] = runs
    ok = lambda m: not runs[m].get("failed")  # noqa: E731
    if ok("scan_plain") and ok("scan_startup"):
        results["scan_with_startup_vs_plain"] = round(
            runs["scan_startup"]["wall_seconds"] / runs["scan_plain"]["wall_seconds"], 2)
    if ok("graph") and ok("androguard"):
        results["speedup_graph_vs_androguard"] = round(
            runs["androguard"]["wall_seconds"] / runs["graph"]["wall_seconds"], 1)
    if ok("scan_startup") and ok("androguard"):
        results["speedup_scan_with_startup_vs_androguard"] = round(
            runs["androguard"]["wall_seconds"] / runs["scan_startup"]["wall_seconds"], 1)
    corpus = sorted(CORPUS.glob("*.apk"))
    results["corpus"] = {m: _measure(m, corpus, out_dir, "corpus")
                         for m in ("scan_plain", "scan_startup")}
    large.unlink(missing_ok=True)  # hundreds of MB of third-party code: not kept
    print(json.dumps({k: v for k, v in results.items() if k != "large_apk"}, default=str)[:1500],
          flush=True)
    return results


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "--worker":
        _worker(sys.argv[2], Path(sys.argv[3]), sys.argv[4:])
    else:
        print(json.dumps(main(Path(sys.argv[1] if len(sys.argv) > 1 else
                                   "out/bench/startup_reachability")), indent=2, default=str))
