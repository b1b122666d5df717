"""`privascope batch`: many APKs, each in a bounded worker process, resumable, on this machine
or on a Dask cluster. Writes OUTDIR/apps/<sha16>-<package>/ per app, summary.json/.csv and
index.html across apps.

Exit codes (besides those of privascope.cli): 1 when any app has an unsuppressed finding at or
above --fail-on; otherwise 5 when --fail-on-error is given and at least one APK could not be
analysed (error record); otherwise 0. Errored APKs alone do not fail the batch by default: they
are listed in the summary and the index.
"""
from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path
from typing import Optional

from privascope.batch.options import BatchOptions
from privascope.errors import EXIT_BATCH_ERRORS, UserError

# Submodules are imported inside functions: `python -m privascope.batch.worker` imports this
# package first, and must not find the worker module already half-imported.

_APP_DIR_RE = re.compile(r"^([0-9a-f]{16})-[A-Za-z0-9._-]{1,64}$")


def _clean_leftovers(apps_dir: Path) -> None:
    """Temp and replaced directories of an interrupted run are ours to delete."""
    if apps_dir.is_dir():
        for d in apps_dir.iterdir():
            if d.name.startswith((".tmp-", ".old-")) and d.is_dir() and not d.is_symlink():
                shutil.rmtree(d, ignore_errors=True)


def load_completed(out_dir: Path) -> dict[str, dict]:
    """sha256 -> record of every complete app directory (result.json present, reports there)
    written with the current bundle schema (an older record's verdict may be stale)."""
    from privascope.batch.worker import RESULT_FILE
    from privascope.model import SCHEMA_VERSION

    done: dict[str, dict] = {}
    apps = out_dir / "apps"
    if not apps.is_dir():
        return done
    for d in apps.iterdir():
        m = _APP_DIR_RE.match(d.name)
        if not m or not d.is_dir() or d.is_symlink():
            continue
        try:
            rec = json.loads((d / RESULT_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        sha = rec.get("sha256") if isinstance(rec, dict) else None
        if not isinstance(sha, str) or not sha.startswith(m.group(1)):
            continue
        if rec.get("schema_version") != SCHEMA_VERSION:
            continue
        reports = rec.get("reports") or {}
        if all(isinstance(p, str) and (out_dir / p).is_file() for p in reports.values()):
            done[sha] = rec
    return done


def batch_exit_code(records: list[dict], fail_on: Optional[str], fail_on_error: bool) -> int:
    # the record's max_severity is the bundle's (unsuppressed findings); the comparison is the
    # one behind `scan --fail-on` too
    from privascope.rules.verdict import severity_fails

    if any(severity_fails(r.get("max_severity"), fail_on) for r in records):
        return 1
    if fail_on_error and any(r.get("status") == "error" for r in records):
        return EXIT_BATCH_ERRORS
    return 0


def run_batch(options: BatchOptions) -> int:
    """The `batch` command; returns its exit code. Raises UserError for unusable input."""
    from privascope import __version__
    from privascope.batch.inputs import InputError, expand_inputs
    from privascope.batch.worker import error_record, file_sha256, printable
    from privascope.batch.progress import BatchProgress
    from privascope.batch.summary import write_summary
    from privascope.reports.batch_index import write_index

    jobs_n = options.workers
    try:
        inputs = expand_inputs(options.inputs)
    except InputError as exc:
        raise UserError(str(exc)) from None
    if not inputs:
        raise UserError("no APK found in the given inputs")

    # A broken catalog would fail every APK the same way: say so once, before any work.
    from privascope.catalog import load_catalog

    try:
        load_catalog()
    except Exception as exc:
        raise UserError(f"catalog: {str(exc).splitlines()[0] if str(exc) else exc!r}",
                        code=4) from None

    if options.suppress:  # a bad suppression file would fail every APK alike: check it once
        try:
            from privascope.rules.suppressions import load_suppressions

            load_suppressions(options.suppress)
        except (OSError, ValueError) as exc:
            msg = (str(exc).splitlines() or [repr(exc)])[0]
            where = str(options.suppress)
            raise UserError(msg if where in msg else f"{where}: {msg}") from None

    out: Path = options.out
    apps_dir = out / "apps"
    try:
        apps_dir.mkdir(parents=True, exist_ok=True)
        (out / "logs").mkdir(exist_ok=True)
    except OSError as exc:
        raise UserError(f"{out}: cannot create output directory: {exc.strerror or exc}") from None
    _clean_leftovers(apps_dir)
    completed = load_completed(out) if options.resume else {}

    formats = options.report_formats
    results: dict[int, dict] = {}
    todo: list[dict] = []
    for i, item in enumerate(inputs):
        if item.missing:
            results[i] = error_record(item.path, item.missing)
            continue
        sha = None
        if options.resume:
            try:
                sha = file_sha256(item.path)
            except OSError as exc:
                results[i] = error_record(item.path, f"unreadable: {exc.strerror or exc}")
                continue
            if sha in completed:
                results[i] = dict(completed[sha], file=printable(str(item.path)),
                                  file_name=printable(item.path.name), resumed=True)
                continue
        todo.append({"index": i, "path": str(item.path), "sha256": sha, "apps_dir": str(apps_dir),
                     "formats": list(formats), "lang": options.lang,
                     "suppress": str(options.suppress) if options.suppress else None,
                     "max_memory_mb": options.max_memory or None,
                     "policy": [str(f) for f in options.policy],
                     "policy_dir": str(options.policy_dir) if options.policy_dir else None})

    meta = {"tool": {"name": "privascope", "version": __version__}, "started_at": time.time(),
            "jobs": jobs_n, "timeout_s": options.timeout, "max_memory_mb": options.max_memory,
            "scheduler": options.scheduler, "formats": list(formats), "lang": options.lang}
    progress = BatchProgress(len(inputs))
    for i in sorted(results):
        progress.update(results[i])

    def finish() -> list[dict]:
        records = [results[i] for i in sorted(results)]
        write_summary(records, out, meta)
        write_index(records, out, lang=options.lang)
        return records

    try:
        if options.scheduler:
            from privascope.batch.dask_runner import SchedulerError, run_dask

            try:
                stream = run_dask(todo, options.scheduler, out, options.timeout,
                                  options.max_memory or None)
                for job, rec in stream:
                    results[job["index"]] = rec
                    progress.update(rec)
            except SchedulerError as exc:
                raise UserError(str(exc)) from None
        else:
            from privascope.batch.local import run_local

            for job, rec in run_local(todo, jobs_n, options.timeout, options.max_memory or None,
                                      log_dir=out / "logs"):
                results[job["index"]] = rec
                progress.update(rec)
    except KeyboardInterrupt:
        progress.close()
        finish()  # what finished is kept; --resume picks up the rest
        raise
    progress.close()
    records = finish()
    c = {s: sum(r.get("status") == s for r in records) for s in ("ok", "partial", "error")}
    print(f"batch: {len(records)} APKs: {c['ok']} ok, {c['partial']} partial, {c['error']} "
          f"error, {sum(bool(r.get('resumed')) for r in records)} resumed -> "
          f"{out / 'index.html'}")
    return batch_exit_code(records, options.fail_on, options.fail_on_error)
