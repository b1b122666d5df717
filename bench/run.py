"""`make bench`: runs every benchmark module in bench/ and writes their figures under --out.

Each module bench/<name>.py exposes `main(out_dir: Path) -> dict` and compares privascope with
the obvious alternative in the same run. Timings are measured here, never asserted in tests.
Each module runs in a fresh interpreter: a peak RSS read in one must not include another's.
"""
from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import bench


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=Path("out/bench"))
    parser.add_argument("--only", help="comma-separated benchmark module names")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # run one module in this process
    args = parser.parse_args(argv)
    if args.child:
        result = importlib.import_module(f"bench.{args.child}").main(args.out / args.child)
        (args.out / f"{args.child}.result.json").write_text(json.dumps(result, ensure_ascii=False))
        return 0
    only = set(args.only.split(",")) if args.only else None
    args.out.mkdir(parents=True, exist_ok=True)
    results = {}
    for mod in sorted(m.name for m in pkgutil.iter_modules(bench.__path__)):
        if mod == "run" or mod.startswith("_") or (only and mod not in only):
            continue
        print(f"== bench.{mod}", flush=True)
        proc = subprocess.run([sys.executable, "-m", "bench.run", "--child", mod,
                               "--out", str(args.out)])
        result_file = args.out / f"{mod}.result.json"
        results[mod] = (json.loads(result_file.read_text()) if proc.returncode == 0
                        and result_file.exists() else {"failed": f"exit code {proc.returncode}"})
    (args.out / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"results: {args.out / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
