"""Scan one APK in a worker process with a memory limit, and turn every way it can fail into an
error record with its reason.

Three ways to run the same `scan_one`:
- `WorkerProcess`: a long-lived worker (`python -m privascope.batch.worker --serve`) fed one job per
  line on stdin; the parent enforces the timeout and restarts it after a crash, a timeout or a
  memory blow-up. Used by the local pool (saves the interpreter start-up per APK).
- `run_isolated`: a fresh process per APK (`--one`). Used inside Dask tasks, so a crash kills only
  that task, never the Dask worker.
- `scan_one` directly, in-process (tests, debugging).

Records are plain JSON-able dicts (see `error_record` / `_ok_record` for the keys).
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import queue
import re
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any, Optional

from privascope.model import Severity

RESULT_FILE = "result.json"  # written last inside the app directory; marks it complete
MB = 1024 * 1024
# Recycle a long-lived worker when its resident memory passes this share of the limit, so
# leftovers of earlier APKs do not make a later, ordinary APK hit the limit.
RECYCLE_RSS_SHARE = 0.5
RECYCLE_AFTER_TASKS = 200


# --------------------------------------------------------------------------- helpers


def safe_name(text: Optional[str], fallback: str = "app", limit: int = 64) -> str:
    """A directory-name fragment from app-controlled text: no separators, no traversal, no
    control characters, bounded length."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", text or "").strip("._-")[:limit]
    return cleaned or fallback


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def current_rss_mb() -> float:
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[1])
        return round(pages * os.sysconf("SC_PAGE_SIZE") / MB, 1)
    except (OSError, ValueError, IndexError):
        return 0.0


def apply_limits(max_memory_mb: Optional[int]) -> None:
    """Bound this process's address space; no core files from crashing on hostile input."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if max_memory_mb:
        limit = int(max_memory_mb) * MB
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def printable(text: str) -> str:
    """File names are bytes on POSIX: undecodable ones (surrogate escapes) are shown with
    U+FFFD so that records, JSON and HTML can always be written."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def error_record(path: Any, reason: str, sha256: Optional[str] = None, **extra) -> dict:
    p = Path(str(path))
    rec: dict[str, Any] = {
        "file": printable(str(path)), "file_name": printable(p.name), "sha256": sha256,
        "size_bytes": None,
        "status": "error", "reason": reason, "package": None, "label": None, "version": None,
        "verdict": "error", "severity_counts": {s.value: 0 for s in Severity.worst_first()},
        "max_severity": None, "findings_total": 0, "sdks": [], "top_findings": [],
        "app_dir": None, "reports": {}, "errors": [], "duration_s": None, "peak_rss_mb": None,
        "resumed": False,
    }
    if sha256 is None:
        try:
            rec["sha256"] = file_sha256(p)
        except OSError:
            pass
    try:
        rec["size_bytes"] = p.stat().st_size
    except OSError:
        pass
    rec.update(extra)
    return rec


def _started_sdks(bundle) -> dict:
    """SDKs a static chain starts at process start with no consent check (bundle.startup)."""
    started = {i.sdk for i in (bundle.startup.sdk_inits if bundle.startup else ())
               if not i.gated and i.role in ("init", "provider")}
    names = {s.id: s for s in bundle.sdks}
    return {"sdks_started": sorted(names[s].name if s in names else s for s in started),
            "sdks_started_zh": sorted((names[s].name_zh or names[s].name) if s in names else s
                                      for s in started)}


def _top_rules(ranked: list, n: int = 3) -> list[dict]:
    """The n most severe rules that fired, each once with how many findings it gave (one rule
    often fires per SDK or call site: listing it three times would hide the others)."""
    by_rule: dict[str, dict] = {}
    for f in ranked:  # most severe first, so the first finding of a rule sets its severity
        entry = by_rule.setdefault(f.rule, {
            "rule": f.rule, "title": f.title, "title_zh": getattr(f, "title_zh", "") or f.title,
            "severity": f.severity.value, "rank": f.severity.rank, "count": 0})
        entry["count"] += 1
    top = sorted(by_rule.values(), key=lambda e: (-e["rank"], -e["count"], e["rule"]))[:n]
    for e in top:
        del e["rank"]
    return top


