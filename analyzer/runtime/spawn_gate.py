"""Spawn gating for one package: every new process of the package is held until the agent is
in it; processes of other packages are let go at once.

Why: an app's `:push`/`:remote` processes and its relaunches (a crash restart, `monkey`, the
foreground step) are forked by zygote, not by privascope's spawn, so without gating they run
uninstrumented while `pidof` says the app is running and the run reads clean.

Frida (frida-core src/linux/linux-host-session.vala, RoboLauncher, 17.x): with gating enabled,
a zygote child that no explicit `spawn()` is waiting for is held and reported by the device's
"spawn-added" signal as a Spawn(pid, identifier), identifier being the package or the process
name ("PKG" or "PKG:proc"); `enumerate_pending_spawn()` lists the held ones, `resume(pid)` lets
one go. Explicit spawns are not reported there (they complete their own request).
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Any, Callable, Optional

log = logging.getLogger("privascope.runtime.spawn_gate")


def of_package(identifier: str, package: str) -> bool:
    """Is a process named `identifier` one of `package`'s ("PKG" or "PKG:proc")?"""
    return identifier == package or identifier.startswith(package + ":")


class SpawnGate:
    """`on_spawn(pid, identifier)` is called, on the gate's own thread, for each held process
    of the package; it must attach and then resume it (a Session's target does, once the
    agent's hooks are in). If it raises, the process is resumed anyway and `on_failure(pid,
    identifier, error)` records it: a process is never left suspended."""

    def __init__(self, device: Any, package: str, on_spawn: Callable[[int, str], None],
                 on_failure: Optional[Callable[[int, str, BaseException], None]] = None):
        self.device = device
        self.package = package
        self._on_spawn = on_spawn
        self._on_failure = on_failure
        self._queue: "queue.Queue[Any]" = queue.Queue()
        self._thread: Optional[threading.Thread] = None
        self._lock = threading.Lock()
        self.handling: set[int] = set()  # held pids of the package being attached
        # pids queued once: a spawn held while gating was being enabled can come both from
        # the signal and from enumerate_pending_spawn (a reused pid within one run would wait
        # until disable(), which lets every held process go)
        self._queued: set[int] = set()
        self._instrumenting: list[threading.Thread] = []
        self.resumed_others: list[str] = []  # identifiers let go at once (for the record)
        self.enabled = False

    def enable(self) -> None:
        if self.enabled:
            return
        self._thread = threading.Thread(target=self._work, name="privascope-spawn-gate",
                                        daemon=True)
        self._thread.start()
        self.device.on("spawn-added", self._added)
        self.device.enable_spawn_gating()
        self.enabled = True
        for spawn in self.device.enumerate_pending_spawn():  # held before the handler was on
            self._added(spawn)

    def _added(self, spawn: Any) -> None:
        # Frida's thread: nothing but queueing (a blocking Frida call here would deadlock)
        pid = int(spawn.pid)
        with self._lock:
            if pid in self._queued:
                return
            self._queued.add(pid)
            if of_package(str(spawn.identifier or ""), self.package):
                self.handling.add(pid)
        self._queue.put((pid, str(spawn.identifier or "")))

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            pid, identifier = item
            if not of_package(identifier, self.package):
                self._resume(pid)
                self.resumed_others.append(identifier)
                continue
            # attaching takes seconds: on its own thread, so other spawns are not held meanwhile
            thread = threading.Thread(target=self._instrument, args=(pid, identifier),
                                      name=f"privascope-spawn-{pid}", daemon=True)
            self._instrumenting.append(thread)
            thread.start()

    def _instrument(self, pid: int, identifier: str) -> None:
        try:
            self._on_spawn(pid, identifier)
        except BaseException as exc:  # noqa: BLE001 - the process must not stay held
            log.warning("process %s (%s) could not be instrumented: %s", pid, identifier, exc)
            self._resume(pid)
            if self._on_failure is not None:
                self._on_failure(pid, identifier, exc)
        finally:
            with self._lock:
                self.handling.discard(pid)

    def _resume(self, pid: int) -> None:
        try:
            self.device.resume(pid)
        except Exception as exc:  # noqa: BLE001 - gone already
            log.debug("resume %s: %s", pid, exc)

    def disable(self, timeout: float = 10.0) -> None:
        """Stop gating (the device's normal state) and let go of anything still held."""
        if not self.enabled:
            return
        self.enabled = False
        try:
            self.device.disable_spawn_gating()
        except Exception as exc:  # noqa: BLE001 - the device may be gone; keep restoring
            log.warning("could not disable spawn gating: %s", exc)
        try:
            self.device.off("spawn-added", self._added)
        except Exception:  # noqa: BLE001
            log.debug("spawn-added handler already gone", exc_info=True)
        self._queue.put(None)
        deadline = time.monotonic() + timeout
        for thread in [self._thread, *self._instrumenting]:
            if thread is not None:
                thread.join(max(0.0, deadline - time.monotonic()))
        try:
            pending = list(self.device.enumerate_pending_spawn())
        except Exception:  # noqa: BLE001
            pending = []
        for spawn in pending:
            self._resume(int(spawn.pid))
