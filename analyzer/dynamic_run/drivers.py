"""Scenario drivers: how each step of a scenario is carried out on a target, with the agent
attached to every process the scenario starts.

`JvmDriver` runs a Java program (the host app in samples/jvm_host) on JDK 17. Its control
channel is stdin: the program is started with `--consent ask`, prints "type accept or reject"
while its consent dialog is up, and reads the answer from stdin. The agent sees the dialog and
the click itself; the driver marks the answer only if the agent did not.

`AndroidDriver` drives an app on a device: `pm clear` for a fresh install, the consent dialog
found and tapped through the UI hierarchy, HOME for background, a seeded `monkey` walk.

Both keep one Frida session per process. A scenario that restarts the app (full: reject, then
accept in a new process) yields several sessions; `merge_sessions` joins their evidence.
"""
from __future__ import annotations

import dataclasses
import logging
import time
from typing import Callable, Optional, Sequence

from privascope.model import (ConsentKind, ConsentPhase, RuntimeEvent, RuntimeEvidence)
from privascope.runtime import adb
from privascope.runtime.canaries import CanarySink, prefixed

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

    def _prefix(self) -> str:
        return "" if not self.sessions else f"s{len(self.sessions) + 1}-"

    @property
    def current(self):
        return self.sessions[-1][1] if self.sessions else None

    def live_stamp(self) -> tuple[Optional[ConsentPhase], Optional[object]]:
        """Consent phase and app state right now, for requests as they reach the proxy. Taken
        from the session's state rather than compared by clock: a device's clock and this
        machine's need not agree. A new process inherits the last answer (see merge_sessions)."""
        session = self.current
        if session is None:
            return (None, None)
        phase = session.phase
        if phase is ConsentPhase.BEFORE:
            for _prefix, earlier in reversed(self.sessions[:-1]):
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
        target.send_line(answer)
        self._answered_in_current = True
        seen = session.wait_until(lambda s: _answers(s) > before, self.agent_consent_wait)
        if not seen or session.consent[-1].kind is not kind:
            # The agent did not see the click (hook missing): the scenario knows the moment.
            session.mark_consent(kind, detected_by="scenario")
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

    def _once(self, message: str) -> None:
        if message not in self.limits:
            self.limits.append(message)


def _answers(session) -> int:
    return sum(1 for c in session.consent if c.kind in (ConsentKind.ACCEPT, ConsentKind.REJECT))


# --------------------------------------------------------------------------- Android


class AndroidDriver(_SessionsMixin):
    """Steps on a device. `target_factory()` returns a fresh AndroidTarget for the package
    (spawn under the agent); `shell` runs adb shell commands."""

    def __init__(self, package: str, shell, target_factory: Callable, factory: SessionFactory,
                 click_consent: Optional[Callable] = None, sleep=time.sleep,
                 ask: Optional[Callable[[str], str]] = None):
        from privascope.dynamic_run.ui_automation import click_consent as find_and_click_consent

        self.package = adb.check_package_name(package)
        self.shell = shell
        self._target_factory = target_factory
        self.factory = factory
        self._click = click_consent or find_and_click_consent
        self._sleep = sleep
        self._ask = ask  # key press fallback: None when nobody is at the terminal
        self.sessions = []
        self.limits = []

    def is_running(self) -> bool:
        if self.current is None or self.current.ended_at is not None:
            return False
        return bool(self.shell.shell(["pidof", self.package]).strip())

    def launch(self, fresh: bool) -> None:
        self.stop()
        if fresh:
            adb.clear_data(self.shell, self.package)
        prefix = self._prefix()
        self.sessions.append((prefix, self.factory.start(self._target_factory(), prefix)))

    def answer_consent(self, answer: str, timeout: float) -> bool:
        session = self.current
        kind = ConsentKind(answer)
        before = _answers(session) if session is not None else 0
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
            before = _answers(session)
            if not session.wait_until(lambda s: _answers(s) > before, 3.0):
                session.mark_consent(ConsentKind(answer), detected_by="ui_automation",
                                     text=plan.taps[-1].text)
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


# --------------------------------------------------------------------------- merging


def merge_sessions(parts: Sequence[tuple[str, RuntimeEvidence]]) -> RuntimeEvidence:
    """One RuntimeEvidence from the sessions of one run, ids prefixed per session.

    A later process starts knowing nothing of the earlier answer, so the agent labels its
    reads `before`. The user's last answer still stands until it is given again: reads of
    session k before its own first answer take the phase of the last answer of sessions < k.
    """
    api_calls: list[RuntimeEvent] = []
    consent, perms, states, launches, errors = [], [], [], [], []
    standing: Optional[ConsentPhase] = None
    started, ended = [], []
    for prefix, ev in parts:
        first_answer = min((c.time for c in ev.consent
                            if c.kind in (ConsentKind.ACCEPT, ConsentKind.REJECT)), default=None)

        def phase(p: ConsentPhase, t: float) -> ConsentPhase:
            if standing and p is ConsentPhase.BEFORE and (first_answer is None or t < first_answer):
                return standing
            return p

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
        started.append(ev.started_at)
        if ev.ended_at is not None:
            ended.append(ev.ended_at)
        answers = [c for c in ev.consent if c.kind in (ConsentKind.ACCEPT, ConsentKind.REJECT)]
        if answers:
            last = max(answers, key=lambda c: c.time)
            standing = (ConsentPhase.AFTER_ACCEPT if last.kind is ConsentKind.ACCEPT
                        else ConsentPhase.AFTER_REJECT)
    first = parts[0][1]
    return RuntimeEvidence(
        target=first.target, started_at=min(started), ended_at=max(ended) if ended else None,
        api_calls=tuple(api_calls), consent=tuple(consent), permission_requests=tuple(perms),
        app_states=tuple(states), component_launches=tuple(launches),
        agent_errors=tuple(dict.fromkeys(errors)))