def _ok_record(path: Path, sha: str, bundle, app_dir: str, reports: dict, started: float) -> dict:
    """verdict, counts and max severity are the bundle's assessment (rules.evaluate), the
    same the app's report shows; partial results are flagged by `status`."""
    a = bundle.assessment
    active = [f for f in bundle.findings if f.suppressed is None]
    ranked = sorted(active, key=lambda f: -f.severity.rank)
    return {
        "file": printable(str(path)), "file_name": printable(path.name), "sha256": sha,
        "size_bytes": path.stat().st_size,
        "status": "partial" if bundle.partial else "ok", "reason": None,
        "package": bundle.app.package, "label": bundle.app.label,
        "version": bundle.app.version_name or bundle.app.version_code,
        "schema_version": bundle.schema_version,  # --resume redoes records of older versions
        "verdict": a.verdict.value, "severity_counts": dict(a.severity_counts),
        "max_severity": a.max_severity.value if a.max_severity else None,
        "findings_total": len(active),
        "sdks": sorted({s.name for s in bundle.sdks}),
        "sdks_zh": sorted({s.name_zh or s.name for s in bundle.sdks}),
        **_started_sdks(bundle),
        "top_findings": _top_rules(ranked),
        "app_dir": app_dir, "reports": reports,
        "errors": [str(e)[:300] for e in bundle.errors[:20]],
        "duration_s": round(time.monotonic() - started, 3), "peak_rss_mb": peak_rss_mb(),
        "resumed": False,
    }


def _place_atomically(tmp: Path, final: Path) -> None:
    """Swap a finished temp directory into place; an older result for the same sha256 is
    replaced whole, never merged."""
    old = final.with_name(f".old-{final.name}-{secrets.token_hex(4)}")
    try:
        os.rename(final, old)
    except FileNotFoundError:
        pass
    try:
        os.rename(tmp, final)
    except OSError as exc:
        # two copies of the same APK (same sha256) finished at once in two workers: the
        # other one's identical result is already in place
        if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
            raise
        shutil.rmtree(tmp, ignore_errors=True)
    finally:
        shutil.rmtree(old, ignore_errors=True)


# --------------------------------------------------------------------------- the work


def scan_one(job: dict) -> dict:
    """Scan, evaluate and render one APK into job["apps_dir"]/<sha16>-<package>/ atomically.

    job keys: path, apps_dir, formats, lang, suppress (optional), sha256 (optional),
    max_memory_mb (for the wording of the error only).
    """
    started = time.monotonic()
    path = Path(job["path"])
    try:
        sha = job.get("sha256") or file_sha256(path)
    except OSError as exc:
        return error_record(path, f"unreadable: {exc.strerror or exc}")
    memory_blown = False
    try:
        from privascope.pipeline import AnalysisOptions, analyze_apk
        from privascope.static.scan import ScanError
        from privascope.policy import PolicyFileError
        from privascope.reports import write_reports

        try:
            bundle = analyze_apk(path, AnalysisOptions(
                suppress=job.get("suppress"),
                policy=tuple(Path(f) for f in job.get("policy") or ()),
                policy_dir=Path(job["policy_dir"]) if job.get("policy_dir") else None))
        except PolicyFileError as exc:
            return error_record(path, f"policy: {exc}", sha,
                                duration_s=round(time.monotonic() - started, 3))
        except ScanError as exc:
            msg = str(exc).splitlines()[0] if str(exc) else "unreadable"
            if "valid apk" not in msg.lower():
                msg = f"not a valid APK: {msg}"
            return error_record(path, msg, sha, duration_s=round(time.monotonic() - started, 3))
        apps_dir = Path(job["apps_dir"])
        apps_dir.mkdir(parents=True, exist_ok=True)
        name = f"{sha[:16]}-{safe_name(bundle.app.package, safe_name(path.stem))}"
        tmp = apps_dir / f".tmp-{name}-{os.getpid()}-{secrets.token_hex(4)}"
        tmp.mkdir()
        try:
            written = write_reports(bundle, tmp, tuple(job.get("formats") or ("json",)),
                                    lang=job.get("lang", "zh"))
            reports = {}
            for fmt, p in written.items():
                rel = Path(p).resolve().relative_to(tmp.resolve())  # refuses paths outside tmp
                reports[fmt] = f"{apps_dir.name}/{name}/{rel.as_posix()}"
            record = _ok_record(path, sha, bundle, f"{apps_dir.name}/{name}", reports, started)
            (tmp / RESULT_FILE).write_text(json.dumps(record, ensure_ascii=False, indent=1),
                                           encoding="utf-8")
            _place_atomically(tmp, apps_dir / name)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        return record
    except MemoryError:
        memory_blown = True  # build the record outside the handler, once the frames are freed
    except RecursionError:
        return error_record(path, "analysis failed: recursion too deep", sha)
    except (ImportError, OSError) as exc:
        # under RLIMIT_AS, mmap of a shared library or a file fails with ENOMEM
        if getattr(exc, "errno", None) == errno.ENOMEM or "failed to map segment" in str(exc) \
                or "Cannot allocate memory" in str(exc):
            memory_blown = True
        else:
            traceback.print_exc(file=sys.stderr)
            first = (str(exc).splitlines() or [""])[0][:200]
            return error_record(path, f"analysis failed: {type(exc).__name__}: {first}", sha)
    except Exception as exc:  # a scanner bug on odd input: record it, keep the batch going
        traceback.print_exc(file=sys.stderr)
        first = (str(exc).splitlines() or [""])[0][:200]
        return error_record(path, f"analysis failed: {type(exc).__name__}: {first}", sha)
    assert memory_blown
    mb = job.get("max_memory_mb")
    reason = f"memory limit {mb} MB exceeded" if mb else "out of memory"
    return error_record(path, reason, sha, memory_exceeded=True)


