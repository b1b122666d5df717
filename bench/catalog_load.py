"""Cold load of the whole catalog (every batch worker and every CLI run pays it once).

Compares the loader as shipped (libyaml's CSafeLoader when present) with the obvious
alternative, PyYAML's pure-Python SafeLoader, each in a fresh interpreter so nothing is cached.
Figures: median wall time of load_catalog() over several runs, peak RSS of the child, and the
catalog's size.
"""
from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUNS = 7

_CHILD = r"""
import json, resource, sys, time
import yaml
import privascope.catalog as c
import privascope.catalog.loading as loading
if sys.argv[1] == "pure":
    loading._SAFE_LOADER = yaml.SafeLoader
t = time.perf_counter()
cat = c.load_catalog()
dt = time.perf_counter() - t
print(json.dumps({"seconds": dt, "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "loader": loading._SAFE_LOADER.__name__, "apis": len(cat.apis), "sdks": len(cat.sdks),
                  "permissions": len(cat.permissions), "clauses": len(cat.clauses),
                  "fingerprint": cat.fingerprint}))
"""


def _run(mode: str) -> dict:
    out = subprocess.run([sys.executable, "-c", _CHILD, mode], cwd=REPO, capture_output=True,
                         text=True, check=True, timeout=120)
    return json.loads(out.stdout)


def main(out_dir: Path) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    result = {}
    for mode in ("shipped", "pure"):
        runs = [_run(mode) for _ in range(RUNS)]
        result[mode] = {
            "loader": runs[0]["loader"],
            "median_seconds": round(statistics.median(r["seconds"] for r in runs), 4),
            "min_seconds": round(min(r["seconds"] for r in runs), 4),
            "peak_rss_mb": round(max(r["peak_rss_kb"] for r in runs) / 1024, 1),
        }
        result["catalog"] = {k: runs[0][k] for k in ("apis", "sdks", "permissions", "clauses",
                                                     "fingerprint")}
    result["speedup"] = round(result["pure"]["median_seconds"]
                              / max(result["shipped"]["median_seconds"], 1e-9), 1)
    (out_dir / "catalog_load.json").write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    print(json.dumps(main(REPO / "out" / "bench" / "catalog_load"), indent=2))
