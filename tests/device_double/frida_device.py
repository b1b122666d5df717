"""A Frida device for the double: what frida-server is to privascope on a real device.

privascope gets it through its extension point for Frida connections that are not USB over
adb: `PRIVASCOPE_FRIDA_DEVICE=tests.device_double.frida_device:device_for` (called with the
serial). frida-server cannot be served by the double (no binary can be fetched here, and
frida-python's ControlService crashes), and an app process of the double is a JVM program on
this machine, so the agent is injected through Frida's LOCAL device; everything else goes
through adb to the double, as frida-server's own Android code goes through the system:

- spawn([PKG]): as frida-server does on Android (frida-core src/linux/linux-host-session.vala,
  17.x: an installed package is required, its running processes are stopped, the app is
  started and held before its code runs): `pm path` (not installed ->
  ExecutableNotFoundError "unable to find application with identifier 'PKG'", the message
  frida-core's system-server agent gives), `am force-stop`, `am start -D` (START_FLAG_DEBUG:
  the process waits for a debugger - on the double before the program's main, with its VM up;
  tests/device_double/app_process.c). Returns the pid as the device sees it (as frida-server
  reports pids), so toybox `pidof` on the device and Frida's pid agree.
- resume(pid): writes the process's debugger fifo (the double's DEBUG_DIR/<pid>) over adb.
- attach(pid): Frida's local device, on the host pid behind the device pid (same PID
  namespace inode as the device shell's, NSpid ending in the device pid).
- kill(pid): `kill -9` on the device, as frida-server kills a process.
- enumerate_applications(): third-party packages (`pm list packages -3`) with their pids.
- Spawn gating (frida-core: with gating on, a process nobody spawned explicitly is held and
  reported by "spawn-added" as Spawn(pid, identifier); enumerate_pending_spawn lists the held
  ones; resume lets one go): for the packages this adapter spawned, through the Android
  mechanism that holds an app's next processes, `am set-debug-app -w --persistent PKG`
  (cleared by `am clear-debug-app` when gating is disabled); a thread polls the double's held
  processes over adb (every 0.5 s) and reports those it did not spawn. Unlike frida-server it
  gates no other package, and only processes named PKG (AMS matches the debug app by name).
One adapter per serial and adb server (device_for), as Frida's device manager keeps one device.
"""
from __future__ import annotations

import os
import re
import shlex
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import adbutils
import frida

from tests.device_double.device import DEBUG_DIR

# Frida's names for Android's ABIs (Process.arch)
_FRIDA_ARCH = {"x86_64": "x64", "x86": "ia32", "arm64-v8a": "arm64", "armeabi-v7a": "arm"}
_PKG = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$")


@dataclass(frozen=True)
class Application:
    """The fields privascope reads of frida.core.Application."""

    identifier: str
    name: str
    pid: int
    parameters: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Spawn:
    """The fields of frida.core.Spawn."""

    pid: int
    identifier: str


_DEVICES: dict[tuple[int, str], "DoubleFridaDevice"] = {}
_DEVICES_LOCK = threading.Lock()


def device_for(serial: str) -> "DoubleFridaDevice":
    """The extension point's callable: PRIVASCOPE_FRIDA_DEVICE=<this module>:device_for."""
    key = (_adb_port(), serial)
    with _DEVICES_LOCK:
        if key not in _DEVICES:
            _DEVICES[key] = DoubleFridaDevice(serial)
        return _DEVICES[key]


def _adb_port() -> int:
    # the adb client's own rule (adb/client/main.cpp, ANDROID_ADB_SERVER_PORT, default 5037)
    value = os.environ.get("ANDROID_ADB_SERVER_PORT", "5037")
    return int(value) if value.isdigit() else 5037


