"""The profile data: every profile loads, names a distinct serial and has the properties
privascope reads (SDK level, ABI) and the ones `host:devices-l` shows."""
from __future__ import annotations

import pytest

from tests.device_double.device import DoubleError, load_profile, profile_names

REQUIRED = ("ro.build.version.sdk", "ro.product.cpu.abi", "ro.product.model",
            "ro.product.name", "ro.product.device", "ro.build.type")


def test_the_four_profiles_of_issue_11():
    assert profile_names() == ["api29-emulator", "api34-emulator", "api35-emulator",
                               "magisk-phone"]


@pytest.mark.parametrize("name", profile_names())
def test_profile_is_complete(name):
    p = load_profile(name)
    assert all(p.props.get(k) for k in REQUIRED), name
    assert p.props["ro.build.version.sdk"].isdigit()
    # adb root exists only on debuggable builds (adbd: ro.debuggable=1)
    assert not p.adbd_root or p.props.get("ro.debuggable") == "1"


def test_serials_are_distinct():
    serials = [load_profile(n).serial for n in profile_names()]
    assert len(set(serials)) == len(serials)


def test_unknown_profile_is_refused():
    with pytest.raises(DoubleError, match="unknown profile 'nope'"):
        load_profile("nope")
