"""Driver step logic with fake sessions/targets/devices, and the merge of several sessions."""
from __future__ import annotations

import threading

from privascope.dynamic_run.drivers import AndroidDriver, JvmDriver, merge_sessions
from privascope.dynamic_run.ui_automation import ConsentPlan, Tap
from privascope.model import (AppState, AppStateChange, ConsentEvent, ConsentKind, ConsentPhase,
                            RuntimeEvent, RuntimeEvidence)


def ev(eid, t, phase, pi="device.imei"):
    return RuntimeEvent(id=eid, time=t, api="a", pi_type=pi, value=None, obtained=True,
                        exception=None, thread="main", stack=(), sdk="s", caller=None,
                        app_state=AppState.FOREGROUND, consent_phase=phase)


def answer(cid, t, kind):
    return ConsentEvent(id=cid, time=t, kind=ConsentKind(kind), detected_by="agent")


def evidence(events, consent=(), start=0.0, end=10.0):
    return RuntimeEvidence(target="jvm:x", started_at=start, ended_at=end,
                           api_calls=tuple(events), consent=tuple(consent),
                           app_states=(AppStateChange("as-00001", start, AppState.FOREGROUND),))


def test_merge_prefixes_ids_and_carries_the_standing_answer_into_the_next_process():
    first = evidence([ev("rt-00001", 1, ConsentPhase.BEFORE),
                      ev("rt-00003", 3, ConsentPhase.AFTER_REJECT)],
                     [answer("ce-00002", 2, "reject")])
    second = evidence([ev("rt-00001", 11, ConsentPhase.BEFORE),
                       ev("rt-00003", 13, ConsentPhase.AFTER_ACCEPT)],
                      [answer("ce-00002", 12, "accept")], start=10, end=20)
    merged = merge_sessions([("", first), ("s2-", second)])
    assert [e.id for e in merged.api_calls] == ["rt-00001", "rt-00003", "s2-rt-00001",
                                                "s2-rt-00003"]
    assert [e.consent_phase for e in merged.api_calls] == [
        ConsentPhase.BEFORE, ConsentPhase.AFTER_REJECT,
        ConsentPhase.AFTER_REJECT,  # start-up read of process 2: the refusal still stands
        ConsentPhase.AFTER_ACCEPT]
    assert [c.id for c in merged.consent] == ["ce-00002", "s2-ce-00002"]
    assert [s.id for s in merged.app_states] == ["as-00001", "s2-as-00001"]
    assert (merged.started_at, merged.ended_at) == (0.0, 20)


def test_merge_of_one_session_is_that_session():
    only = evidence([ev("rt-00001", 1, ConsentPhase.BEFORE)])
    assert merge_sessions([("", only)]) == only


class FakeTarget:
    def __init__(self, prompt=True):
        self.prompt = prompt
        self.lines = []
        self.alive_flag = True

    def wait_output(self, text, timeout):
        return self.prompt

    def send_line(self, text):
        self.lines.append(text)

    def alive(self):
        return self.alive_flag


class FakeSession:
    def __init__(self, target, agent_sees_click=True):
        self.target = target
        self.consent = []
        self.ended_at = None
        self.agent_sees_click = agent_sees_click
        self.marked = []
        self.pid = 1234
        self.detached = None
        self._cond = threading.Condition()

    def wait_until(self, predicate, timeout):
        if self.agent_sees_click and self.target.lines:
            self.consent.append(answer("ce-1", 1.0, self.target.lines[-1]))
        return predicate(self)

    def mark_consent(self, kind, detected_by, text=None, time=None):
        self.marked.append((kind, detected_by))
        self.marked_at = time
        self.consent.append(answer("ce-m", 1.0, ConsentKind(kind).value))

    def stop(self):
        self.ended_at = 1.0
        return evidence([])


