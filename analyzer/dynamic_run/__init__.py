"""`privascope dynamic`: one run joining the static scan, the Frida agent, the traffic proxy and
a consent scenario into one evidence bundle.

    privascope dynamic APP.apk --serial SERIAL [--scenario full] [--duration 20] -o OUT
    privascope dynamic --target "jvm:CLASSPATH:MAINCLASS [APP ARGS...]" [--scenario reject] -o OUT

Modules: options (DynamicOptions), run (DynamicRun: the order of the steps), drivers (scenario
steps on a JVM or an Android target), scenarios, ui_automation (the consent dialog on a
device), sink (local stand-in for the internet), rescan (late canaries), correlate (read ->
request), live_panel (terminal progress). This package file only wires them together.
"""
from __future__ import annotations

from privascope.dynamic_run.options import DynamicOptions
from privascope.dynamic_run.run import DynamicRun, RunBadInput, RunMissing
from privascope.errors import EXIT_INPUT, EXIT_MISSING, UserError
from privascope.model import Bundle

__all__ = ["DynamicOptions", "DynamicRun", "run_dynamic"]


def run_dynamic(options: DynamicOptions) -> Bundle:
    """The `dynamic` command's run. Raises UserError (code 2 for bad input, 3 for a missing
    device/tool) with one line; returns the bundle without findings."""
    from privascope.dynamic_run.scenarios import ScenarioError, get_scenario

    try:
        scenario = get_scenario(options.scenario)
    except ScenarioError as exc:
        raise UserError(str(exc)) from None
    try:
        return DynamicRun(options, scenario).execute()
    except RunMissing as exc:
        raise UserError(str(exc), code=EXIT_MISSING) from None
    except RunBadInput as exc:
        raise UserError(str(exc), code=EXIT_INPUT) from None
