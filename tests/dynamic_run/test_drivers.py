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
        self._cond = threading.Condition()

    def wait_until(self, predicate, timeout):
        if self.agent_sees_click and self.target.lines:
            self.consent.append(answer("ce-1", 1.0, self.target.lines[-1]))
        return predicate(self)

    def mark_consent(self, kind, detected_by, text=None):
        self.marked.append((kind, detected_by))
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

    driver = AndroidDriver("com.example.shop", shell, target_factory=lambda: ("t",),
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
    driver = AndroidDriver("com.example.shop", FakeShell(), target_factory=lambda: ("t",),
                           factory=factory, click_consent=lambda sh, ans, timeout: None,
                           ask=lambda q: questions.append(q) or "")
    driver.launch(fresh=False)
    assert driver.answer_consent("reject", 1) is True
    assert "reject it on the device" in questions[0]
    assert factory.started[0][1].marked == [(ConsentKind.REJECT, "key_press")]
    skip = AndroidDriver("com.example.shop", FakeShell(), target_factory=lambda: ("t",),
                         factory=FakeFactory(), click_consent=lambda sh, ans, timeout: None,
                         ask=lambda q: "s")
    skip.launch(fresh=False)
    assert skip.answer_consent("accept", 1) is False
    nobody = AndroidDriver("com.example.shop", FakeShell(), target_factory=lambda: ("t",),
                           factory=FakeFactory(), click_consent=lambda sh, ans, timeout: None)
    nobody.launch(fresh=False)
    assert nobody.answer_consent("accept", 1) is False