class DoubleFridaDevice:
    type = "usb"

    def __init__(self, serial: str, local: Any = None, timeout: float = 30.0):
        self.id = serial
        self.name = f"device double {serial}"
        self._timeout = timeout
        self._adb = adbutils.AdbClient(host="127.0.0.1", port=_adb_port(),
                                       socket_timeout=timeout).device(serial)
        self._local = local if local is not None else frida.get_local_device()
        self._pid_ns: Optional[str] = None
        self._lock = threading.Lock()
        self._handlers: dict[str, list] = {}
        self._gating = False
        self._gated: set[str] = set()  # packages held by `am set-debug-app -w`
        self._spawned: set[int] = set()  # explicit spawns: never reported as gated
        # packages with an explicit spawn in flight: their held process completes that request
        # (frida-core RoboLauncher: spawn_requests is looked up by package before spawn_added)
        self._spawning: set[str] = set()
        self.watch_interval = 0.5
        self._reported: set[int] = set()
        self._watch_stop = threading.Event()
        self._watcher: Optional[threading.Thread] = None

    # ------------------------------------------------------------------ adb
    def _sh(self, command: str) -> str:
        out = self._adb.shell(command, timeout=self._timeout)
        return out if isinstance(out, str) else str(out)

    def _pidof(self, package: str) -> set[int]:
        return {int(p) for p in self._sh(f"pidof {shlex.quote(package)}").split() if p.isdigit()}

    def _held(self) -> set[int]:
        """Device pids waiting for their debugger (a process killed while held leaves its fifo
        behind: only live pids count)."""
        out = self._sh(f"cd {DEBUG_DIR} && for p in *; do [ -d /proc/$p ] && echo $p; done")
        return {int(p) for p in out.split() if p.isdigit()}

    # ------------------------------------------------------------------ Frida's Device API
    def spawn(self, program: Any, **_options: Any) -> int:
        package = program[0] if isinstance(program, (list, tuple)) else str(program)
        if not _PKG.match(package) or not self._sh(f"pm path {package}").strip():
            raise frida.ExecutableNotFoundError(
                f"unable to find application with identifier '{package}'")
        self._sh(f"am force-stop {package}")
        with self._lock:
            gate = self._gating and package not in self._gated
            if gate:
                self._gated.add(package)
            self._spawning.add(package)
        try:
            if gate:
                self._sh(f"am set-debug-app -w --persistent {package}")
            out = self._sh(f"am start -D -n {package}/.MainActivity")
            if "Error" in out:
                raise frida.NotSupportedError(f"unable to spawn {package}: {out.strip()[-200:]}")
            held = self._pidof(package) & self._held()
            if not held:
                raise frida.ProcessNotRespondingError(f"{package} did not start suspended")
            pid = max(held)
            with self._lock:
                self._spawned.add(pid)
            return pid
        finally:
            with self._lock:
                self._spawning.discard(package)

    def resume(self, pid: int) -> None:
        pid = int(pid)
        if pid not in self._held():
            raise frida.InvalidArgumentError("invalid PID")  # not a suspended spawn
        self._sh(f"echo resume > {DEBUG_DIR}/{pid}")

    def attach(self, pid: int, **options: Any):
        return self._local.attach(self.host_pid(int(pid)), **options)

    def kill(self, pid: int) -> None:
        out = self._sh(f"kill -9 {int(pid)} 2>&1; rm -f {DEBUG_DIR}/{int(pid)}")
        if "No such process" in out:
            raise frida.ProcessNotFoundError(f"unable to find process with pid {pid}")

    def enumerate_applications(self, **_options: Any) -> list[Application]:
        apps = []
        for line in self._sh("pm list packages -3").splitlines():
            package = line.strip().removeprefix("package:")
            if _PKG.match(package):
                pids = self._pidof(package)
                apps.append(Application(package, package, min(pids) if pids else 0))
        return apps

    def get_process(self, name: str):
        pids = self._pidof(name)
        if not pids:
            raise frida.ProcessNotFoundError(f"unable to find process with name '{name}'")
        return Application(name, name, min(pids))

    def query_system_parameters(self) -> dict:
        props = {k: self._sh(f"getprop {k}").strip() for k in
                 ("ro.build.version.sdk", "ro.build.version.release", "ro.product.cpu.abi")}
        return {"os": {"id": "android", "name": "Android",
                       "version": props["ro.build.version.release"]},
                "platform": "linux", "arch": _FRIDA_ARCH.get(props["ro.product.cpu.abi"], ""),
                "api-level": int(props["ro.build.version.sdk"] or 0), "access": "full"}

    def enable_spawn_gating(self) -> None:
        with self._lock:
            if self._gating:
                return
            self._gating = True
            packages = sorted(self._gated)
            self._watch_stop.clear()
            self._watcher = threading.Thread(target=self._watch, daemon=True,
                                             name=f"double-spawn-gating-{self.id}")
        for package in packages:
            self._sh(f"am set-debug-app -w --persistent {package}")
        self._watcher.start()

    def disable_spawn_gating(self) -> None:
        with self._lock:
            self._gating = False
            watcher, self._watcher = self._watcher, None
            gated = bool(self._gated)
            self._gated.clear()
        self._watch_stop.set()
        if watcher is not None:
            watcher.join(10)
        if gated:
            self._sh("am clear-debug-app")

    def enumerate_pending_spawn(self) -> list[Spawn]:
        with self._lock:
            if not self._gating:
                return []
            explicit = set(self._spawned)
        return [Spawn(pid, self._name(pid)) for pid in sorted(self._held() - explicit)]

    def on(self, signal: str, callback: Any) -> None:
        with self._lock:
            self._handlers.setdefault(signal, []).append(callback)

    def off(self, signal: str, callback: Any) -> None:
        with self._lock:
            handlers = self._handlers.get(signal, [])
            if callback in handlers:
                handlers.remove(callback)

    def _watch(self) -> None:
        while not self._watch_stop.wait(self.watch_interval):
            try:
                held = self._held()
                with self._lock:
                    candidates = sorted(held - self._spawned - self._reported)
                named = [(pid, self._name(pid)) for pid in candidates]
            except Exception:  # noqa: BLE001 - the double is going away; stop() ends us
                continue
            with self._lock:
                # an explicit spawn's process is its request's, not a gated spawn (checked
                # under the lock spawn() records its pid with)
                new = [(pid, name) for pid, name in named if pid not in self._spawned
                       and pid not in self._reported and name not in self._spawning]
                self._reported.update(pid for pid, _name in new)
                handlers = list(self._handlers.get("spawn-added", []))
            for pid, name in new:
                spawn = Spawn(pid, name)
                for handler in handlers:
                    handler(spawn)

    def _name(self, pid: int) -> str:
        # the process name as frida-server reports a spawn's identifier: argv[0] (toybox ps
        # NAME), under the header line
        lines = self._sh(f"ps -o NAME -p {int(pid)}").strip().splitlines()
        return lines[-1].strip() if len(lines) > 1 else ""

    # ------------------------------------------------------------------ pids
    def host_pid(self, pid: int) -> int:
        """The host pid of device process `pid`: the process in the device's PID namespace
        whose innermost NSpid is `pid`."""
        if self._pid_ns is None:
            self._pid_ns = self._sh("readlink /proc/self/ns/pid").strip()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if os.readlink(entry / "ns/pid") != self._pid_ns:
                    continue
                status = (entry / "status").read_text()
            except OSError:
                continue
            nspid = next((line.split()[1:] for line in status.splitlines()
                          if line.startswith("NSpid:")), [])
            if nspid and nspid[-1] == str(pid):
                return int(entry.name)
        raise frida.ProcessNotFoundError(f"unable to find process with pid {pid}")
