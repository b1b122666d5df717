"""DynamicOptions: run_dynamic's input is one frozen value, checked when built (UserError, exit 2)."""
from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest

from privascope.cli import main
from privascope.dynamic_run import DynamicOptions
from privascope.errors import EXIT_INPUT, UserError

JVM = "jvm:build/classes:com.example.Main"


def test_a_valid_option_set_is_frozen_and_normalised(tmp_path):
    opts = DynamicOptions(target=JVM, out=str(tmp_path), duration=2)
    assert opts.out == tmp_path and opts.scenario == "full" and opts.proxy_port == 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        opts.duration = 5  # type: ignore[misc]
    apk = DynamicOptions(apk="x.apk", serial="emulator-5554", out=tmp_path)
    assert apk.apk == Path("x.apk")


@pytest.mark.parametrize("kwargs, message", [
    ({}, "give either an APK"),
    ({"apk": "x.apk", "target": JVM}, "give either an APK"),
    ({"target": ""}, "give either an APK"),
    ({"target": JVM, "duration": 0}, "--duration"),
    ({"target": JVM, "duration": -3.0}, "--duration"),
    ({"target": JVM, "duration": math.nan}, "--duration"),
    ({"target": JVM, "duration": math.inf}, "--duration"),
    ({"target": JVM, "duration": "20"}, "--duration"),
    ({"target": JVM, "proxy_port": 70000}, "--proxy-port"),
    ({"target": JVM, "proxy_port": -1}, "--proxy-port"),
    ({"target": JVM, "proxy_port": True}, "--proxy-port"),
    ({"target": JVM, "scenario": ""}, "--scenario"),
])
def test_bad_values_are_one_line_user_errors(tmp_path, kwargs, message):
    with pytest.raises(UserError) as err:
        DynamicOptions(out=tmp_path, **kwargs)
    assert message in str(err.value) and err.value.code == EXIT_INPUT
    assert "\n" not in str(err.value)


def test_the_cli_reports_a_bad_value_with_exit_2(capsys, tmp_path):
    code = main(["dynamic", "--target", JVM, "--duration", "0", "-o", str(tmp_path)])
    assert code == EXIT_INPUT
    assert capsys.readouterr().err.strip().endswith(
        "--duration must be a positive number of seconds")
    code = main(["dynamic", "--target", JVM, "--proxy-port", "99999", "-o", str(tmp_path)])
    assert code == EXIT_INPUT and "--proxy-port" in capsys.readouterr().err