class FakeFactory:
    def __init__(self, agent_sees_click=True, prompt=True):
        self.started = []
        self.agent_sees_click = agent_sees_click
        self.prompt = prompt

    def start(self, target, prefix):
        session = FakeSession(target if not isinstance(target, tuple) else FakeTarget(self.prompt),
                              self.agent_sees_click)
        self.started.append((prefix, session))
        return session


def jvm_driver(factory, **kw):
    made = []

    def target_factory(classpath, main, args, extra_jvm_args):
        made.append((args, extra_jvm_args))
        return FakeTarget(factory.prompt)

    driver = JvmDriver("cp", "a.b.Main", ["--clean"], factory, proxy_port=4321,
                       target_factory=target_factory, agent_consent_wait=0.01, **kw)
    return driver, made


def test_jvm_launch_passes_the_proxy_and_asks_for_consent_on_stdin():
    factory = FakeFactory()
    driver, made = jvm_driver(factory)
    driver.launch(fresh=True)
    args, jvm_args = made[0]
    assert args == ["--clean", "--consent", "ask"]
    assert "-Dhttp.proxyHost=127.0.0.1" in jvm_args and "-Dhttp.proxyPort=4321" in jvm_args
    driver.launch(fresh=False)
    assert [p for p, _ in factory.started] == ["", "s2-"]
    assert factory.started[0][1].ended_at is not None  # the first process was stopped


def test_jvm_answer_goes_to_stdin_and_the_agent_records_it():
    factory = FakeFactory()
    driver, _ = jvm_driver(factory)
    driver.launch(fresh=True)
    assert driver.answer_consent("reject", 1) is True
    session = factory.started[0][1]
    assert session.target.lines == ["reject"] and session.marked == []
    assert driver.answer_consent("accept", 1) is False  # asked once per process


def test_jvm_answer_is_marked_by_the_scenario_when_the_agent_missed_the_click():
    factory = FakeFactory(agent_sees_click=False)
    driver, _ = jvm_driver(factory)
    driver.launch(fresh=True)
    assert driver.answer_consent("accept", 1) is True
    assert factory.started[0][1].marked == [(ConsentKind.ACCEPT, "scenario")]


def test_jvm_without_a_prompt_reports_no_dialog():
    factory = FakeFactory(prompt=False)
    driver, _ = jvm_driver(factory)
    driver.launch(fresh=True)
    assert driver.answer_consent("accept", 1) is False


class FakeShell:
    def __init__(self):
        self.commands = []

    def shell(self, args, timeout=30.0):
        self.commands.append(list(args))
        if args[:2] == ["pm", "clear"]:
            return "Success"
        if args[0] == "pidof":
            return "1234"
        return ""


def test_android_steps_map_to_adb_commands_and_ui_clicks():
    shell = FakeShell()
    factory = FakeFactory(agent_sees_click=False)
    clicks = []

    def click(sh, ans, timeout):
        clicks.append(ans)
        return ConsentPlan(dialog_text="隐私政策", taps=(Tap(1, 2, "同意", "button"),))

    driver = AndroidDriver("com.example.shop", shell, target_factory=lambda **kw: ("t",),
                           factory=factory, click_consent=click)
    driver.launch(fresh=True)
    assert shell.commands[0] == ["pm", "clear", "com.example.shop"]
    assert driver.is_running()
    assert driver.answer_consent("accept", 5) is True
    assert clicks == ["accept"]
    assert factory.started[0][1].marked == [(ConsentKind.ACCEPT, "ui_automation")]
    driver.background()
    driver.foreground()
    driver.explore(10, 100, 7)
    assert ["input", "keyevent", "KEYCODE_HOME"] in shell.commands
    assert any(c[:3] == ["monkey", "-p", "com.example.shop"] and "-s" in c and "7" in c
               for c in shell.commands)
    driver.stop()
    assert not driver.is_running()


