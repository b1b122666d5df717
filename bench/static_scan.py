"""Benchmark of the static scanner against the obvious alternative, androguard's AnalyzeAPK +
xref search for the same catalog methods.

Inputs: a large multidex APK built here by packing the root dex files of every corpus APK as
classes.dex, classes2.dex, ... (with the small manifest and resources of one corpus app), and
the whole corpus. Each measurement runs in its own subprocess; wall time is measured around it
and peak RSS comes from GNU time (bench/_measure.py says why not os.wait4). Call sites of both tools are compared as
(api, caller class, caller method) sets; every difference is listed.
"""
from __future__ import annotations

import json
import os
import sys
import time
import zipfile
from pathlib import Path

from bench._measure import run_worker

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("PRIVASCOPE_CORPUS", REPO.parent / "shared" / "corpus"))
MANIFEST_DONOR = "androguard_politedroid_4.apk"  # tiny real manifest + resources


def build_large_apk(out: Path, corpus: Path = CORPUS) -> dict:
    """Pack every root dex of the corpus into one APK. Returns its figures."""
    from privascope.static.dex import DexFile

    apks = sorted(corpus.glob("*.apk"))
    n = methods = classes = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        with zipfile.ZipFile(corpus / MANIFEST_DONOR) as donor:
            for name in ("AndroidManifest.xml", "resources.arsc"):
                dst.writestr(name, donor.read(name))
        for apk in apks:
            with zipfile.ZipFile(apk) as src:
                for name in sorted((x for x in src.namelist()
                                    if x.startswith("classes") and x.endswith(".dex")
                                    and "/" not in x), key=lambda x: (len(x), x)):
                    data = src.read(name)
                    n += 1
                    dex = DexFile(data)
                    methods += dex.method_ids_size
                    classes += dex.class_defs_size
                    dst.writestr("classes.dex" if n == 1 else f"classes{n}.dex", data)
    return {"path": str(out), "size_bytes": out.stat().st_size, "dex_files": n,
            "method_ids": methods, "class_defs": classes, "source_apks": len(apks)}


# --------------------------------------------------------------------------- workers


def _worker(mode: str, out_json: Path, apks: list[str]) -> None:
    from privascope.catalog import load_catalog

    catalog = load_catalog()
    t0 = time.perf_counter()
    result: dict = {"sites": {}, "errors": {}}
    for apk in apks:
        try:
            if mode == "scan":  # the whole product scan (manifest, code, SDKs, strings)
                from privascope.static.scan import scan_apk

                b = scan_apk(apk, catalog)
                result["sites"][apk] = [[c.api, c.caller_class, c.caller_method, c.via.value,
                                         c.pi_type] for c in b.api_calls]
            elif mode == "ours":  # our dex call-site search alone, keys unresolved
                from bench._xref_reference import our_invoke_sites

                result["sites"][apk] = sorted(map(list, our_invoke_sites(Path(apk), catalog)))
            elif mode == "androguard":
                from bench._xref_reference import androguard_invoke_sites

                result["sites"][apk] = sorted(map(list, androguard_invoke_sites(Path(apk),
                                                                                catalog)))
        except Exception as exc:  # measured tool failing on an input: record, keep going
            result["errors"][apk] = f"{type(exc).__name__}: {exc}"[:300]
    result["inner_seconds"] = time.perf_counter() - t0
    out_json.write_text(json.dumps(result))


def _measure(mode: str, apks: list[Path], out_dir: Path, tag: str) -> dict:
    figures, data = run_worker("bench.static_scan", mode, apks, out_dir, tag, cwd=REPO)
    return {**figures, "sites": data["sites"]} if data else figures


def _compare(ours: dict, theirs: dict) -> dict:
    only_ours, only_theirs, same = [], [], 0
    for apk in sorted(set(ours["sites"]) | set(theirs["sites"])):
        a = {tuple(s) for s in ours["sites"].get(apk, [])}
        b = {tuple(s) for s in theirs["sites"].get(apk, [])}
        same += len(a & b)
        only_ours += [[Path(apk).name, *s] for s in sorted(a - b)]
        only_theirs += [[Path(apk).name, *s] for s in sorted(b - a)]
    return {"identical": not only_ours and not only_theirs, "common_sites": same,
            "only_ours": only_ours[:50], "only_androguard": only_theirs[:50],
            "only_ours_count": len(only_ours), "only_androguard_count": len(only_theirs)}


def _summary(m: dict) -> dict:
    return {k: v for k, v in m.items() if k not in ("sites",)}


def main(out_dir: Path) -> dict:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if not CORPUS.is_dir():
        return {"skipped": f"corpus not found at {CORPUS}"}
    large = out_dir / "large-multidex.apk"
    large_info = build_large_apk(large)
    print(f"large APK: {large_info['dex_files']} dex, {large_info['method_ids']} method ids, "
          f"{large_info['size_bytes'] / 2**20:.1f} MB", flush=True)
    corpus = sorted(CORPUS.glob("*.apk"))
    results: dict = {"large_apk": large_info}
    for tag, apks in (("large", [large]), ("corpus", corpus)):
        scan = _measure("scan", apks, out_dir, tag)
        ours = _measure("ours", apks, out_dir, tag)
        theirs = _measure("androguard", apks, out_dir, tag)
        entry = {"privascope_scan": _summary(scan), "privascope_call_sites": _summary(ours),
                 "androguard_analyzeapk_xref": _summary(theirs)}
        if not ours.get("failed") and not theirs.get("failed"):
            entry["comparison"] = _compare(ours, theirs)
            entry["speedup_call_sites"] = round(theirs["wall_seconds"] / ours["wall_seconds"], 1)
            if not scan.get("failed"):
                entry["speedup_full_scan"] = round(theirs["wall_seconds"] / scan["wall_seconds"],
                                                   1)
        results[tag] = entry
        print(f"{tag}: " + json.dumps({k: v for k, v in entry.items() if k != "comparison"},
                                      default=str)[:600], flush=True)
    large.unlink(missing_ok=True)  # hundreds of MB of third-party code: not kept
    return results


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "--worker":
        _worker(sys.argv[2], Path(sys.argv[3]), sys.argv[4:])
    else:
        print(json.dumps(main(Path(sys.argv[1] if len(sys.argv) > 1 else "out/bench/static_scan")),
                         indent=2, default=str))