# --------------------------------------------------------------------------- worker process side


def _protocol_stdout():
    """Keep stdout for the protocol only: whatever a library prints goes to stderr."""
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return proto


def serve(max_memory_mb: Optional[int]) -> int:
    apply_limits(max_memory_mb)
    proto = _protocol_stdout()
    for line in sys.stdin:
        if not line.strip():
            continue
        job = json.loads(line)
        job.setdefault("max_memory_mb", max_memory_mb)
        rec = scan_one(job)
        rec["worker_rss_mb"] = current_rss_mb()
        proto.write(json.dumps(rec) + "\n")
        proto.flush()
        if rec.get("memory_exceeded"):
            return 0  # the heap may be fragmented or half-freed: let the parent start afresh
    return 0


def run_one_stdin(max_memory_mb: Optional[int]) -> int:
    apply_limits(max_memory_mb)
    proto = _protocol_stdout()
    job = json.loads(sys.stdin.read())
    job.setdefault("max_memory_mb", max_memory_mb)
    proto.write(json.dumps(scan_one(job)) + "\n")
    proto.flush()
    return 0


# --------------------------------------------------------------------------- parent side


def _worker_cmd(mode: str, max_memory_mb: Optional[int]) -> list[str]:
    cmd = [sys.executable, "-m", "privascope.batch.worker", mode]
    if max_memory_mb:
        cmd += ["--max-memory", str(int(max_memory_mb))]
    return cmd


def _worker_env() -> dict:
    env = dict(os.environ)
    # Fewer malloc arenas: less virtual address space reserved, so RLIMIT_AS measures real use.
    env.setdefault("MALLOC_ARENA_MAX", "2")
    return env


def crash_reason(returncode: int) -> str:
    if returncode < 0:
        return f"worker crashed (signal {-returncode})"
    return f"worker exited unexpectedly (code {returncode})"


def _parse_record(out: str) -> Optional[dict]:
    for line in reversed(out.strip().splitlines()):
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(rec, dict) and "status" in rec:
            return rec
    return None


