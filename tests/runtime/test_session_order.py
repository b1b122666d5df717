"""The order Session.start and Session.stop impose, against a scripted stand-in for Frida:
the agent gets its config before the app may run, the app runs only once the agent is ready
(JVM launcher) or is resumed right after init (spawned Android app), and teardown kills the
target before detaching, never waiting on a hung Frida call."""
from __future__ import annotations

import threading
import time

import pytest

from privascope.runtime.session import Session, SessionError, bounded, StepTimeout
from privascope.runtime.targets import Target

READY = {"type": "agent:ready", "time": 1, "pid": 42, "runtime": "jvm", "hooked": ["a.B.c"],
         "missing": {}, "pending": []}


class Log(list):
    def add(self, what: str) -> None:
        self.append(what)


class FakeScript:
    def __init__(self, log: Log, ready_on: str, launcher: str):
        self.log, self.ready_on, self.launcher = log, ready_on, launcher
        self.skew = 0.0  # device clock - host clock, seconds
        self._cb = None
        script = self

        class Exports:
            def init(self, config):
                assert "apis" in config
                script.log.add("init")
                if script.ready_on == "init":
                    script.emit({**READY, "launcher": script.launcher})
                return {"vm_ready": script.ready_on == "init"}

            def ping(self):
                script.log.add("ping")
                return (time.time() + script.skew) * 1000  # the device's Date.now()

        self.exports_sync = Exports()

    def on(self, signal, cb):
        self._cb = cb

    def load(self):
        self.log.add("load")

    def emit(self, payload):
        self._cb({"type": "send", "payload": payload}, None)


class FakeFridaSession:
    def __init__(self, log: Log, script: FakeScript, detach_hangs: bool):
        self.log, self.script, self.detach_hangs = log, script, detach_hangs
        self.on_detached = None

    def on(self, signal, cb):
        self.on_detached = cb

    def create_script(self, source, name):
        return self.script

    def detach(self):
        self.log.add("detach")
        if self.detach_hangs:
            threading.Event().wait()  # as a detach from a crashing JVM did


class FakeTarget(Target):
    """spawned=True plays a suspended Android app (resumed by release); False the JVM launcher
    (released by the agent, confirmed by release)."""
    package = "com.example.fake"

    def __init__(self, spawned: bool, *, dies_on_kill: bool = True, detach_hangs: bool = False,
                 launcher: str = "released"):
        self.log = Log()
        self.release_before_ready = spawned
        self.script = FakeScript(self.log, "release" if spawned else "init", launcher)
        self.fsession = FakeFridaSession(self.log, self.script, detach_hangs)
        self.dies_on_kill = dies_on_kill

    @property
    def name(self):
        return "fake:app"

    def launch(self):
        self.log.add("launch")
        return 42

    def frida_device(self):
        target = self

        class Device:
            def attach(self, pid):
                target.log.add("attach")
                return target.fsession

        return Device()

    def release(self):
        self.log.add("release")
        if self.script.ready_on == "release":  # the app binds: the queued Java.perform hooks
            self.script.emit({**READY, "runtime": "art", "launcher": "none"})

    def stop(self):
        self.log.add("kill")
        if self.dies_on_kill:
            self.fsession.on_detached("process-terminated")


def steps(target: FakeTarget) -> list[str]:
    return [s for s in target.log if s != "ping"]


def clock_pings(target: FakeTarget) -> int:
    """Pings between loading the agent and init: the clock offset samples."""
    log = target.log
    return log[log.index("load"):log.index("init")].count("ping")


def start_stop(target: FakeTarget, catalog) -> Session:
    session = Session(target, catalog=catalog, bundle_source="// fake", ready_timeout=10)
    try:
        session.start()
    finally:
        session.stop()
    return session


def test_jvm_program_runs_only_after_the_agent_is_ready(catalog):
    target = FakeTarget(spawned=False)
    session = start_stop(target, catalog)
    assert session.ready is not None and session.ready.launcher == "released"
    # init installs the hooks and the agent releases the launcher; release() comes after ready
    assert steps(target)[:5] == ["launch", "attach", "load", "init", "release"]
    assert clock_pings(target) == Session.CLOCK_SAMPLES  # measured before the app may run


def test_spawned_app_is_resumed_only_after_init_handed_over_the_config(catalog):
    target = FakeTarget(spawned=True)
    session = start_stop(target, catalog)
    assert session.ready is not None and session.ready.runtime == "art"
    assert steps(target)[:5] == ["launch", "attach", "load", "init", "release"]
    assert clock_pings(target) == Session.CLOCK_SAMPLES  # measured before the app may run


def test_launcher_error_fails_the_start(catalog):
    target = FakeTarget(spawned=False, launcher="error: ClassNotFoundException")
    with pytest.raises(SessionError, match="could not release"):
        start_stop(target, catalog)
    assert "release" not in target.log


def test_stop_kills_before_detaching_and_skips_detach_once_gone(catalog):
    target = FakeTarget(spawned=False)
    start_stop(target, catalog)
    teardown = target.log[target.log.index("release") + 1:]
    assert teardown == ["ping", "kill"]  # flush, then kill; the killed process detached itself


def test_a_hung_detach_does_not_hang_stop(catalog):
    target = FakeTarget(spawned=False, dies_on_kill=False, detach_hangs=True)
    session = Session(target, catalog=catalog, bundle_source="// fake", ready_timeout=10)
    session.detach_timeout = 0.5
    session.start()
    evidence = session.stop()  # returns although detach() never does
    assert evidence.ended_at is not None
    assert target.log[-2:] == ["kill", "detach"]


def test_bounded_returns_raises_and_times_out():
    assert bounded(lambda: 7, 5, "seven") == 7
    with pytest.raises(ZeroDivisionError):
        bounded(lambda: 1 / 0, 5, "divide")
    with pytest.raises(StepTimeout, match="hang did not return"):
        bounded(threading.Event().wait, 0.2, "hang")


class HeldVmScript(FakeScript):
    """A spawned process whose VM was already up (the device double's app process, or an app
    attached while held): init installs the hooks itself and says so, and agent:ready follows
    a tick later, from the agent's thread (frida-java-bridge applies the replacements in
    Script.nextTick). Here that thread sends ready once the app was resumed, or after 2 s."""

    def __init__(self, log: Log):
        super().__init__(log, "never", "none")
        self.resumed = threading.Event()
        script = self

        class Exports:
            def init(self, config):
                script.log.add("init")

                def tick():
                    script.resumed.wait(2.0)
                    script.log.add("ready")
                    script.emit({**READY, "launcher": "absent"})

                threading.Thread(target=tick, daemon=True).start()
                return {"vm_ready": True, "installed": True}

            def ping(self):
                script.log.add("ping")
                return time.time() * 1000

        self.exports_sync = Exports()


def test_spawned_app_with_hooks_installed_at_init_is_resumed_only_after_ready(catalog):
    # issue 11 item 4: resuming right after init would let the app run before the hooks the
    # agent installed in init are live
    target = FakeTarget(spawned=True)
    target.script = HeldVmScript(target.log)
    target.fsession = FakeFridaSession(target.log, target.script, False)
    release = target.release

    def resume():
        release()
        target.script.resumed.set()

    target.release = resume
    session = start_stop(target, catalog)
    assert session.ready is not None
    assert steps(target)[:6] == ["launch", "attach", "load", "init", "ready", "release"]
