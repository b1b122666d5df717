"""Scenario drivers: how each step of a scenario is carried out on a target, with the agent
attached to every process the scenario starts.

`JvmDriver` runs a Java program (the host app in samples/jvm_host) on JDK 17. Its control
channel is stdin: the program is started with `--consent ask`, prints "type accept or reject"
while its consent dialog is up, and reads the answer from stdin. The agent sees the dialog and
the click itself; the driver marks the answer only if the agent did not.

`AndroidDriver` drives an app on a device: `pm clear` for a fresh install, the consent dialog
found and tapped through the UI hierarchy, HOME for background, a seeded `monkey` walk.

Both keep one Frida session per process. A scenario that restarts the app (full: reject, then
accept in a new process) yields several sessions; `merge_sessions` joins their evidence. On a
device every other process of the package (`:push`, a relaunch by monkey or after a crash) is
caught by spawn gating (privascope.runtime.spawn_gate) and gets its own session too.

Consent the agent did not see is marked at the moment it was given (just before the tap or the
answer line), not when the driver gave up waiting for the agent.
"""
from __future__ import annotations

import dataclasses
import logging
import threading
import time
from typing import Any, Callable, Optional, Sequence

from privascope.model import (ConsentKind, ConsentPhase, RuntimeEvent, RuntimeEvidence)
from privascope.runtime import adb
from privascope.runtime.canaries import CanarySink, prefixed
from privascope.runtime.phases import PhaseClock

log = logging.getLogger("privascope.dynamic")

CONTROL_PROMPT = "type accept or reject"  # the host app's consent prompt on stdout


class SessionFactory:
    """Creates a started Session for a target and wires the run into it: model events to
    `on_event`, raw values to the `canaries` sink. Kept apart from the drivers so their step
    logic is testable without Frida."""

    def __init__(self, catalog, on_event: Callable, canaries: CanarySink, unpin: bool = True,
                 events_dir=None, own_packages: tuple[str, ...] = ()):
        self.catalog = catalog
        self.own_packages = own_packages  # the app's own packages, for SDK attribution
        self.on_event = on_event
        self.canaries = canaries
        self.unpin = unpin
        self.events_dir = events_dir  # a JSON-lines log per process (masked values only)

    def start(self, target, id_prefix: str):
        from privascope.runtime.session import Session

        events_path = None
        if self.events_dir is not None:
            suffix = f"-{id_prefix.rstrip('-')}" if id_prefix else ""
            events_path = self.events_dir / f"runtime-events{suffix}.jsonl"
        session = Session(target, catalog=self.catalog, unpin=self.unpin, events_path=events_path,
                          own_packages=self.own_packages)
        # ids restart at 1 in every session: prefix later sessions' ids so the merged
        # evidence (and the canary sources the traffic matcher records) stay unique
        session.canaries_to(prefixed(self.canaries, id_prefix))
        session.on_event(lambda ev: self.on_event(_prefixed(ev, id_prefix)))
        try:
            session.start()
        except BaseException:
            # the process may be up while the agent failed (or Ctrl-C came): never leave it
            try:
                session.stop()
            except Exception:  # noqa: BLE001 - the original error matters more
                log.debug("stopping a session that failed to start", exc_info=True)
            raise
        return session


def _prefixed(event, prefix: str):
    return dataclasses.replace(event, id=prefix + event.id) if prefix else event


