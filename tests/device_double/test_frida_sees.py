"""How far Frida 17 gets with the double today: its own adb client (which always asks the server
on 127.0.0.1:5037) tracks the devices, sees the double as a USB device and reads its
properties through shell:getprop; it then asks for frida-server on tcp:27042, which the double
does not run yet (issue 11: the agent over the double is still to come)."""
from __future__ import annotations

import socket

import pytest

from tests.device_double.adb_server import AdbServer
from tests.device_double.device import Device, load_profile


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is no listener
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def test_frida_sees_the_double_as_an_android_device():
    if not _port_free(5037):
        pytest.skip("a real adb server holds 127.0.0.1:5037, where Frida's adb client looks")
    import frida

    device = Device(load_profile("api34-emulator")).start()
    try:
        server = AdbServer([device], port=5037).start()
    except OSError:
        device.stop()
        pytest.skip("127.0.0.1:5037 was taken meanwhile")
    try:
        fdev = frida.get_device(device.serial, timeout=10)
        assert fdev.type == "usb"
        params = fdev.query_system_parameters()
        assert params["os"]["id"] == "android" and params["api-level"] == 34
        assert params["access"] == "jailed"  # no frida-server on the double (yet)
    finally:
        server.stop()
        device.stop()
