"""Fixtures: a device double (one profile) behind an adb server on a free 127.0.0.1 port, and an
adbutils client for it. Every fixture ends its processes in teardown (bounded)."""
from __future__ import annotations

import os
import shutil

import pytest

from tests.device_double.device import Device, load_profile, profile_names

PROFILES = profile_names()


def _usable() -> str | None:
    if os.geteuid() != 0:
        return "the device double needs root (namespaces, chroot)"
    missing = [t for t in ("mksh", "toybox", "unshare", "nsenter") if shutil.which(t) is None]
    return f"missing {', '.join(missing)} (make apt installs them)" if missing else None


@pytest.fixture(scope="module")
def double_factory():
    """start(profile) -> (device, server, adbutils device); all stopped at module end."""
    reason = _usable()
    if reason:
        pytest.fail(reason)  # make test installs them: missing here is a broken set-up
    import adbutils

    from tests.device_double.adb_server import AdbServer

    started = []

    def start(profile: str):
        device = Device(load_profile(profile)).start()
        server = AdbServer([device]).start()
        started.append((device, server))
        client = adbutils.AdbClient(host="127.0.0.1", port=server.port, socket_timeout=20)
        return device, server, client.device(device.serial)

    yield start
    for device, server in started:
        server.stop()
        device.stop()


@pytest.fixture(scope="module", params=PROFILES)
def any_profile(request, double_factory):
    return (request.param, *double_factory(request.param))


@pytest.fixture
def shell_for(double_factory, monkeypatch):
    """profile -> (device, privascope's own AdbShell for it), the adb server found as adb
    finds it (ANDROID_ADB_SERVER_PORT)."""
    from privascope.runtime.adb import AdbShell

    def make(profile: str):
        device, server, _ = double_factory(profile)
        monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", str(server.port))
        return device, AdbShell(device.serial)

    return make