class _SessionsMixin:
    """One session per process the scenario starts; the evidence of all of them."""

    sessions: list  # [(prefix, Session)]
    limits: list[str]
    device_setup: list[str]  # what was set on the device (method.device_setup)

    def _prefix(self) -> str:
        return "" if not self.sessions else f"s{len(self.sessions) + 1}-"

    @property
    def current(self):
        """The session of the app's main process (the one the scenario drives)."""
        main = getattr(self, "_main", None)
        if main is not None:
            return main
        return self.sessions[-1][1] if self.sessions else None

    def set_permissions(self, mode: str) -> None:
        self._once("this target has no runtime permissions: the scenario's permission "
                   "settings were not applied")

    def _once(self, message: str) -> None:
        if message not in self.limits:
            self.limits.append(message)

    def live_stamp(self) -> tuple[Optional[ConsentPhase], Optional[object]]:
        """Consent phase and app state right now, for requests as they reach the proxy. Taken
        from the session's state rather than compared by clock: a device's clock and this
        machine's need not agree. A new process inherits the last answer (see merge_sessions)."""
        session = self.current
        if session is None:
            return (None, None)
        phase = session.phase
        if phase is ConsentPhase.BEFORE:
            others = [s for _p, s in self.sessions if s is not None and s is not session]
            for earlier in reversed(others):
                answers = [c for c in earlier.consent
                           if c.kind in (ConsentKind.ACCEPT, ConsentKind.REJECT)]
                if answers:
                    phase = (ConsentPhase.AFTER_ACCEPT if answers[-1].kind is ConsentKind.ACCEPT
                             else ConsentPhase.AFTER_REJECT)
                    break
        return (phase, session.app_state)

    def evidence(self) -> Optional[RuntimeEvidence]:
        parts = []
        for prefix, session in self.sessions:
            parts.append((prefix, session.stop()))
        return merge_sessions(parts) if parts else None


class JvmDriver(_SessionsMixin):
    def __init__(self, classpath: str, main_class: str, app_args: Sequence[str],
                 factory: SessionFactory, proxy_port: Optional[int] = None,
                 target_factory=None, agent_consent_wait: float = 5.0):
        self.classpath = classpath
        self.main_class = main_class
        self.app_args = tuple(app_args)
        self.factory = factory
        self.proxy_port = proxy_port
        self.agent_consent_wait = agent_consent_wait
        self._target_factory = target_factory
        self.sessions = []
        self.limits = []
        self.device_setup = []
        self._answered_in_current = False

    def _new_target(self):
        from privascope.runtime.targets import JvmTarget

        jvm_args = []
        if self.proxy_port:
            # Plain Java honours these for HttpURLConnection; the host app's Sender does too.
            jvm_args = ["-Dhttp.proxyHost=127.0.0.1", f"-Dhttp.proxyPort={self.proxy_port}",
                        "-Dhttps.proxyHost=127.0.0.1", f"-Dhttps.proxyPort={self.proxy_port}",
                        "-Dhttp.nonProxyHosts="]
        args = list(self.app_args)
        if "--consent" not in args:
            args += ["--consent", "ask"]
        make = self._target_factory or JvmTarget
        return make(self.classpath, self.main_class, args, extra_jvm_args=jvm_args)

    # ------------------------------------------------------------------ Driver protocol
    def is_running(self) -> bool:
        return self.current is not None and self.current.target.alive()

    def launch(self, fresh: bool) -> None:
        # A JVM program keeps no state between runs: every launch is a fresh install.
        self.stop()
        prefix = self._prefix()
        self.sessions.append((prefix, self.factory.start(self._new_target(), prefix)))
        self._answered_in_current = False

    def answer_consent(self, answer: str, timeout: float) -> bool:
        session = self.current
        if session is None or self._answered_in_current:
            return False  # the host app asks once per process
        target = session.target
        if not target.wait_output(CONTROL_PROMPT, timeout):
            return False
        kind = ConsentKind(answer)
        before = _answers(session)
        answered_at = time.time()  # the moment of the answer, taken before it is written
        target.send_line(answer)
        self._answered_in_current = True
        if not _agent_saw(session, kind, before, self.agent_consent_wait):
            # The agent did not see the click (hook missing): the scenario knows the moment.
            session.mark_consent(kind, detected_by="scenario", time=answered_at)
        return True

    def explore(self, events: int, throttle_ms: int, seed: int) -> None:
        self._once("the JVM target has no UI to explore; the explore step only observes")

    def background(self) -> None:
        self._once("the JVM host app goes to the background on its own after the consent "
                   "answer; background/foreground steps only observe")

    def foreground(self) -> None:
        self.background()

    def stop(self) -> None:
        session = self.current
        if session is not None and session.ended_at is None:
            session.stop()


