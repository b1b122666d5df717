"""How far Frida 17 gets with the double today: its own adb client (which honours
ANDROID_ADB_SERVER_PORT) tracks the devices (host:track-devices-l), sees the double as a USB
Android device and reads its properties through shell:getprop; it then asks for frida-server on
tcp:27042, which the double does not serve (its frida-server is a stand-in), so the device is
"jailed"."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.device_double.adb_server import AdbServer
from tests.device_double.device import Device, load_profile

# In a child process: Frida's device manager reads the environment once per process.
PROBE = """
import json, sys, frida
dev = frida.get_device(sys.argv[1], timeout=10)
print(json.dumps({"type": dev.type, "params": dev.query_system_parameters()}))
"""


def test_frida_sees_the_double_as_an_android_device():
    device = Device(load_profile("api34-emulator")).start()
    server = AdbServer([device]).start()
    try:
        r = subprocess.run([sys.executable, "-c", PROBE, device.serial], capture_output=True,
                           text=True, timeout=60,
                           env=dict(os.environ, ANDROID_ADB_SERVER_PORT=str(server.port)))
        assert r.returncode == 0, r.stderr[-1000:]
        seen = json.loads(r.stdout)
        assert seen["type"] == "usb"
        params = seen["params"]
        assert params["os"]["id"] == "android" and params["api-level"] == 34
        assert params["access"] == "jailed"  # no Frida protocol behind tcp:27042
    finally:
        server.stop()
        device.stop()
