"""`privascope trace`: record what an app reads at run time, with the Frida agent.

  privascope trace --target jvm:CLASSPATH:MAINCLASS [--duration S] [--out DIR] [-- APP ARGS...]
  privascope trace --serial SERIAL --package PKG [--apk APP.apk] [--no-unpin]

Writes DIR/events.jsonl as events arrive (one JSON object per line, flushed each time) and, at
the end, DIR/runtime-bundle.json (a Bundle with runtime evidence: `privascope report` renders
it). Ctrl-C (or SIGTERM) ends the run promptly and keeps both: every teardown step is bounded,
and a second Ctrl-C cannot abandon the teardown half-way (the JVM would be left running). While
it runs the tester can type `a` + Enter (consent accepted) or `r` + Enter (rejected) when the
agent cannot see the dialog.
"""
from __future__ import annotations

import math
import os
import select
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from privascope.errors import EXIT_INTERRUPTED, EXIT_MISSING, EXIT_OK, UserError
from privascope.model import (AppInfo, Bundle, ComponentLaunch, ConsentEvent, Method,
                            PermissionRequest, RuntimeEvent, Tool, to_json)

EVENTS_FILE = "events.jsonl"
BUNDLE_FILE = "runtime-bundle.json"


@dataclass(frozen=True, kw_only=True)
class TraceOptions:
    """What `run_trace` needs, checked when built (a bad value raises UserError, exit 2). cli.py
    builds it from the `trace` command's arguments; library callers build it directly."""
    out: Path
    target: Optional[str] = None  # "jvm:CLASSPATH:MAINCLASS" ...
    app_args: tuple[str, ...] = ()  # ... and the JVM program's own arguments
    serial: Optional[str] = None  # or an Android device and package
    package: Optional[str] = None
    apk: Optional[Path] = None  # installed first
    duration: float = 30.0  # seconds to record
    unpin: bool = True  # bypass certificate pinning

    def __post_init__(self) -> None:
        object.__setattr__(self, "out", Path(self.out))
        object.__setattr__(self, "app_args", tuple(self.app_args))
        if self.apk is not None:
            object.__setattr__(self, "apk", Path(self.apk))
        if isinstance(self.duration, bool) or not isinstance(self.duration, (int, float)) \
                or not math.isfinite(self.duration) or self.duration <= 0:
            raise UserError("--duration must be positive")
        if self.target and (self.serial or self.package):
            raise UserError("use either --target jvm:... or --serial/--package, not both")
        if not self.target and not (self.serial and self.package):
            raise UserError("give --target jvm:CLASSPATH:MAINCLASS, or --serial SERIAL --package PKG")
        if self.app_args and not self.target:
            raise UserError("program arguments are for --target jvm:... only")


def build_target(opts: TraceOptions):
    """Options -> Target. Raises UserError for what cannot work (missing classpath entry...)."""
    from privascope.runtime.targets import JvmTarget, parse_jvm_target

    if opts.target:
        try:
            classpath, main = parse_jvm_target(opts.target)
        except ValueError as exc:
            raise UserError(str(exc)) from None
        for entry in classpath.split(os.pathsep):
            if entry and not Path(entry).exists():
                raise UserError(f"classpath entry {entry} does not exist")
        return JvmTarget(classpath, main, opts.app_args)
    from privascope.runtime.android import AndroidTarget
    from privascope.runtime.targets import TargetError

    if opts.apk is not None and not opts.apk.is_file():
        raise UserError(f"{opts.apk}: no such APK")
    assert opts.serial and opts.package  # TraceOptions requires both when there is no --target
    try:
        return AndroidTarget(opts.serial, opts.package, opts.apk)
    except TargetError as exc:
        raise UserError(str(exc)) from None


def describe(event) -> Optional[str]:
    """One progress line per event; values only as masked previews."""
    t = time.strftime("%H:%M:%S", time.localtime(event.time))
    if isinstance(event, RuntimeEvent):
        who = event.sdk or "app"
        value = event.value.preview if event.value else ("-" if event.obtained else "not obtained")
        return (f"{t} {event.consent_phase.value:12} {event.app_state.value:10} {who:16} "
                f"{event.pi_type:20} {event.api.rsplit('.', 1)[-1]} = {value}")
    if isinstance(event, ConsentEvent):
        return f"{t} consent {event.kind.value} ({event.detected_by})"
    if isinstance(event, PermissionRequest):
        granted = f" granted={','.join(event.granted)}" if event.granted else ""
        return f"{t} permission request {','.join(event.permissions)}{granted}"
    if isinstance(event, ComponentLaunch):
        return f"{t} starts {event.kind} of {event.target_package} ({event.target})"
    state = getattr(event, "state", None)
    return f"{t} app {state.value}" if state is not None else None


