"""BatchOptions: run_batch's input is one frozen value, checked when built (UserError, exit 2)."""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from privascope.batch import BatchOptions
from privascope.cli import main
from privascope.errors import EXIT_INPUT, UserError


def test_defaults_and_derived_values(tmp_path):
    opts = BatchOptions(inputs=[str(tmp_path)], out=str(tmp_path / "o"), formats=["html"])
    assert opts.inputs == (tmp_path,) and opts.out == tmp_path / "o"
    assert opts.report_formats == ("json", "html")  # json always: --resume reads it
    assert BatchOptions(inputs=(tmp_path,)).report_formats == ("json", "html", "sarif")
    assert opts.workers == (os.cpu_count() or 1)
    assert BatchOptions(inputs=(tmp_path,), jobs=3).workers == 3
    with pytest.raises(dataclasses.FrozenInstanceError):
        opts.jobs = 2  # type: ignore[misc]


@pytest.mark.parametrize("kwargs, message", [
    ({"inputs": ()}, "no inputs"),
    ({"jobs": -1}, "--jobs"),
    ({"jobs": 1.5}, "--jobs"),
    ({"timeout": 0}, "--timeout"),
    ({"timeout": float("nan")}, "--timeout"),
    ({"max_memory": 100}, "--max-memory"),
    ({"max_memory": -5}, "--max-memory"),
    ({"formats": ("pdf",)}, "formats must be among json,html,sarif"),
    ({"formats": ()}, "formats must be among"),
    ({"lang": "fr"}, "--lang"),
    ({"fail_on": "severe"}, "--fail-on"),
])
def test_bad_values_are_one_line_user_errors(tmp_path, kwargs, message):
    kwargs = {"inputs": (tmp_path,), **kwargs}
    with pytest.raises(UserError) as err:
        BatchOptions(**kwargs)
    assert message in str(err.value) and err.value.code == EXIT_INPUT


def test_no_memory_limit_is_allowed(tmp_path):
    assert BatchOptions(inputs=(tmp_path,), max_memory=0).max_memory == 0


def test_the_cli_reports_a_bad_value_with_exit_2_and_writes_nothing(capsys, tmp_path):
    out = tmp_path / "out"
    code = main(["batch", str(tmp_path), "--timeout", "0", "-o", str(out)])
    assert code == EXIT_INPUT
    assert "--timeout must be a positive number" in capsys.readouterr().err
    assert not Path(out).exists()