def _answers(session) -> int:
    return sum(1 for c in session.consent if c.kind in (ConsentKind.ACCEPT, ConsentKind.REJECT))


def _agent_saw(session, kind: ConsentKind, before: int, wait: float) -> bool:
    """Did the agent record this answer? Waits at most `wait` s for its click hook, then
    flushes (every message the agent sent until now is processed) before deciding. The wait
    only costs time: a consent marked afterwards carries the moment it was given."""
    def seen(s) -> bool:
        return _answers(s) > before and s.consent[-1].kind is kind

    if session.wait_until(seen, wait):
        return True
    flush = getattr(session, "flush", None)
    if flush is not None:
        flush(min(wait, 5.0))
    return seen(session)


# --------------------------------------------------------------------------- Android


class AndroidDriver(_SessionsMixin):
    """Steps on a device. `target_factory()` returns a fresh AndroidTarget for the package
    (spawn under the agent); `shell` runs adb shell commands."""

    def __init__(self, package: str, shell, target_factory: Callable, factory: SessionFactory,
                 click_consent: Optional[Callable] = None, sleep=time.sleep,
                 ask: Optional[Callable[[str], str]] = None,
                 runtime_permissions: Sequence[str] = (), agent_consent_wait: float = 3.0,
                 spawn_gating: bool = True):
        from privascope.dynamic_run.ui_automation import click_consent as find_and_click_consent

        self.package = adb.check_package_name(package)
        self.shell = shell
        # target_factory(**kw) -> AndroidTarget; kw pid= (and spawn=False) for a process
        # that exists already (held by spawn gating, or found running)
        self._target_factory = target_factory
        self.factory = factory
        self._click = click_consent or find_and_click_consent
        self._sleep = sleep
        self._ask = ask  # key press fallback: None when nobody is at the terminal
        self.runtime_permissions = tuple(runtime_permissions)  # the app's dangerous ones
        self.agent_consent_wait = agent_consent_wait
        self.sessions = []
        self.limits = []
        self.device_setup = []
        self._main = None  # the main process's session (see _SessionsMixin.current)
        self._lock = threading.RLock()  # sessions are added from the spawn gate's thread too
        self._spawn_gating = spawn_gating
        self._gate: Optional[Any] = None  # a runtime.spawn_gate.SpawnGate once enabled
        self._tried_pids: set[int] = set()  # processes found without the agent, tried once
        self._permission_mode: Optional[str] = None
        self._starting: dict[str, Any] = {}  # prefix -> target whose session is starting

    # ------------------------------------------------------------------ processes
    def is_running(self) -> bool:
        """Is the main process under the agent alive? Not "is some process named PKG": a
        relaunch outside the agent would pass that test. Other pids of the package without a
        session are attached to (or recorded as uninstrumented)."""
        main = self.current
        if main is None or main.ended_at is not None or getattr(main, "detached", None):
            return False
        pids = adb.pidof(self.shell, self.package)
        self._adopt_unwatched(pids, main_gone=getattr(main, "pid", None) not in pids)
        main = self.current  # a relaunch adopted just now is the main process
        return main is not None and main.ended_at is None and getattr(main, "pid", None) in pids

    def _watched(self, excluding_gate: bool = False) -> set[int]:
        """Pids under a session, or about to be: targets starting, processes the gate holds."""
        with self._lock:
            pids = {getattr(s, "pid", None) for _p, s in self.sessions
                    if s is not None and s.ended_at is None and not getattr(s, "detached", None)}
            pids |= {getattr(getattr(t, "changes", None), "pid", None)
                     for t in self._starting.values()}
        if self._gate is not None and not excluding_gate:
            pids |= set(self._gate.handling)
        return {p for p in pids if p is not None}

    def _adopt_unwatched(self, pids: set[int], main_gone: bool) -> None:
        for pid in sorted(pids - self._watched() - self._tried_pids):
            self._tried_pids.add(pid)
            try:
                self._add_session(pid, self.package, spawn=False, main=main_gone)
                self._once(f"process {pid} of {self.package} ran without the agent until it "
                           "was attached (reads before that are missing)")
            except Exception as exc:  # noqa: BLE001 - record it, keep the run going
                log.warning("cannot attach to process %s of %s: %s", pid, self.package, exc)
                self._once(f"process {pid} of {self.package} ran without the agent")

    def _add_session(self, pid: int, identifier: str, spawn: bool, main: bool) -> None:
        session = self._start_session(self._target_factory(pid=pid, spawn=spawn))
        with self._lock:
            if main:
                self._main = session  # a relaunch of the main process: the scenario's now
        log.info("process %s (%s) under the agent", pid, identifier)

    def _on_gated_spawn(self, pid: int, identifier: str) -> None:
        if pid in self._watched(excluding_gate=True):
            # already under a session (Frida reports explicit spawns by their own request,
            # not here; a device that did would otherwise get every read counted twice)
            log.warning("spawn-added for process %s, already under the agent: ignored", pid)
            return
        # one process per name: a new "PKG" process means the main one was relaunched
        self._add_session(pid, identifier, spawn=True, main=identifier == self.package)

    def _on_gate_failure(self, pid: int, identifier: str, exc: BaseException) -> None:
        self._once(f"process {pid} ({identifier}) ran without the agent: {exc}")

    def _ensure_gate(self, target) -> None:
        if not self._spawn_gating or self._gate is not None:
            return
        from privascope.runtime.spawn_gate import SpawnGate

        try:
            device = target.frida_device()
            gate = SpawnGate(device, self.package, self._on_gated_spawn, self._on_gate_failure)
            gate.enable()
        except Exception as exc:  # noqa: BLE001 - e.g. a Frida device without gating
            self._once(f"spawn gating unavailable ({exc}): other processes of the app are "
                       "attached to only when found running")
            self._spawn_gating = False
            return
        self._gate = gate

    def launch(self, fresh: bool) -> None:
        self.stop()
        if fresh:
            adb.clear_data(self.shell, self.package)
            if self._permission_mode is not None:
                # `pm clear` resets runtime permissions (clearApplicationUserData): set again
                self._apply_permissions(self._permission_mode)
        target = self._target_factory()
        self._ensure_gate(target)
        session = self._start_session(target)
        with self._lock:
            self._main = session

    def _start_session(self, target):
        """A session for `target` under the next prefix; the slot is reserved while the agent
        loads (sessions are started from the spawn gate's threads too)."""
        with self._lock:
            prefix = self._prefix()
            self.sessions.append((prefix, None))
            self._starting[prefix] = target
        try:
            session = self.factory.start(target, prefix)
        except BaseException:
            with self._lock:
                self.sessions.remove((prefix, None))
                self._starting.pop(prefix, None)
            raise
        with self._lock:
            self.sessions[self.sessions.index((prefix, None))] = (prefix, session)
            self._starting.pop(prefix, None)
        return session

    # ------------------------------------------------------------------ permissions
    def set_permissions(self, mode: str) -> None:
        self._permission_mode = mode
        self._apply_permissions(mode)

    def _apply_permissions(self, mode: str) -> None:
        if not self.runtime_permissions:
            self._note_setup(f"{mode}: the app requests no runtime permission")
            return
        for line in adb.set_runtime_permissions(self.shell, self.package,
                                                self.runtime_permissions, mode):
            self._note_setup(line)

    def _note_setup(self, line: str) -> None:
        if line not in self.device_setup:
            self.device_setup.append(line)

    # ------------------------------------------------------------------ steps
    def answer_consent(self, answer: str, timeout: float) -> bool:
        session = self.current
        kind = ConsentKind(answer)
        before = _answers(session) if session is not None else 0
        started = time.time()
        plan = self._click(self.shell, answer, timeout=timeout)
        if plan is None:
            # No dialog found by its text (custom views, WebView, games). The agent may still
            # have seen the answer; otherwise the tester answers on the device and presses a key.
            if session is not None and _answers(session) > before \
                    and session.consent[-1].kind is kind:
                return True
            if self._ask is not None and session is not None:
                reply = self._ask(f"Could not find the consent dialog: {answer} it on the device, "
                                  "then press Enter (or type s and Enter to skip): ")
                if reply.strip().lower() != "s":
                    session.mark_consent(kind, detected_by="key_press")
                    return True
            return False
        if session is not None:
            # The agent may also see the click; the UI record says which button was tapped.
            # Marked at the tap itself (taken just before `input tap` was sent).
            tapped_at = getattr(plan, "tapped_at", None) or started
            if not _agent_saw(session, kind, before, self.agent_consent_wait):
                session.mark_consent(kind, detected_by="ui_automation",
                                     text=plan.taps[-1].text, time=tapped_at)
        return True

    def explore(self, events: int, throttle_ms: int, seed: int) -> None:
        out = adb.explore(self.shell, self.package, events, throttle_ms, seed)
        problem = adb.monkey_problem(out)
        if problem and problem not in self.limits:
            self.limits.append(problem)

    def background(self) -> None:
        adb.press_home(self.shell)

    def foreground(self) -> None:
        adb.bring_to_front(self.shell, self.package)

    def stop(self) -> None:
        session = self.current
        if session is not None and session.ended_at is None:
            session.stop()  # the target's stop force-stops the app and undoes its changes

    def evidence(self) -> Optional[RuntimeEvidence]:
        """The end of the run: gating off (the device's normal state), every session stopped."""
        if self._gate is not None:
            self._gate.disable()
            self._gate = None
        with self._lock:
            parts = [(prefix, s) for prefix, s in self.sessions if s is not None]
        return merge_sessions([(prefix, s.stop()) for prefix, s in parts]) if parts else None