def _key_reader(session, stop: threading.Event) -> None:
    """`a`/`r` + Enter on the terminal mark consent by hand. Reads the raw descriptor with a
    timeout, never sys.stdin: a daemon thread blocked inside sys.stdin's buffer holds its lock,
    which interpreter shutdown may then wait on."""
    try:
        fd = sys.stdin.fileno()
    except (AttributeError, OSError, ValueError):
        return
    pending = b""
    while not stop.is_set():
        try:
            readable, _, _ = select.select([fd], [], [], 0.5)
            if not readable:
                continue
            chunk = os.read(fd, 1024)
        except (OSError, ValueError):
            return
        if not chunk:
            return
        pending += chunk
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            key = line.decode("utf-8", "replace").strip().lower()
            if key in ("a", "accept"):
                session.mark_consent("accept", detected_by="key_press")
            elif key in ("r", "reject"):
                session.mark_consent("reject", detected_by="key_press")


def write_bundle(out: Path, session, catalog) -> Path:
    from privascope import __version__

    evidence = session.evidence()
    ready = session.ready
    limits = []
    if ready is not None and ready.missing:
        limits.append(f"{len(ready.missing)} catalog APIs absent on this target (not hooked)")
    if ready is not None and ready.pending:
        limits.append(f"{len(ready.pending)} catalog APIs waiting for a class loader")
    if session.unknown_messages:
        limits.append(f"{session.unknown_messages} agent messages of unknown type")
    bundle = Bundle(
        tool=Tool(name="privascope", version=__version__),
        app=AppInfo(package=session.target.package or session.target.name),
        runtime=evidence,
        method=Method(kinds=("runtime",), catalog_versions=dict(catalog.versions),
                      scenario="trace", started_at=evidence.started_at, limits=tuple(limits)),
        partial=bool(evidence.agent_errors),
        errors=evidence.agent_errors,
    )
    path = out / BUNDLE_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(to_json(bundle))
    return path


class _Interrupts:
    """SIGINT and SIGTERM (e.g. a CI timeout) while recording: the first one raises
    KeyboardInterrupt and ends the recording; what was recorded is kept. Any later one, and any
    during the teardown, only says "still stopping": the teardown is bounded, and abandoning it
    half-way would leave the app running and the record unwritten. Counting in the handler
    leaves no window between the first signal and the teardown for a second one to slip in."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.armed = True
        self.count = 0
        self._saved: dict = {}

    def __call__(self, signum, frame) -> None:
        self.count += 1
        if self.armed and self.count == 1:
            raise KeyboardInterrupt
        print("still stopping (the app is being killed, the record written)", file=sys.stderr,
              flush=True)

    def install(self) -> "_Interrupts":
        for sig in self.SIGNALS:
            try:
                self._saved[sig] = signal.signal(sig, self)
            except ValueError:  # not the main thread (embedded use): leave signals alone
                pass
        return self

    def restore(self) -> None:
        for sig, old in self._saved.items():
            signal.signal(sig, old)


def run_trace(opts: TraceOptions) -> int:
    from privascope.catalog import CatalogError, load_catalog
    from privascope.runtime.agent_config import AgentBuildError
    from privascope.runtime.session import Session, SessionError
    from privascope.runtime.targets import TargetError, TargetUnavailable

    target = build_target(opts)
    try:
        catalog = load_catalog()
    except CatalogError as exc:
        raise UserError(f"catalog: {exc}") from None
    out = opts.out
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create {out}: {exc}") from None
    try:
        import frida  # noqa: F401
    except ImportError:
        raise UserError("the frida Python package is missing (pip install frida)", EXIT_MISSING) from None

    session = Session(target, catalog=catalog, events_path=out / EVENTS_FILE, unpin=opts.unpin)

    def progress(event) -> None:
        line = describe(event)
        if line:
            print(line, flush=True)

    session.on_event(progress)
    stop = threading.Event()
    interrupted = False
    interrupts = _Interrupts().install()
    try:
        try:
            ready = session.start()
        except (TargetUnavailable, AgentBuildError) as exc:
            raise UserError(str(exc), EXIT_MISSING) from None
        except (TargetError, SessionError) as exc:
            raise UserError(str(exc)) from None
        print(f"agent ready on {target.name}: {len(ready.hooked)} APIs hooked, "
              f"{len(ready.missing)} absent; recording for {opts.duration:g}s "
              "(a/r + Enter: consent accepted/rejected; Ctrl-C: stop)", flush=True)
        threading.Thread(target=_key_reader, args=(session, stop), daemon=True).start()
        deadline = time.monotonic() + opts.duration
        while time.monotonic() < deadline and target.alive() and session.detached is None:
            time.sleep(0.2)
        if session.detached is not None or not target.alive():
            print(f"the app is gone ({session.detached or 'exited'}): stopping", flush=True)
    except KeyboardInterrupt:
        interrupted = True
        print("interrupted: keeping what was recorded", file=sys.stderr, flush=True)
    finally:
        interrupts.armed = False
        stop.set()
        try:
            evidence = session.stop()
            if session.ready is not None or evidence.api_calls:
                path = write_bundle(out, session, catalog)
                print(f"{len(evidence.api_calls)} API calls, {len(evidence.consent)} consent "
                      f"events; events: {out / EVENTS_FILE}; bundle: {path}", flush=True)
        finally:
            interrupts.restore()
    return EXIT_INTERRUPTED if interrupted else EXIT_OK
