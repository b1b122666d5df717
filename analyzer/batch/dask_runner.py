"""Run the same batch jobs on a Dask distributed cluster (`--scheduler tcp://HOST:PORT`).

Each Dask task runs `run_isolated` — a fresh process per APK under the same time and memory
limits — so a crashing APK kills its subprocess, never the Dask worker. The task writes the
app's results in a private temp directory on the worker and returns the files' bytes with the
record; the client places them under OUTDIR/apps atomically. Inputs must be readable at the
same path on every worker (shared storage); outputs need no shared storage.
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
from pathlib import Path, PurePosixPath
from typing import Iterable, Iterator, Optional

from privascope.batch.worker import _place_atomically, error_record, run_isolated

APP_DIR_RE = re.compile(r"^[0-9a-f]{16}-[A-Za-z0-9._-]{1,64}$")


class SchedulerError(Exception):
    """The Dask scheduler cannot be reached or used (one line)."""


def dask_task(job: dict, timeout_s: float, max_memory_mb: Optional[int]) -> dict:
    """Runs on a Dask worker. Returns {"record": ..., "files": {relpath: bytes}}."""
    with tempfile.TemporaryDirectory(prefix="privascope-task-") as tmp:
        apps = Path(tmp) / "apps"
        rec = run_isolated(dict(job, apps_dir=str(apps)), timeout_s, max_memory_mb)
        files: dict[str, bytes] = {}
        if rec.get("app_dir"):
            app_dir = Path(tmp) / rec["app_dir"]
            for p in sorted(app_dir.rglob("*")):
                if p.is_file() and not p.is_symlink():
                    files[p.relative_to(app_dir).as_posix()] = p.read_bytes()
        return {"record": rec, "files": files}


def _place_files(out_dir: Path, rec: dict, files: dict[str, bytes]) -> None:
    """Write a task's files under out_dir/apps/<name>/ — only names we generated, checked."""
    name = PurePosixPath(rec["app_dir"]).name
    if not APP_DIR_RE.match(name):
        raise ValueError(f"unexpected app directory name {name!r}")
    apps = out_dir / "apps"
    apps.mkdir(parents=True, exist_ok=True)
    tmp = apps / f".tmp-{name}-{os.getpid()}-{secrets.token_hex(4)}"
    tmp.mkdir()
    try:
        for rel, data in files.items():
            parts = PurePosixPath(rel).parts
            if PurePosixPath(rel).is_absolute() or ".." in parts or not parts:
                raise ValueError(f"unsafe result path {rel!r}")
            dest = tmp.joinpath(*parts)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
        _place_atomically(tmp, apps / name)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def run_dask(jobs: Iterable[dict], scheduler: str, out_dir: Path, timeout_s: float,
             max_memory_mb: Optional[int], connect_timeout: float = 10.0
             ) -> Iterator[tuple[dict, dict]]:
    """Yields (job, record) pairs as tasks finish."""
    try:
        from distributed import Client, as_completed
    except ImportError as exc:  # pragma: no cover - dask is a dependency
        raise SchedulerError(f"dask distributed is not installed: {exc}") from None
    try:
        client = Client(scheduler, timeout=connect_timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise SchedulerError(f"cannot reach Dask scheduler {scheduler}: {exc}") from None
    try:
        jobs = list(jobs)
        futures = client.map(dask_task, jobs, timeout_s=timeout_s, max_memory_mb=max_memory_mb,
                             pure=False)
        job_of = {f.key: j for f, j in zip(futures, jobs)}
        for fut in as_completed(futures, loop=client.loop):
            job = job_of[fut.key]
            try:
                payload = fut.result()
                rec = payload["record"]
                if rec.get("app_dir"):
                    _place_files(out_dir, rec, payload["files"])
            except Exception as exc:  # a lost worker, a bad payload: this APK errors, not the batch
                first = (str(exc).splitlines() or [""])[0][:200]
                rec = error_record(job["path"], f"dask task failed: {type(exc).__name__}: {first}",
                                   job.get("sha256"))
            fut.release()
            yield job, rec
    finally:
        client.close()
