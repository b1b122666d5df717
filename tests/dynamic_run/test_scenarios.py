"""Scenario data: validation of scenarios.yaml and the runner's order of driver calls."""
from __future__ import annotations

from pathlib import Path

import pytest

from privascope.dynamic_run.scenarios import (ScenarioError, get_scenario, load_scenarios,
                                        run_scenario)


class FakeDriver:
    """Records calls; a dialog is 'visible' after each launch until it is answered."""

    def __init__(self, dialog=True, dies_after=None):
        self.calls = []
        self.running = False
        self.dialog = dialog
        self.dialog_visible = False
        self.alive_checks = 0
        self.dies_after = dies_after

    def is_running(self):
        self.alive_checks += 1
        if self.dies_after is not None and self.alive_checks > self.dies_after:
            self.running = False
        return self.running

    def launch(self, fresh):
        self.calls.append(("launch", fresh))
        self.running = True
        self.dialog_visible = self.dialog

    def answer_consent(self, answer, timeout):
        self.calls.append(("consent", answer))
        found = self.dialog_visible
        self.dialog_visible = False
        return found

    def explore(self, events, throttle_ms, seed):
        self.calls.append(("explore", events, seed))

    def background(self):
        self.calls.append(("background",))

    def foreground(self):
        self.calls.append(("foreground",))

    def stop(self):
        self.calls.append(("stop",))
        self.running = False

    def set_permissions(self, mode):
        self.calls.append(("permissions", mode))


def test_shipped_scenarios_load_and_cover_the_issue():
    scenarios = load_scenarios()
    assert {"launch-idle", "reject", "accept", "background", "full"} <= set(scenarios)
    full = [s.do for s in scenarios["full"].steps]
    # full = reject on a fresh install, then accept, then background
    assert full.index("consent") < full.index("explore") < full.index("background")
    # runtime permissions are decided first (issue 11 item 12): a fresh install asks
    assert scenarios["full"].steps[0].params == {"mode": "ask"}
    assert scenarios["full"].steps[1].params == {"fresh": True}
    assert {s.origin for s in scenarios["full"].steps} == {"reject", "accept", "background"}


def test_full_runs_reject_then_accept_then_background_in_order():
    driver = FakeDriver()
    slept = []
    outcome = run_scenario(get_scenario("full"), driver, duration=2.0, sleep=slept.append)
    assert driver.calls == [
        ("permissions", "ask"),  # a fresh install's state: requests show the dialog
        ("launch", True), ("consent", "reject"),  # fresh install, reject
        ("permissions", "grant"),  # accepting: every request allowed, none left to monkey
        ("consent", "accept"),  # the dialog is gone once rejected ...
        ("stop",), ("launch", False), ("consent", "accept"),  # ... so reopen the app, accept
        ("explore", 200, 42), ("background",), ("foreground",),
    ]
    assert outcome.consent_answered == ["reject", "accept"]
    assert outcome.limits == []
    # observation windows add up to the factors in the data: .25+1 (reject) .25+.5 (accept)
    # .25+1+.25 (background) = 3.5 x duration
    assert sum(slept) == pytest.approx(3.5 * 2.0)


def test_a_dialog_that_never_comes_back_is_a_limit_not_a_failure():
    class OneDialog(FakeDriver):
        def launch(self, fresh):
            super().launch(fresh)
            self.dialog = False  # only the first process shows a dialog

    driver = OneDialog()
    outcome = run_scenario(get_scenario("full"), driver, duration=0)
    assert outcome.consent_answered == ["reject"]
    assert outcome.limits == ["accept: no consent dialog to accept was found"]
    assert driver.calls[-2:] == [("background",), ("foreground",)]


def test_a_dead_app_ends_the_wait_and_is_recorded():
    driver = FakeDriver(dies_after=3)
    slept = []
    outcome = run_scenario(get_scenario("launch-idle"), driver, duration=100, sleep=slept.append)
    assert sum(slept) < 1.0
    assert "the app exited during an observation window" in outcome.limits


def test_consent_relaunches_a_stopped_app():
    driver = FakeDriver()
    run_scenario(get_scenario("accept"), driver, duration=0)
    assert driver.calls[:2] == [("permissions", "grant"), ("launch", False)]
    assert ("consent", "accept") in driver.calls


def test_unknown_scenario_names_the_choices():
    with pytest.raises(ScenarioError, match="choose one of: launch-idle"):
        get_scenario("nope")


@pytest.mark.parametrize("body, message", [
    ("scenarios: [{id: a, steps: [{do: jump}]}]", "'do' must be one of"),
    ("scenarios: [{id: a, steps: [{do: wait, factor: -1}]}]", "must not be negative"),
    ("scenarios: [{id: a, steps: [{do: wait, factor: yes}]}]", "must be a number"),
    ("scenarios: [{id: a, steps: [{do: consent, answer: maybe}]}]", "answer must be one of"),
    ("scenarios: [{id: a, steps: [{do: consent}]}]", "consent needs 'answer'"),
    ("scenarios: [{id: a, steps: [{do: launch, colour: red}]}]", "takes no parameter 'colour'"),
    ("scenarios: [{id: a, steps: [{include: a}]}]", "includes itself"),
    ("scenarios: [{id: a, steps: [{include: b}]}]", "unknown scenario 'b'"),
    ("scenarios: [{id: a, steps: []}]", "non-empty list"),
    ("scenarios: [{id: a, steps: [{do: stop}]}, {id: a, steps: [{do: stop}]}]", "duplicate"),
    ("scenarios: [{id: a, stepz: [{do: stop}]}]", "unknown keys"),
    ("scenarios: [{id: a, permissions: allow, steps: [{do: stop}]}]", "permissions must be one"),
    ("scenarios: [{id: a, steps: [{do: permissions, mode: deny}]}]", "mode must be one of"),
    ("scenarios: [{id: a, steps: [{do: permissions}]}]", "permissions needs 'mode'"),
    ("- just a list", "expected a mapping"),
    ("scenarios: [{: }", "cannot read scenarios"),
])
def test_bad_scenario_files_fail_with_a_clear_message(tmp_path: Path, body, message):
    path = tmp_path / "scenarios.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ScenarioError, match=message):
        load_scenarios(path)
