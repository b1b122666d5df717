"""`python -m tests.device_double --profile NAME --adb-port PORT [--adbd-port PORT]
[--app PACKAGE=jvm:CP:MAIN]...` prints `ready SERIAL` and serves until SIGTERM (or Ctrl-C),
then ends every device process. With --adbd-port the device also listens as an adbd over TCP,
for a real adb server's `adb connect 127.0.0.1:PORT`."""
from __future__ import annotations

import argparse
import signal
import sys
import threading

from tests.device_double.adb_server import AdbServer
from tests.device_double.device import Device, DoubleError, load_profile, profile_names


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.device_double")
    ap.add_argument("--profile", required=True, help=", ".join(profile_names()))
    ap.add_argument("--adb-port", type=int, required=True)
    ap.add_argument("--adbd-port", type=int, default=None,
                    help="also listen as adbd over TCP (adb connect 127.0.0.1:PORT)")
    ap.add_argument("--app", action="append", default=[], metavar="PACKAGE=jvm:CLASSPATH:MAIN",
                    help="the JVM program run as PACKAGE's process once it is installed and "
                         "launched (am start, monkey)")
    args = ap.parse_args(argv)
    apps = {}
    for spec in args.app:
        package, _, target = spec.partition("=")
        if not package or not target.startswith("jvm:") or ":" not in target[4:]:
            print(f"device_double: --app {spec!r}: expected PACKAGE=jvm:CLASSPATH:MAIN",
                  file=sys.stderr)
            return 2
        classpath, _, main = target[4:].rpartition(":")  # a classpath may hold ':' itself
        apps[package] = (classpath, main)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        device = Device(load_profile(args.profile), apps=apps).start()
    except DoubleError as exc:
        print(f"device_double: {exc}", file=sys.stderr)
        return 3
    try:
        server = AdbServer([device], port=args.adb_port).start()
    except OSError as exc:
        device.stop()
        print(f"device_double: cannot listen on 127.0.0.1:{args.adb_port}: {exc.strerror}",
              file=sys.stderr)
        return 3
    adbd = None
    if args.adbd_port is not None:
        from tests.device_double.adbd import Adbd

        try:
            adbd = Adbd(device, server, port=args.adbd_port).start()
        except OSError as exc:
            server.stop()
            device.stop()
            print(f"device_double: cannot listen on 127.0.0.1:{args.adbd_port}: {exc.strerror}",
                  file=sys.stderr)
            return 3
    print(f"ready {device.serial}", flush=True)
    try:
        stop.wait()
    finally:
        if adbd is not None:
            adbd.stop()
        server.stop()
        device.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
