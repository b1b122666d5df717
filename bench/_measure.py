"""Wall time and peak RSS of a command, measured the one reliable way.

Linux carries a process's RSS high-water mark across fork and exec, so a child forked from a
large benchmark process reports the parent's peak as its own (os.wait4 / RUSAGE_CHILDREN). GNU
time forks the measured command from its own small process, so its figure is the command's.
"""
from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path
from typing import Optional

GNU_TIME = Path("/usr/bin/time")
_MAX_RSS = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")


def timed(cmd: list[str], stats_file: Path, cwd: Optional[Path] = None) -> dict:
    """Run cmd (stdout discarded); -> {wall_s, rc, peak_rss_mb (None without GNU time), stderr}."""
    full = ([str(GNU_TIME), "-v", "-o", str(stats_file)] if GNU_TIME.exists() else []) + cmd
    t0 = time.perf_counter()
    proc = subprocess.run(full, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True, errors="replace")
    wall = time.perf_counter() - t0
    peak = None
    if stats_file.exists():
        m = _MAX_RSS.search(stats_file.read_text())
        peak = round(int(m.group(1)) / 1024, 1) if m else None
    return {"wall_s": round(wall, 3), "rc": proc.returncode, "peak_rss_mb": peak,
            "stderr": proc.stderr}


def run_worker(module: str, mode: str, apks: list, out_dir: Path, tag: str,
               cwd: Optional[Path] = None) -> tuple[dict, Optional[dict]]:
    """Run `python -m MODULE --worker MODE OUT.json APK...` under GNU time: -> (the common
    figures, the worker's JSON or None when it failed)."""
    import json
    import sys

    out_json = out_dir / f"{tag}-{mode}.json"
    cmd = [sys.executable, "-m", module, "--worker", mode, str(out_json), *map(str, apks)]
    run = timed(cmd, out_dir / f"{tag}-{mode}.time.txt", cwd=cwd)
    if run["rc"] != 0 or not out_json.exists():
        return {"mode": mode, "failed": True, "stderr_tail": run["stderr"][-2000:]}, None
    data = json.loads(out_json.read_text())
    return {"mode": mode, "wall_seconds": run["wall_s"],
            "inner_seconds": round(data["inner_seconds"], 3), "peak_rss_mb": run["peak_rss_mb"],
            "errors": data["errors"]}, data