def test_a_session_that_fails_to_start_does_not_leave_the_process_running(monkeypatch):
    import pytest

    from privascope.dynamic_run.drivers import SessionFactory
    from privascope.runtime import session as session_mod
    from privascope.traffic import CanaryStore

    stopped = []

    class FailingSession:
        def __init__(self, target, **kw):
            self.target = target

        def canaries_to(self, sink):
            pass

        def on_event(self, cb):
            pass

        def start(self):
            raise session_mod.SessionError("the agent did not report ready")

        def stop(self):
            stopped.append(self.target)

    monkeypatch.setattr(session_mod, "Session", FailingSession)
    factory = SessionFactory(catalog=None, on_event=print, canaries=CanaryStore())
    with pytest.raises(session_mod.SessionError):
        factory.start("the-target", "")
    assert stopped == ["the-target"]


def test_live_stamp_follows_the_session_and_the_standing_answer():
    from privascope.model import ConsentPhase

    factory = FakeFactory()
    driver, _ = jvm_driver(factory)
    assert driver.live_stamp() == (None, None)
    driver.launch(fresh=True)
    first = factory.started[0][1]
    first.phase, first.app_state = ConsentPhase.BEFORE, AppState.FOREGROUND
    assert driver.live_stamp() == (ConsentPhase.BEFORE, AppState.FOREGROUND)
    driver.answer_consent("reject", 1)
    driver.launch(fresh=False)
    second = factory.started[1][1]
    second.phase, second.app_state = ConsentPhase.BEFORE, AppState.UNKNOWN
    # the new process has not asked yet: the refusal given to the first one still stands
    assert driver.live_stamp() == (ConsentPhase.AFTER_REJECT, AppState.UNKNOWN)
    second.phase = ConsentPhase.AFTER_ACCEPT
    assert driver.live_stamp()[0] == ConsentPhase.AFTER_ACCEPT


def test_android_falls_back_to_a_key_press_when_no_dialog_is_found():
    factory = FakeFactory(agent_sees_click=False)
    questions = []
    driver = AndroidDriver("com.example.shop", FakeShell(), target_factory=lambda **kw: ("t",),
                           factory=factory, click_consent=lambda sh, ans, timeout: None,
                           ask=lambda q: questions.append(q) or "")
    driver.launch(fresh=False)
    assert driver.answer_consent("reject", 1) is True
    assert "reject it on the device" in questions[0]
    assert factory.started[0][1].marked == [(ConsentKind.REJECT, "key_press")]
    skip = AndroidDriver("com.example.shop", FakeShell(), target_factory=lambda **kw: ("t",),
                         factory=FakeFactory(), click_consent=lambda sh, ans, timeout: None,
                         ask=lambda q: "s")
    skip.launch(fresh=False)
    assert skip.answer_consent("accept", 1) is False
    nobody = AndroidDriver("com.example.shop", FakeShell(), target_factory=lambda **kw: ("t",),
                           factory=FakeFactory(), click_consent=lambda sh, ans, timeout: None)
    nobody.launch(fresh=False)
    assert nobody.answer_consent("accept", 1) is False


# ------------------------------------------------------------------ issue 11 items 5, 6, 12


class PidofShell(FakeShell):
    def __init__(self, pids="1234"):
        super().__init__()
        self.pids = pids

    def shell(self, args, timeout=30.0):
        if args[0] == "pidof":
            self.commands.append(list(args))
            return self.pids
        return super().shell(args, timeout)


class RecordingFactory(FakeFactory):
    """Starts FakeSessions whose pid is the one the target was made for."""

    def __init__(self, fail_for=()):
        super().__init__()
        self.fail_for = set(fail_for)
        self.started_evt = threading.Event()

    def start(self, target, prefix):
        kw = target[1] if isinstance(target, tuple) and len(target) > 1 else {}
        if kw.get("pid") in self.fail_for:
            raise RuntimeError("attach refused")
        session = super().start(target, prefix)
        session.pid = kw.get("pid", 1234)
        session.target_kw = kw
        self.started_evt.set()
        return session


def android(shell, factory, **kw):
    return AndroidDriver("com.example.shop", shell, target_factory=lambda **k: ("t", k),
                         factory=factory, click_consent=lambda *a, **k: None,
                         spawn_gating=False, **kw)


