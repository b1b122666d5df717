"""Test scenarios as data (scenarios.yaml): loading, validation, and running them on a driver.

A scenario is a flat list of steps once its `include`s are expanded. The runner knows nothing
of Android or the JVM: it calls a `Driver` (privascope.dynamic_run.drivers) for each step, so the same
scenario runs on a device and on the local host app, and the runner is unit-tested with a fake.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional, Protocol

import yaml

SCENARIOS_FILE = Path(__file__).resolve().parent / "scenarios.yaml"

# step name -> {parameter: (type, required)}; anything else in a step is an error
STEP_PARAMS: dict[str, dict[str, tuple[type | tuple[type, ...], bool]]] = {
    "launch": {"fresh": (bool, False)},
    "wait": {"factor": ((int, float), False), "seconds": ((int, float), False)},
    "consent": {"answer": (str, True), "timeout": ((int, float), False)},
    "explore": {"events": (int, True), "throttle_ms": (int, False), "seed": (int, False)},
    "background": {},
    "foreground": {},
    "stop": {},
    "permissions": {"mode": (str, True)},
}
ANSWERS = ("accept", "reject")
# runtime permissions a scenario puts the app in (privascope.runtime.adb.set_runtime_permissions)
PERMISSION_MODES = ("grant", "revoke", "ask")


class ScenarioError(ValueError):
    """A scenario file or name the user must fix (one line)."""


@dataclass(frozen=True)
class Step:
    do: str
    params: dict[str, Any] = field(default_factory=dict)
    origin: str = ""  # scenario the step came from (for progress and the method section)

    def seconds(self, duration: float) -> float:
        if "seconds" in self.params:
            return float(self.params["seconds"])
        return float(self.params.get("factor", 1.0)) * duration


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    description: str
    steps: tuple[Step, ...]


def load_scenarios(path: Path = SCENARIOS_FILE) -> dict[str, Scenario]:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ScenarioError(f"{path}: cannot read scenarios: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("scenarios"), list):
        raise ScenarioError(f"{path}: expected a mapping with a 'scenarios' list")
    raw: dict[str, dict] = {}
    for i, entry in enumerate(doc["scenarios"]):
        where = f"{path.name}: scenarios[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise ScenarioError(f"{where}: each scenario needs a string 'id'")
        extra = set(entry) - {"id", "title", "description", "steps", "permissions"}
        if extra:
            raise ScenarioError(f"{where} {entry['id']!r}: unknown keys {sorted(extra)}")
        if entry["id"] in raw:
            raise ScenarioError(f"{where}: duplicate scenario {entry['id']!r}")
        if not isinstance(entry.get("steps"), list) or not entry["steps"]:
            raise ScenarioError(f"{where} {entry['id']!r}: 'steps' must be a non-empty list")
        if "permissions" in entry and entry["permissions"] not in PERMISSION_MODES:
            raise ScenarioError(f"{where} {entry['id']!r}: permissions must be one of "
                                f"{PERMISSION_MODES}, not {entry['permissions']!r}")
        raw[entry["id"]] = entry
    return {sid: Scenario(id=sid, title=str(e.get("title", sid)),
                          description=str(e.get("description", "")),
                          steps=tuple(_expand(sid, raw, path.name, ())))
            for sid, e in raw.items()}


def _expand(sid: str, raw: dict[str, dict], fname: str, chain: tuple[str, ...]) -> list[Step]:
    if sid in chain:
        raise ScenarioError(f"{fname}: scenario {sid!r} includes itself ({' -> '.join(chain + (sid,))})")
    out: list[Step] = []
    if "permissions" in raw[sid]:
        # decided before the scenario's first step, so no step runs with them left to chance
        out.append(Step(do="permissions", params={"mode": raw[sid]["permissions"]}, origin=sid))
    for j, step in enumerate(raw[sid]["steps"]):
        where = f"{fname}: scenario {sid!r} step {j + 1}"
        if not isinstance(step, dict):
            raise ScenarioError(f"{where}: a step is a mapping like {{do: wait, factor: 1}}")
        if "include" in step:
            target = step["include"]
            if len(step) != 1 or target not in raw:
                raise ScenarioError(f"{where}: include names an unknown scenario {target!r}")
            out.extend(_expand(target, raw, fname, chain + (sid,)))
            continue
        out.append(_validate_step(step, where, sid))
    return out


def _validate_step(step: dict, where: str, origin: str) -> Step:
    do = step.get("do")
    if do not in STEP_PARAMS:
        raise ScenarioError(f"{where}: 'do' must be one of {sorted(STEP_PARAMS)}, not {do!r}")
    spec = STEP_PARAMS[do]
    params = {k: v for k, v in step.items() if k != "do"}
    for key, value in params.items():
        if key not in spec:
            raise ScenarioError(f"{where}: {do} takes no parameter {key!r}")
        tp = spec[key][0]
        if isinstance(value, bool) and tp is not bool:
            raise ScenarioError(f"{where}: {key} must be a number, not {value!r}")
        if not isinstance(value, tp):
            raise ScenarioError(f"{where}: {key} has a bad value {value!r}")
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
            raise ScenarioError(f"{where}: {key} must not be negative")
    for key, (_tp, required) in spec.items():
        if required and key not in params:
            raise ScenarioError(f"{where}: {do} needs {key!r}")
    if do == "consent" and params["answer"] not in ANSWERS:
        raise ScenarioError(f"{where}: answer must be one of {ANSWERS}")
    if do == "permissions" and params["mode"] not in PERMISSION_MODES:
        raise ScenarioError(f"{where}: mode must be one of {PERMISSION_MODES}")
    if do == "wait" and "factor" in params and "seconds" in params:
        raise ScenarioError(f"{where}: wait takes factor or seconds, not both")
    return Step(do=do, params=params, origin=origin)


def get_scenario(name: str, path: Path = SCENARIOS_FILE) -> Scenario:
    scenarios = load_scenarios(path)
    if name not in scenarios:
        raise ScenarioError(f"unknown scenario {name!r}; choose one of: {', '.join(scenarios)}")
    return scenarios[name]


# --------------------------------------------------------------------------- running


class Driver(Protocol):
    """What a scenario needs from a target. Implementations: drivers.JvmDriver,
    drivers.AndroidDriver; tests use a fake that records calls."""

    def is_running(self) -> bool: ...
    def launch(self, fresh: bool) -> None: ...
    def answer_consent(self, answer: str, timeout: float) -> bool: ...
    def explore(self, events: int, throttle_ms: int, seed: int) -> None: ...
    def background(self) -> None: ...
    def foreground(self) -> None: ...
    def stop(self) -> None: ...
    def set_permissions(self, mode: str) -> None: ...


class Observer(Protocol):
    def phase(self, label: str) -> None: ...
    def note(self, message: str) -> None: ...


@dataclass
class ScenarioOutcome:
    steps_run: int = 0
    consent_answered: list[str] = field(default_factory=list)
    limits: list[str] = field(default_factory=list)  # what the run could not do


def run_scenario(scenario: Scenario, driver: Driver, duration: float,
                 observer: Optional[Observer] = None,
                 sleep: Callable[[float], None] = time.sleep) -> ScenarioOutcome:
    """Run every step in order. A step that cannot be done (no dialog found, app gone) is
    recorded as a limit of the run rather than ending it: the evidence so far still counts."""
    outcome = ScenarioOutcome()
    for n, step in enumerate(scenario.steps, 1):
        label = f"{step.origin}: {_describe(step, duration)} ({n}/{len(scenario.steps)})"
        if observer:
            observer.phase(label)
        if step.do == "launch":
            if step.params.get("fresh", False):
                if driver.is_running():
                    driver.stop()
                driver.launch(fresh=True)
            elif not driver.is_running():
                driver.launch(fresh=False)
        elif step.do == "wait":
            _wait(step.seconds(duration), driver, sleep, outcome)
        elif step.do == "consent":
            answer = step.params["answer"]
            if not driver.is_running():
                driver.launch(fresh=False)
            timeout = float(step.params.get("timeout", 15))
            found = driver.answer_consent(answer, timeout)
            if not found and outcome.consent_answered:
                # The dialog was answered earlier and is gone: reopen the app, as a user
                # who changes their mind would, and answer the dialog it shows again.
                if observer:
                    observer.note(f"{step.origin}: restarting the app to answer its dialog again")
                driver.stop()
                driver.launch(fresh=False)
                found = driver.answer_consent(answer, timeout)
            if found:
                outcome.consent_answered.append(answer)
            else:
                msg = f"{step.origin}: no consent dialog to {answer} was found"
                outcome.limits.append(msg)
                if observer:
                    observer.note(msg)
        elif step.do == "explore":
            if driver.is_running():
                driver.explore(step.params["events"], step.params.get("throttle_ms", 300),
                               step.params.get("seed", 42))
        elif step.do == "background":
            driver.background()
        elif step.do == "foreground":
            driver.foreground()
        elif step.do == "stop":
            if driver.is_running():
                driver.stop()
        elif step.do == "permissions":
            driver.set_permissions(step.params["mode"])
        outcome.steps_run = n
    return outcome


def _wait(seconds: float, driver: Driver, sleep: Callable[[float], None],
          outcome: ScenarioOutcome) -> None:
    # Sleep in slices so a crashed app ends the wait early instead of idling for nothing.
    left = seconds
    while left > 0:
        if not driver.is_running():
            outcome.limits.append("the app exited during an observation window")
            return
        piece = min(0.25, left)
        sleep(piece)
        left -= piece


def _describe(step: Step, duration: float) -> str:
    if step.do == "wait":
        return f"observe {step.seconds(duration):.0f}s"
    if step.do == "consent":
        return f"{step.params['answer']} consent"
    if step.do == "launch":
        return "launch (fresh install)" if step.params.get("fresh") else "launch"
    if step.do == "permissions":
        return f"runtime permissions: {step.params['mode']}"
    if step.do == "explore":
        return f"random UI walk ({step.params['events']} events, seed {step.params.get('seed', 42)})"
    return step.do
