"""`make fuzz`: fuzz the dex reader and the manifest path for a bounded time.

    python -m tests.fuzz.run --seconds 60 [--target dex|manifest|all]

With atheris installed (pyproject's `fuzz` extra) each target runs under libFuzzer with
coverage feedback in its own process (-max_total_time); without it, a hypothesis-style random
mutation loop runs instead. Every crashing input is saved under tests/fuzz/regressions/<target>/
(commit it: tests/fuzz/test_regressions.py replays them) and the exit code is 1.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.util
import random
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
REGRESSIONS = HERE / "regressions"


def _save_crash(target: str, data: bytes) -> Path:
    out = REGRESSIONS / target
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"crash-{hashlib.sha256(data).hexdigest()[:16]}.bin"
    path.write_bytes(data)
    return path


def _mutate(rng: random.Random, data: bytes) -> bytes:
    d = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.randrange(5)
        if op == 0 and d:  # flip bytes
            d[rng.randrange(len(d))] = rng.randrange(256)
        elif op == 1 and d:  # interesting 32-bit values at a random aligned offset
            at = rng.randrange(0, max(1, len(d) - 4)) & ~3
            d[at:at + 4] = rng.choice([b"\xff\xff\xff\xff", b"\xff\xff\xff\x7f", b"\x00\x00\x00\x80",
                                       b"\x00\x00\x00\x00", b"\x01\x00\x00\x00"])
        elif op == 2:  # truncate
            d = d[: rng.randrange(len(d) + 1)]
        elif op == 3 and d:  # duplicate a slice
            a = rng.randrange(len(d))
            d[a:a] = d[a:a + rng.randint(1, 64)]
        elif d:  # delete a slice
            a = rng.randrange(len(d))
            del d[a:a + rng.randint(1, 64)]
    return bytes(d)


def random_loop(target: str, seconds: float, seed: int = 0) -> list[Path]:
    from tests.fuzz.targets import TARGETS, _catalog, seed_input

    check, base = TARGETS[target], seed_input(target)
    _catalog()  # a broken checkout fails here, not as a "crashing input"
    check(base)
    rng = random.Random(seed)
    crashes, n, end = [], 0, time.monotonic() + seconds
    while time.monotonic() < end:
        data = _mutate(rng, base)
        n += 1
        try:
            check(data)
        except Exception:
            traceback.print_exc()
            crashes.append(_save_crash(target, data))
    print(f"fuzz[{target}] random mutation: {n} inputs, {len(crashes)} crashes", flush=True)
    return crashes


def atheris_child(target: str, seconds: float, workdir: Path) -> list[Path]:
    """libFuzzer runs in child processes until the time is used up. libFuzzer stops at the
    first crash, so after one the run restarts (from the grown corpus) with the time left;
    every crash file is collected into regressions/."""
    corpus = workdir / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    from tests.fuzz.targets import seed_input

    (corpus / "seed").write_bytes(seed_input(target))
    crashes: list[Path] = []
    end = time.monotonic() + seconds
    for _ in range(20):  # bounded number of restarts
        left = int(end - time.monotonic())
        if left < 1:
            break
        arts = workdir / f"artifacts-{_}"
        arts.mkdir()
        cmd = [sys.executable, "-m", "tests.fuzz.atheris_main", target, str(corpus),
               f"-max_total_time={left}", f"-artifact_prefix={arts}/", "-rss_limit_mb=2048",
               "-timeout=30", "-print_final_stats=1"]
        proc = subprocess.run(cmd, cwd=HERE.parents[1])
        found = [_save_crash(target, p.read_bytes()) for p in sorted(arts.iterdir())
                 if p.name.startswith(("crash-", "timeout-", "oom-", "leak-"))]
        crashes += found
        print(f"fuzz[{target}] atheris exit {proc.returncode}, {len(found)} crashes", flush=True)
        if proc.returncode == 0 or not found:
            break
    return crashes


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="tests.fuzz.run")
    parser.add_argument("--seconds", type=float, default=60, help="total time budget")
    parser.add_argument("--target", choices=("dex", "manifest", "all"), default="all")
    parser.add_argument("--engine", choices=("auto", "atheris", "random"), default="auto")
    args = parser.parse_args(argv)
    targets = ["dex", "manifest"] if args.target == "all" else [args.target]
    per_target = max(1.0, args.seconds / len(targets))
    use_atheris = args.engine == "atheris" or (
        args.engine == "auto" and importlib.util.find_spec("atheris") is not None)
    crashes: list[Path] = []
    for t in targets:
        if use_atheris:
            work = Path(tempfile.mkdtemp(prefix=f"privascope-fuzz-{t}-"))
            try:
                crashes += atheris_child(t, per_target, work)
            finally:
                shutil.rmtree(work, ignore_errors=True)
        else:
            crashes += random_loop(t, per_target)
    for c in crashes:
        print(f"crashing input saved: {c}")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
