"""`privascope trace`: record what an app reads at run time, with the Frida agent.

  privascope trace --target jvm:CLASSPATH:MAINCLASS [--duration S] [--out DIR]
  privascope trace --serial SERIAL --package PKG [--apk APP.apk] [--no-unpin]

Writes DIR/events.jsonl as events arrive (one JSON object per line, flushed each time) and, at
the end, DIR/runtime-bundle.json (a Bundle with runtime evidence: `privascope report` renders
it). Ctrl-C ends the run cleanly and keeps both. While it runs the tester can type `a` + Enter
(consent accepted) or `r` + Enter (rejected) when the agent cannot see the dialog.
"""
from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Optional

from privascope.errors import EXIT_INTERRUPTED, EXIT_MISSING, EXIT_OK, UserError
from privascope.model import (AppInfo, Bundle, ComponentLaunch, ConsentEvent, Method,
                            PermissionRequest, RuntimeEvent, Tool, to_json)

EVENTS_FILE = "events.jsonl"
BUNDLE_FILE = "runtime-bundle.json"


def build_target(args):
    """CLI arguments -> Target. Raises UserError for bad combinations."""
    from privascope.runtime.targets import JvmTarget, parse_jvm_target

    if args.target and (args.serial or args.package):
        raise UserError("use either --target jvm:... or --serial/--package, not both")
    if args.target:
        try:
            classpath, main = parse_jvm_target(args.target)
        except ValueError as exc:
            raise UserError(str(exc)) from None
        for entry in classpath.split(os.pathsep):
            if entry and not Path(entry).exists():
                raise UserError(f"classpath entry {entry} does not exist")
        return JvmTarget(classpath, main)
    if args.serial and args.package:
        from privascope.runtime.android import AndroidTarget
        from privascope.runtime.targets import TargetError

        if args.apk is not None and not Path(args.apk).is_file():
            raise UserError(f"{args.apk}: no such APK")
        try:
            return AndroidTarget(args.serial, args.package, args.apk)
        except TargetError as exc:
            raise UserError(str(exc)) from None
    raise UserError("give --target jvm:CLASSPATH:MAINCLASS, or --serial SERIAL --package PKG")


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
    """`a`/`r` + Enter on the terminal mark consent by hand."""
    while not stop.is_set():
        line = sys.stdin.readline()
        if not line:
            return
        key = line.strip().lower()
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


def _term_as_interrupt():
    """SIGTERM (e.g. a CI timeout) ends the run like Ctrl-C: what was recorded is kept."""
    def handler(signum, frame):
        raise KeyboardInterrupt

    try:
        return signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread (embedded use): leave signals alone
        return None


def run_trace(args) -> int:
    from privascope.catalog import CatalogError, load_catalog
    from privascope.runtime.agent_config import AgentBuildError
    from privascope.runtime.session import Session, SessionError
    from privascope.runtime.targets import TargetError, TargetUnavailable

    if args.duration is not None and args.duration <= 0:
        raise UserError("--duration must be positive")
    target = build_target(args)
    try:
        catalog = load_catalog()
    except CatalogError as exc:
        raise UserError(f"catalog: {exc}") from None
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create {out}: {exc}") from None
    try:
        import frida  # noqa: F401
    except ImportError:
        raise UserError("the frida Python package is missing (pip install frida)", EXIT_MISSING) from None

    session = Session(target, catalog=catalog, events_path=out / EVENTS_FILE,
                      unpin=not args.no_unpin)
    def progress(event) -> None:
        line = describe(event)
        if line:
            print(line, flush=True)

    session.on_event(progress)
    stop = threading.Event()
    interrupted = False
    previous = _term_as_interrupt()
    try:
        try:
            ready = session.start()
        except (TargetUnavailable, AgentBuildError) as exc:
            raise UserError(str(exc), EXIT_MISSING) from None
        except (TargetError, SessionError) as exc:
            raise UserError(str(exc)) from None
        print(f"agent ready on {target.name}: {len(ready.hooked)} APIs hooked, "
              f"{len(ready.missing)} absent; recording for {args.duration:g}s "
              "(a/r + Enter: consent accepted/rejected; Ctrl-C: stop)", flush=True)
        threading.Thread(target=_key_reader, args=(session, stop), daemon=True).start()
        deadline = time.monotonic() + args.duration
        while time.monotonic() < deadline and target.alive() and session.detached is None:
            time.sleep(0.2)
        if session.detached is not None:
            print(f"the app is gone ({session.detached}): stopping", flush=True)
    except KeyboardInterrupt:
        interrupted = True
        print("interrupted: keeping what was recorded", file=sys.stderr, flush=True)
    finally:
        stop.set()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        evidence = session.stop()
        if session.ready is not None or evidence.api_calls:
            path = write_bundle(out, session, catalog)
            print(f"{len(evidence.api_calls)} API calls, {len(evidence.consent)} consent events; "
                  f"events: {out / EVENTS_FILE}; bundle: {path}", flush=True)
    return EXIT_INTERRUPTED if interrupted else EXIT_OK
