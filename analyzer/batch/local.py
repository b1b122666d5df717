"""Run batch jobs on this machine: N long-lived worker processes, one APK at a time each.

Bounded: at most N APKs are in flight, each in its own process under RLIMIT_AS, and the parent
holds only the small result records. Results are yielded in completion order.
"""
from __future__ import annotations

import queue
import threading
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

from privascope.batch.worker import WorkerProcess


def run_local(jobs: Iterable[dict], workers: int, timeout_s: float,
              max_memory_mb: Optional[int], log_dir: Optional[Path] = None
              ) -> Iterator[tuple[dict, dict]]:
    """Yields (job, record) pairs as APKs finish."""
    todo: "queue.Queue[Optional[dict]]" = queue.Queue()
    jobs = list(jobs)
    for job in jobs:
        todo.put(job)
    workers = max(1, min(workers, len(jobs) or 1))
    for _ in range(workers):
        todo.put(None)  # one stop marker per slot
    # ("record", (job, record)) | ("failure", exception) | ("slot_done", None)
    done: "queue.Queue[tuple[str, Any]]" = queue.Queue()
    stop = threading.Event()
    slots = [WorkerProcess(max_memory_mb, (log_dir / f"worker-{i}.log") if log_dir else None)
             for i in range(workers)]

    def slot_loop(slot: WorkerProcess) -> None:
        try:
            while not stop.is_set():
                job = todo.get()
                if job is None:
                    break
                had_history = slot.proc is not None and slot.tasks_done > 0
                rec = slot.run(job, timeout_s)
                if rec.get("memory_exceeded") and had_history:
                    # earlier APKs may have left the worker's heap fragmented: give this APK a
                    # fresh process before blaming it
                    rec = slot.run(job, timeout_s)
                done.put(("record", (job, rec)))
        except BaseException as exc:  # never lose a slot silently
            done.put(("failure", exc))
        finally:
            slot.stop()
            done.put(("slot_done", None))

    threads = [threading.Thread(target=slot_loop, args=(s,), daemon=True) for s in slots]
    for t in threads:
        t.start()
    live = len(threads)
    try:
        while live:
            kind, payload = done.get()
            if kind == "record":
                yield payload
            elif kind == "slot_done":
                live -= 1
            else:
                raise RuntimeError(f"batch worker slot failed: {payload!r}")
    finally:
        stop.set()
        for s in slots:
            s.stop()