def test_is_running_asks_for_the_pid_under_the_agent_not_for_any_process_of_the_name():
    shell = PidofShell("1234")
    driver = android(shell, RecordingFactory(fail_for={5678}))
    driver.launch(fresh=False)
    assert driver.is_running()
    # the app was relaunched outside the agent (crash restart, monkey): another pid, same name,
    # and the agent cannot get in: the app is not running under the agent
    shell.pids = "5678"
    assert not driver.is_running()
    assert "process 5678 of com.example.shop ran without the agent" in driver.limits


def test_a_relaunch_outside_the_agent_is_attached_to_and_becomes_the_driven_process():
    shell = PidofShell("1234")
    factory = RecordingFactory()
    driver = android(shell, factory)
    driver.launch(fresh=False)
    shell.pids = "5678"
    assert driver.is_running()  # true again only because the agent is now in pid 5678
    adopted = factory.started[-1][1]
    assert adopted.target_kw == {"pid": 5678, "spawn": False}  # attached to as it runs
    assert driver.current is adopted
    assert any("process 5678 of com.example.shop ran without the agent until" in limit
               for limit in driver.limits)


def test_a_process_that_cannot_be_attached_is_a_limit():
    shell = PidofShell("1234")
    driver = android(shell, RecordingFactory(fail_for={5678}))
    driver.launch(fresh=False)
    shell.pids = "1234 5678"
    assert driver.is_running()  # the main process is still the instrumented one
    assert "process 5678 of com.example.shop ran without the agent" in driver.limits
    driver.is_running()
    assert len(driver.limits) == 1  # tried once


class Spawn:
    def __init__(self, pid, identifier):
        self.pid, self.identifier = pid, identifier


class FakeFridaDevice:
    """frida-python 17's Device as far as spawn gating goes (on/off, enable/disable,
    enumerate_pending_spawn, resume), with `emit` playing frida-server's spawn-added."""

    def __init__(self, pending=()):
        self.handlers = []
        self.gating = False
        self.pending = list(pending)
        self.resumed = []
        self.resumed_evt = threading.Event()
        self.log = []

    def on(self, signal, cb):
        assert signal == "spawn-added"
        self.handlers.append(cb)

    def off(self, signal, cb):
        self.handlers.remove(cb)

    def enable_spawn_gating(self):
        self.gating = True
        self.log.append("enable")

    def disable_spawn_gating(self):
        self.gating = False
        self.log.append("disable")

    def enumerate_pending_spawn(self):
        return list(self.pending)

    def resume(self, pid):
        self.resumed.append(pid)
        self.pending = [s for s in self.pending if s.pid != pid]
        self.resumed_evt.set()

    def emit(self, spawn):
        self.pending.append(spawn)
        for cb in list(self.handlers):
            cb(spawn)


class GatedTarget(tuple):
    def frida_device(self):
        return self[2]


def test_spawn_gating_instruments_every_process_of_the_package_and_lets_others_go():
    fdev = FakeFridaDevice(pending=[Spawn(3001, "com.google.android.gms.persistent")])
    factory = RecordingFactory()
    driver = AndroidDriver("com.example.shop", PidofShell("1234"),
                           target_factory=lambda **k: GatedTarget(("t", k, fdev)),
                           factory=factory, click_consent=lambda *a, **k: None)
    driver.launch(fresh=False)
    assert fdev.log == ["enable"] and fdev.gating
    assert fdev.resumed_evt.wait(10) and fdev.resumed == [3001]  # held before: let go at once
    main = driver.current
    factory.started_evt.clear()
    fdev.resumed_evt.clear()
    fdev.emit(Spawn(2001, "com.example.shop:push"))
    fdev.emit(Spawn(2002, "com.other.app"))
    assert factory.started_evt.wait(10) and fdev.resumed_evt.wait(10)
    push = factory.started[-1][1]
    assert push.target_kw == {"pid": 2001, "spawn": True}  # attached while held
    assert 2002 in fdev.resumed and 2001 not in fdev.resumed  # its session's target resumes it
    assert driver.current is main  # a :push process is not the one the scenario drives
    assert [p for p, _s in driver.sessions] == ["", "s2-"]
    factory.started_evt.clear()
    fdev.emit(Spawn(2003, "com.example.shop"))  # the main process relaunched (crash, monkey)
    assert factory.started_evt.wait(10)
    assert driver.current is factory.started[-1][1]
    driver.stop()
    assert driver.evidence() is not None
    assert fdev.log == ["enable", "disable"] and not fdev.handlers  # the device's normal state