def run_isolated(job: dict, timeout_s: float, max_memory_mb: Optional[int],
                 log_file=None) -> dict:
    """One APK in a fresh process with the limits; every failure becomes an error record."""
    job = dict(job, max_memory_mb=max_memory_mb)
    started = time.monotonic()
    proc = subprocess.Popen(_worker_cmd("--one", max_memory_mb), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=log_file or subprocess.DEVNULL,
                            env=_worker_env(), start_new_session=True, text=True)
    try:
        out, _ = proc.communicate(json.dumps(job), timeout=timeout_s)  # ASCII-only JSON
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        return error_record(job["path"], f"timeout after {timeout_s:g} s", job.get("sha256"),
                            duration_s=round(time.monotonic() - started, 3))
    rec = _parse_record(out)
    if rec is None:
        return error_record(job["path"], crash_reason(proc.returncode), job.get("sha256"),
                            duration_s=round(time.monotonic() - started, 3))
    return rec


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


class WorkerProcess:
    """A long-lived worker process; `run` returns a record whatever happens to the worker."""

    def __init__(self, max_memory_mb: Optional[int], log_path: Optional[Path] = None):
        self.max_memory_mb = max_memory_mb
        self.log_path = log_path
        self.proc: Optional[subprocess.Popen] = None
        self._lines: "queue.Queue[Optional[str]]" = queue.Queue()
        self.tasks_done = 0
        self.pids: list[int] = []  # every process this slot started (for tests and the bench)

    def _start(self) -> None:
        log = open(self.log_path, "ab") if self.log_path else None
        self.proc = subprocess.Popen(_worker_cmd("--serve", self.max_memory_mb),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL if log is None else log,
                                     env=_worker_env(), start_new_session=True, text=True,
                                     encoding="utf-8", bufsize=1)
        if log is not None:
            log.close()
        self.pids.append(self.proc.pid)
        self._lines = queue.Queue()
        self.tasks_done = 0
        threading.Thread(target=self._read, args=(self.proc, self._lines), daemon=True).start()

    @staticmethod
    def _read(proc: subprocess.Popen, lines: "queue.Queue[Optional[str]]") -> None:
        assert proc.stdout is not None  # started with stdout=PIPE
        try:
            for line in proc.stdout:
                lines.put(line)
        except (OSError, ValueError):
            pass
        lines.put(None)

    def stop(self) -> None:
        proc, self.proc = self.proc, None  # may be called from the parent's main thread too
        if proc is not None:
            _kill_group(proc)
            for stream in (proc.stdin, proc.stdout):
                try:
                    if stream is not None:  # always, as both are pipes
                        stream.close()
                except (OSError, ValueError):
                    pass

    def _send(self, job: dict) -> None:
        assert self.proc is not None and self.proc.stdin is not None  # _start: stdin=PIPE
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()

    def run(self, job: dict, timeout_s: float) -> dict:
        started = time.monotonic()
        if self.proc is None or self.proc.poll() is not None:
            self.stop()
            self._start()
        try:
            self._send(job)
        except (BrokenPipeError, OSError):
            self.stop()
            self._start()
            self._send(job)
        while True:
            remaining = timeout_s - (time.monotonic() - started)
            try:
                line = self._lines.get(timeout=max(remaining, 0.01))
            except queue.Empty:
                self.stop()
                return error_record(job["path"], f"timeout after {timeout_s:g} s",
                                    job.get("sha256"),
                                    duration_s=round(time.monotonic() - started, 3))
            if line is None:  # the worker died mid-task
                proc = self.proc
                rc = proc.wait() if proc is not None else -9
                self.stop()
                return error_record(job["path"], crash_reason(rc), job.get("sha256"),
                                    duration_s=round(time.monotonic() - started, 3))
            rec = _parse_record(line)
            if rec is not None:
                break
        self.tasks_done += 1
        limit = self.max_memory_mb or 0
        if (rec.get("memory_exceeded") or self.tasks_done >= RECYCLE_AFTER_TASKS
                or (limit and rec.get("worker_rss_mb", 0) > limit * RECYCLE_RSS_SHARE)):
            self.stop()
        return rec


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="privascope.batch.worker")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--serve", action="store_true", help="one JSON job per stdin line")
    mode.add_argument("--one", action="store_true", help="one JSON job on stdin, then exit")
    parser.add_argument("--max-memory", type=int, default=0, help="MB of address space")
    args = parser.parse_args(argv)
    return serve(args.max_memory) if args.serve else run_one_stdin(args.max_memory)


if __name__ == "__main__":
    sys.exit(main())
