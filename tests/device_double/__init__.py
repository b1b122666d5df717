"""The Android device double (issue 11): a fake Android device that speaks the real adb host
protocol on 127.0.0.1 to the real adbutils client, with a real userland.

- `adb_server`: the adb *server* side of the smart-socket protocol (what adbutils talks to).
- `device`: one device: a private root (/system/bin with Debian's mksh as `sh` and toybox applet
  links as Android ships them), its own mount, PID, UTS and network namespaces (so the device
  reaches the host only through `adb reverse`, as a real one does), sync file access, reverse
  listeners.
- `system_server`: the framework side of `pm`, `am`, `settings`, `getprop`, `input`, ... The
  commands on the device are thin clients (userland/binder-client) like the real ones, which
  are binder clients of system_server.
- `profiles/*.yaml`: api29-emulator, api34-emulator, api35-emulator, magisk-phone.

Run: `python -m tests.device_double --profile api34-emulator --adb-port 5137` prints
`ready SERIAL` and serves until SIGTERM. Needs root (or unprivileged user namespaces), util-linux
`unshare`/`nsenter`, and Debian's `mksh` and `toybox` (Makefile APT_NEEDS).
"""