# --------------------------------------------------------------------------- merging


def merge_sessions(parts: Sequence[tuple[str, RuntimeEvidence]]) -> RuntimeEvidence:
    """One RuntimeEvidence from the sessions of one run, ids prefixed per session.

    A later process (or a `:push` process next to the main one) starts knowing nothing of the
    answer given in another, so the agent labels its reads `before`. The user's answer still
    stands until it is given again: a read labelled `before` in its own process takes the phase
    of the last answer given in any process at or before its time (all times are host times:
    each session corrected its device's clock).
    """
    api_calls: list[RuntimeEvent] = []
    consent, perms, states, launches, errors = [], [], [], [], []
    connections: list = []
    net_hooks: list[str] = []
    answers = PhaseClock(c for _p, ev in parts for c in ev.consent)
    started, ended = [], []

    def phase(p: ConsentPhase, t: float) -> ConsentPhase:
        return answers.phase_at(t) if p is ConsentPhase.BEFORE else p

    for prefix, ev in parts:
        for e in ev.api_calls:
            api_calls.append(dataclasses.replace(e, id=prefix + e.id,
                                                 consent_phase=phase(e.consent_phase, e.time)))
        consent += [dataclasses.replace(c, id=prefix + c.id) for c in ev.consent]
        perms += [dataclasses.replace(p, id=prefix + p.id,
                                      consent_phase=phase(p.consent_phase, p.time))
                  for p in ev.permission_requests]
        states += [dataclasses.replace(s, id=prefix + s.id) for s in ev.app_states]
        launches += [dataclasses.replace(c, id=prefix + c.id,
                                         consent_phase=phase(c.consent_phase, c.time))
                     for c in ev.component_launches]
        errors += list(ev.agent_errors)
        connections += [dataclasses.replace(c, id=prefix + c.id) for c in ev.connections]
        net_hooks += ev.net_hooks
        started.append(ev.started_at)
        if ev.ended_at is not None:
            ended.append(ev.ended_at)
    first = parts[0][1]
    return RuntimeEvidence(
        target=first.target, started_at=min(started), ended_at=max(ended) if ended else None,
        api_calls=tuple(api_calls), consent=tuple(consent), permission_requests=tuple(perms),
        app_states=tuple(states), component_launches=tuple(launches),
        agent_errors=tuple(dict.fromkeys(errors)),
        connections=tuple(sorted(connections, key=lambda c: c.time)),
        net_hooks=tuple(dict.fromkeys(net_hooks)),
        # one device, one clock: the processes' offsets differ only by measurement error
        clock_offset_ms=first.clock_offset_ms)
