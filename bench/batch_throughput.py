"""Throughput of `privascope batch` over the corpus with 1 and 2 workers, against the obvious
alternative: `privascope scan` once per APK in a shell loop (one process per APK). All three
in the same run, on the same files, with the same report formats (json, html, sarif).

Figures: wall time, APKs/minute, peak RSS per worker (from each worker's getrusage, reported
in its records) and of the largest process overall (/usr/bin/time -v: ru_maxrss of the
biggest descendant), and the machine's load average when each run started (other work on a
shared machine slows every variant alike, but makes absolute figures noisy).
"""
from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

from bench._measure import GNU_TIME, timed

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("PRIVASCOPE_CORPUS", REPO.parent / "shared" / "corpus"))
PRIVASCOPE = Path(sys.executable).parent / "privascope"


def _timed(cmd: list[str], out_dir: Path) -> dict:
    """Run cmd under GNU time; wall seconds and the largest RSS."""
    load = os.getloadavg()[0]
    run = timed(cmd, out_dir / "time.txt", cwd=REPO)
    return {"wall_s": round(run["wall_s"], 2), "rc": run["rc"], "max_process_rss_mb": run["peak_rss_mb"],
            "load_avg_at_start": round(load, 2), "stderr_tail": run["stderr"][-300:]}


def _batch(apks_dir: Path, out: Path, jobs: int, n: int) -> dict:
    out.mkdir(parents=True)
    res = _timed([str(PRIVASCOPE), "batch", str(apks_dir), "-o", str(out / "result"),
                  "--jobs", str(jobs), "--timeout", "300", "--max-memory", "2048"], out)
    apps = json.loads((out / "result" / "summary.json").read_text(encoding="utf-8"))["apps"]
    rss = [r["peak_rss_mb"] for r in apps if r.get("peak_rss_mb")]
    res.update({
        "apks": n, "apks_per_min": round(n * 60 / res["wall_s"], 1),
        "errors": sum(r["status"] == "error" for r in apps),
        "worker_peak_rss_mb_max": max(rss) if rss else None,
        "worker_peak_rss_mb_median": sorted(rss)[len(rss) // 2] if rss else None,
        "scan_seconds_sum": round(sum(r.get("duration_s") or 0 for r in apps), 2),
    })
    return res


def _shell_loop(apks: list[Path], out: Path) -> dict:
    """The baseline a reviewer would write: one `privascope scan` process per APK, in turn,
    each under /usr/bin/time to get its own peak RSS."""
    out.mkdir(parents=True)
    timer = f'{GNU_TIME} -f %M -a -o "{out}/rss.txt" ' if GNU_TIME.exists() else ""
    script = (f'for f in "$@"; do {timer}"{PRIVASCOPE}" scan "$f" -o "{out}/r/$(basename "$f" .apk)" '
              '>/dev/null 2>&1; done')
    res = _timed(["bash", "-c", script, "loop", *map(str, apks)], out)
    rss = [int(x) / 1024 for x in (out / "rss.txt").read_text().split()] if timer else []
    res.update({"apks": len(apks), "apks_per_min": round(len(apks) * 60 / res["wall_s"], 1),
                "process_peak_rss_mb_max": round(max(rss), 1) if rss else None,
                "process_peak_rss_mb_median": round(sorted(rss)[len(rss) // 2], 1) if rss else None})
    return res


def main(out_dir: Path) -> dict:
    out_dir = Path(out_dir)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    apks = sorted(CORPUS.glob("*.apk"))
    if not apks:
        return {"skipped": f"no corpus at {CORPUS}"}
    results = {
        "corpus_apks": len(apks), "cpus": os.cpu_count(),
        "batch_jobs1": _batch(CORPUS, out_dir / "batch1", 1, len(apks)),
        "batch_jobs2": _batch(CORPUS, out_dir / "batch2", 2, len(apks)),
        "scan_shell_loop": _shell_loop(apks, out_dir / "loop"),
    }
    loop = results["scan_shell_loop"]["wall_s"]
    results["speedup_vs_loop"] = {
        k: round(loop / results[k]["wall_s"], 2) for k in ("batch_jobs1", "batch_jobs2")}
    (out_dir / "results.json").write_text(json.dumps(results, indent=2))
    for k in ("batch_jobs1", "batch_jobs2", "scan_shell_loop"):
        r = results[k]
        print(f"{k:16} {r['wall_s']:7.1f} s  {r['apks_per_min']:6.1f} APKs/min  "
              f"load {r['load_avg_at_start']}", flush=True)
    return results


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1] if len(sys.argv) > 1 else "out/bench/batch_throughput")),
                     indent=2))
