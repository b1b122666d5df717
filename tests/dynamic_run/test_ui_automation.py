"""Consent-dialog detection and clicking on hand-written uiautomator dumps."""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from privascope.dynamic_run import ui_automation as ui

DUMPS = Path(__file__).parent / "dumps"


def dump(name: str) -> str:
    return (DUMPS / name).read_text(encoding="utf-8")


def test_bounds_parse_and_reject_garbage():
    assert ui.parse_bounds("[90,1500][540,1700]") == (90, 1500, 540, 1700)
    assert ui.parse_bounds("[0,0][1,1") is None
    assert ui.parse_bounds("") is None


def test_chinese_dialog_reject_taps_the_clickable_parent_of_不同意():
    plan = ui.plan_consent_taps(dump("zh_dialog_nested.xml"), "reject")
    assert plan is not None
    assert "隐私政策" in plan.dialog_text
    (tap,) = plan.taps
    # the text node sits inside a clickable FrameLayout [90,1500][540,1700]: tap its centre
    assert (tap.x, tap.y, tap.text, tap.reason) == (315, 1600, "不同意", "button")


def test_chinese_dialog_accept_is_not_confused_by_不同意():
    plan = ui.plan_consent_taps(dump("zh_dialog_nested.xml"), "accept")
    (tap,) = plan.taps
    assert (tap.x, tap.y, tap.text) == (765, 1600, "同意并继续")


def test_english_dialog_ticks_the_box_before_accepting_via_content_desc():
    plan = ui.plan_consent_taps(dump("en_dialog_tickbox.xml"), "accept")
    assert [t.reason for t in plan.taps] == ["tick-box", "button"]
    assert (plan.taps[0].x, plan.taps[0].y) == (70, 560)
    assert "read and agree" in plan.taps[0].text
    assert (plan.taps[1].x, plan.taps[1].y, plan.taps[1].text) == (530, 750, "Agree")


def test_english_dialog_reject_does_not_tick():
    plan = ui.plan_consent_taps(dump("en_dialog_tickbox.xml"), "reject")
    assert [(t.text, t.x, t.y) for t in plan.taps] == [("Decline", 190, 750)]


def test_an_agree_button_without_a_privacy_text_is_not_a_consent_dialog():
    assert ui.plan_consent_taps(dump("no_dialog.xml"), "accept") is None


def test_classify_button_texts():
    assert ui.classify_button("不同意并退出") == ("reject", 3)
    assert ui.classify_button(" 同意 ") == ("accept", 3)
    assert ui.classify_button("I Agree!") == ("accept", 3)
    assert ui.classify_button("暂不同意，仅浏览") == ("reject", 1)
    assert ui.classify_button("Don't agree") == ("reject", 3)
    assert ui.classify_button("首页")[0] is None
    # the policy text itself mentions 同意 but is far too long to be a button
    assert ui.classify_button("点击同意即表示您已阅读并同意我们的用户协议和隐私政策的全部条款")[0] is None


@pytest.mark.parametrize("bad", ["", "<hierarchy>", "<root/>",
                                 '<!DOCTYPE x [<!ENTITY a "b">]><hierarchy/>'])
def test_bad_dumps_raise_ui_error(bad):
    with pytest.raises(ui.UiError):
        ui.parse_hierarchy(bad)


def test_bad_answer_is_a_programming_error():
    with pytest.raises(ValueError):
        ui.plan_consent_taps(dump("no_dialog.xml"), "maybe")


class FakeDevice:
    """Plays a sequence of screens; records the shell commands it was sent."""

    def __init__(self, screens):
        self.screens = list(screens)
        self.commands = []

    def shell(self, args, timeout=30.0):
        self.commands.append(args)
        if args[:2] == ["uiautomator", "dump"]:
            if self.screens[0] is None:
                self.screens.pop(0)
                return "ERROR: could not get idle state."
            return f"UI hierchary dumped to: {args[2]}"
        if args[0] == "cat":
            screen = self.screens[0]
            if len(self.screens) > 1:
                self.screens.pop(0)
            return screen
        return ""


class FakeClock:
    """Monotonic time that moves only when slept on, or by `cost` per device command."""

    def __init__(self):
        self.now = 100.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


class SlowDevice(FakeDevice):
    """Each `uiautomator dump` takes `cost` seconds of the clock (Android 12+ waits up to
    10 s for an idle UI before it gives up); `errors` are printed before screens are."""

    def __init__(self, screens, clock, cost=0.0, errors=()):
        super().__init__(screens)
        self.clock, self.cost, self.errors = clock, cost, list(errors)
        self.timeouts = []

    def shell(self, args, timeout=30.0):
        if args[:2] == ["uiautomator", "dump"]:
            self.clock.now += self.cost
            self.timeouts.append(timeout)
            if self.errors:
                self.commands.append(args)
                return self.errors.pop(0)
        return super().shell(args, timeout)


def test_click_consent_polls_until_the_dialog_appears_then_taps():
    device = FakeDevice([None, dump("no_dialog.xml"), dump("zh_dialog_nested.xml")])
    # the first dump fails (animation): it must be retried, not fatal
    clock = FakeClock()
    plan = ui.click_consent(device, "accept", timeout=10, poll=1, sleep=clock.sleep,
                            clock=clock)
    assert plan is not None
    taps = [c for c in device.commands if c[0] == "input"]
    assert taps == [["input", "tap", "765", "1600"]]