def test_a_process_of_the_package_that_fails_to_attach_is_resumed_and_recorded():
    fdev = FakeFridaDevice()
    factory = RecordingFactory(fail_for={2001})
    driver = AndroidDriver("com.example.shop", PidofShell("1234"),
                           target_factory=lambda **k: GatedTarget(("t", k, fdev)),
                           factory=factory, click_consent=lambda *a, **k: None)
    driver.launch(fresh=False)
    fdev.emit(Spawn(2001, "com.example.shop:remote"))
    assert fdev.resumed_evt.wait(10) and fdev.resumed == [2001]  # never left suspended
    driver.evidence()
    assert any(limit.startswith("process 2001 (com.example.shop:remote) ran without the agent")
               for limit in driver.limits)


def test_merge_places_a_push_process_reads_by_time_not_by_session_order():
    main = evidence([ev("rt-00001", 1, ConsentPhase.BEFORE)], [answer("ce-00002", 5, "reject")])
    push = evidence([ev("rt-00001", 3, ConsentPhase.BEFORE), ev("rt-00002", 6, ConsentPhase.BEFORE)],
                    start=2, end=10)
    merged = merge_sessions([("", main), ("s2-", push)])
    assert [e.consent_phase for e in merged.api_calls] == [
        ConsentPhase.BEFORE, ConsentPhase.BEFORE,  # :push read at 3, before the refusal at 5
        ConsentPhase.AFTER_REJECT]


def test_android_reject_tap_missed_by_the_agent_is_marked_at_the_tap(catalog):
    from privascope.runtime.session import Session
    from tests.runtime.test_session_order import FakeTarget as OrderTarget
    from tests.runtime.test_session_clock import api_call

    session = Session(OrderTarget(spawned=True), catalog=catalog, bundle_source="// fake")
    session.pid = 1234
    tap = 1_700_000_000.0

    class OneSession(FakeFactory):
        def start(self, target, prefix):
            self.started.append((prefix, session))
            return session

    def click(sh, ans, timeout):
        # the app reads 0.2 s after "不同意" was tapped; no click hook reports it
        session.replay([api_call((tap + 0.2) * 1000)])
        return ConsentPlan(dialog_text="隐私政策", taps=(Tap(1, 2, "不同意", "button"),),
                           tapped_at=tap)

    driver = AndroidDriver("com.example.shop", PidofShell(), target_factory=lambda **k: ("t",),
                           factory=OneSession(), click_consent=click, agent_consent_wait=0.05,
                           spawn_gating=False)
    driver.launch(fresh=False)
    assert driver.answer_consent("reject", 1) is True
    (read,) = session.api_calls
    assert read.consent_phase is ConsentPhase.AFTER_REJECT
    assert (session.consent[-1].kind, session.consent[-1].time) == (ConsentKind.REJECT, tap)


def test_jvm_answer_missed_by_the_agent_is_marked_when_the_line_was_written():
    import time as _time

    factory = FakeFactory(agent_sees_click=False)
    driver, _ = jvm_driver(factory)
    driver.launch(fresh=True)
    before = _time.time()
    driver.answer_consent("reject", 1)
    session = factory.started[0][1]
    assert before <= session.marked_at <= _time.time()


class PmShell(FakeShell):
    """pm as PackageManagerShellCommand answers: an exception for a permission that is not a
    runtime permission the app requests."""

    def shell(self, args, timeout=30.0):
        if args[:1] == ["pm"] and args[1] in ("grant", "revoke") and "INTERNET" in args[3]:
            self.commands.append(list(args))
            return ("Exception occurred while executing 'grant':\njava.lang.SecurityException: "
                    "Permission android.permission.INTERNET requested by com.example.shop is not "
                    "a changeable permission type\n\tat com.android.server.pm...\n")
        return super().shell(args, timeout)


def test_permissions_are_set_per_scenario_again_after_a_fresh_install_and_recorded():
    shell = PmShell()
    perms = ("android.permission.READ_PHONE_STATE", "android.permission.INTERNET")
    driver = android(shell, RecordingFactory(), runtime_permissions=perms)
    driver.set_permissions("ask")
    driver.launch(fresh=True)  # pm clear resets them: set again before the app starts
    pm = [c for c in shell.commands if c[0] == "pm"]
    assert pm == [
        ["pm", "revoke", "com.example.shop", perms[0]],
        ["pm", "clear-permission-flags", "com.example.shop", perms[0], "user-set", "user-fixed"],
        ["pm", "revoke", "com.example.shop", perms[1]],
        ["pm", "clear", "com.example.shop"],
        ["pm", "revoke", "com.example.shop", perms[0]],
        ["pm", "clear-permission-flags", "com.example.shop", perms[0], "user-set", "user-fixed"],
        ["pm", "revoke", "com.example.shop", perms[1]]]
    driver.set_permissions("grant")
    assert driver.device_setup == [
        "ask: revoke android.permission.READ_PHONE_STATE (dialog on request)",
        "ask: revoke android.permission.INTERNET failed (Permission android.permission.INTERNET "
        "requested by com.example.shop is not a changeable permission type)",
        "grant: grant android.permission.READ_PHONE_STATE",
        "grant: grant android.permission.INTERNET failed (Permission android.permission.INTERNET "
        "requested by com.example.shop is not a changeable permission type)"]


def test_the_jvm_target_records_that_it_has_no_runtime_permissions():
    driver, _ = jvm_driver(FakeFactory())
    driver.set_permissions("grant")
    driver.set_permissions("grant")
    driver.set_permissions("revoke")
    assert driver.limits == ["this target has no runtime permissions: the scenario's "
                             "permission settings were not applied"]


def test_a_spawn_held_while_gating_was_enabled_is_instrumented_once():
    from privascope.runtime.spawn_gate import SpawnGate

    push = Spawn(2001, "com.example.shop:push")

    class RacingDevice(FakeFridaDevice):
        def enable_spawn_gating(self):
            super().enable_spawn_gating()
            self.emit(push)  # reported by the signal and listed as pending too

    fdev = RacingDevice()
    seen = []
    done = threading.Event()
    gate = SpawnGate(fdev, "com.example.shop", lambda pid, ident: (seen.append(pid), done.set()))
    gate.enable()
    assert done.wait(10)
    gate.disable()
    assert seen == [2001]
    assert fdev.resumed == [2001]  # disable lets go of what its session did not resume


def test_is_running_while_a_gated_process_is_being_attached():
    # a spawn-added process holds a reserved slot (no session yet) while its agent loads
    shell = PidofShell("1234")
    driver = android(shell, RecordingFactory())
    driver.launch(fresh=False)
    driver.sessions.append(("s2-", None))
    assert driver.is_running()


def test_a_spawn_reported_for_a_process_already_under_the_agent_gets_no_second_session():
    fdev = FakeFridaDevice()
    factory = RecordingFactory()
    driver = AndroidDriver("com.example.shop", PidofShell("1234"),
                           target_factory=lambda **k: GatedTarget(("t", k, fdev)),
                           factory=factory, click_consent=lambda *a, **k: None)
    driver.launch(fresh=False)  # the main process, pid 1234
    driver._on_gated_spawn(1234, "com.example.shop")
    assert len(factory.started) == 1 and [p for p, _s in driver.sessions] == [""]
    driver.evidence()