def test_click_consent_gives_up_after_the_timeout():
    device = FakeDevice([dump("no_dialog.xml")])
    clock = FakeClock()
    assert ui.click_consent(device, "reject", timeout=3, poll=1, sleep=clock.sleep,
                            clock=clock) is None
    assert sum(clock.slept) == 3
    assert not [c for c in device.commands if c[0] == "input"]


def test_the_consent_wait_is_measured_on_the_clock_not_counted_in_polls():
    """Each dump that waits for an idle UI costs seconds (Android 12+: up to 10 s); the
    timeout is real time, so a 15 s wait is not 15 polls of 10 s each."""
    clock = FakeClock()
    device = SlowDevice([dump("no_dialog.xml")], clock, cost=10.0)
    start = clock()
    assert ui.click_consent(device, "reject", timeout=15, poll=1, sleep=clock.sleep,
                            clock=clock) is None
    dumps = [c for c in device.commands if c[:2] == ["uiautomator", "dump"]]
    assert len(dumps) == 2  # at 0 s and (after 10 s + 1 s poll) at 11 s; then past 15 s
    assert clock() - start < 15 + 10 + 1


@pytest.mark.parametrize("error", ["ERROR: could not get idle state.",
                                   "ERROR: null root node returned by UiTestAutomationBridge."])
def test_a_dump_that_could_not_read_the_screen_yet_is_retried_after_a_pause(error):
    clock = FakeClock()
    device = SlowDevice([dump("zh_dialog_nested.xml")], clock, errors=[error] * 3)
    nodes = ui.parse_hierarchy(ui.dump_screen(device, sleep=clock.sleep, clock=clock))
    assert nodes
    assert clock.slept == [ui.DUMP_PAUSE] * 3


def test_dump_retries_stop_at_the_budget_on_the_clock():
    clock = FakeClock()
    device = SlowDevice([dump("zh_dialog_nested.xml")], clock, cost=10.0,
                        errors=["ERROR: could not get idle state."] * 50)
    with pytest.raises(ui.UiError, match="could not get idle state"):
        ui.dump_screen(device, budget=25, sleep=clock.sleep, clock=clock)
    assert len(device.timeouts) == 3  # at 0, 10.5 and 21 s; a 4th would start past 25 s
    # each attempt's adb time-out is what is left of the budget, never below 5 s
    assert device.timeouts[0] == ui.DUMP_ATTEMPT_TIMEOUT and device.timeouts[-1] == 5.0


def test_other_dump_errors_fail_at_once():
    clock = FakeClock()
    device = SlowDevice([dump("zh_dialog_nested.xml")], clock,
                        errors=["Killed", "UI hierchary dumped to: x"])
    with pytest.raises(ui.UiError, match="Killed"):
        ui.dump_screen(device, sleep=clock.sleep, clock=clock)
    assert clock.slept == []


def test_a_dump_with_no_answer_in_time_is_retried():
    from privascope.runtime.adb import AdbTimeout

    clock = FakeClock()

    class Hangs(SlowDevice):
        def shell(self, args, timeout=30.0):
            if args[:2] == ["uiautomator", "dump"] and not self.timeouts:
                self.timeouts.append(timeout)
                self.clock.now += timeout
                raise AdbTimeout("no answer")
            return super().shell(args, timeout)

    device = Hangs([dump("zh_dialog_nested.xml")], clock)
    assert ui.parse_hierarchy(ui.dump_screen(device, sleep=clock.sleep, clock=clock))
    assert len(device.timeouts) == 2


@pytest.mark.device
@pytest.mark.skipif(not os.environ.get("ANDROID_SERIAL"), reason="needs ANDROID_SERIAL")
def test_dump_screen_on_a_real_emulator():
    from privascope.runtime.adb import AdbShell

    shell = AdbShell(os.environ["ANDROID_SERIAL"])
    nodes = ui.parse_hierarchy(ui.dump_screen(shell))
    assert nodes and all(n.bounds for n in nodes)


def test_the_ui_clicker_reads_the_shared_consent_vocabulary(catalog):
    """One vocabulary (catalog consent.yaml) for the agent and the UI clicker: a word added
    there reaches both. (Bad vocabulary files: tests/catalog/test_loader_errors.py.)"""
    from privascope.runtime.agent_config import agent_config

    words = ui.load_words()
    agent = agent_config(catalog)["consent"]
    assert {ui.normalise(w) for w in agent["reject_keywords"]} <= set(words.reject_words)
    assert {ui.normalise(w) for w in agent["policy_keywords"]} <= set(words.dialog_markers)
    extra = dataclasses.replace(catalog.consent, reject_words=catalog.consent.reject_words + ("算了",))
    assert ui.classify_button("算了", ui.load_words(extra))[0] == "reject"
    assert ui.classify_button("算了")[0] is None


def test_a_refusal_answered_by_a_second_dialog_is_refused_again():
    device = FakeDevice([dump("zh_dialog_nested.xml"), dump("zh_second_chance.xml"),
                         dump("no_dialog.xml")])
    plan = ui.click_consent(device, "reject", timeout=5, poll=1, sleep=lambda s: None)
    assert plan.taps[0].text == "不同意"
    taps = [c[2:] for c in device.commands if c[0] == "input"]
    assert taps == [["315", "1600"], ["765", "1260"]]  # 不同意, then 仍不同意


def test_accept_does_not_look_for_second_dialogs():
    device = FakeDevice([dump("zh_dialog_nested.xml"), dump("zh_second_chance.xml")])
    ui.click_consent(device, "accept", timeout=5, poll=1, sleep=lambda s: None)
    assert len([c for c in device.commands if c[0] == "input"]) == 1
