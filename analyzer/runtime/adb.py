"""What `privascope dynamic` does on an Android device through adb, besides the agent: the
scenario's UI-level steps (fresh install, launch, HOME key, seeded monkey walk), the proxy path
(`adb reverse` so the device reaches the proxy on the host's 127.0.0.1), and the checks that turn
each missing piece into one clear line (exit code 3).

Device settings changed here are recorded in `DeviceSettings` and put back by `restore()`,
which run_dynamic calls in a `finally` (also on Ctrl-C).
"""
from __future__ import annotations

import hashlib
import os
import re
import secrets
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Protocol, Sequence


class MissingError(Exception):
    """A required device, tool or setting is missing: one line, exit code 3."""


class Shell(Protocol):
    def shell(self, args: list[str], timeout: float = 30.0) -> str: ...


def adb_server_port() -> int:
    """The adb server's port, found as the adb client finds it (packages/modules/adb):
    ANDROID_ADB_SERVER_PORT, else DEFAULT_ADB_PORT 5037."""
    value = os.environ.get("ANDROID_ADB_SERVER_PORT", "").strip()
    if not value:
        return 5037
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise MissingError(f"ANDROID_ADB_SERVER_PORT={value!r} is not a port number")
    return int(value)


class AdbShell:
    """A device over adb (adbutils: talks to the local adb server on 127.0.0.1, port 5037 or
    ANDROID_ADB_SERVER_PORT)."""

    def __init__(self, serial: str):
        import adbutils

        self.serial = serial
        port = adb_server_port()
        if not _port_open("127.0.0.1", port):
            # adbutils would spawn a server daemon behind our back; ask for it instead
            raise MissingError(f"no adb server on 127.0.0.1:{port}: start it with `adb start-server`")
        try:
            client = adbutils.AdbClient(host="127.0.0.1", port=port)
            states = {d.serial: d.state for d in client.list()}
        except Exception as exc:  # adb server down and not startable, socket errors
            raise MissingError(f"no adb server on 127.0.0.1:{port} ({exc.__class__.__name__}); "
                               "start it with `adb start-server`") from None
        if serial not in states:
            seen = ", ".join(f"{s} ({st})" for s, st in states.items()) or "none"
            raise MissingError(f"no device: {serial} is not connected (adb sees: {seen})")
        if states[serial] != "device":
            raise MissingError(f"device {serial} is {states[serial]}: unlock it and accept "
                               "the USB debugging prompt")
        self._client = client
        self._device = client.device(serial)

    def shell(self, args: list[str], timeout: float = 30.0) -> str:
        return self._device.shell(args, timeout=timeout)

    def reverse(self, remote_port: int, local_port: int) -> None:
        self._device.reverse(f"tcp:{remote_port}", f"tcp:{local_port}")

    def remove_reverse(self, remote_port: int) -> None:
        # adbutils has no single-rule removal: the adb host service does
        with self._client.make_connection() as c:
            c.send_command(f"host:transport:{self.serial}")
            c.check_okay()
            c.send_command(f"reverse:killforward:tcp:{remote_port}")
            c.check_okay()

    def install(self, apk: Path) -> None:
        self._device.install(str(apk), nolaunch=True, uninstall=False)


def _port_open(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


# --------------------------------------------------------------------------- scenario steps


def clear_data(dev: Shell, package: str) -> None:
    """A fresh install as far as the app can tell: no stored consent, no cached IDs."""
    out = dev.shell(["pm", "clear", package])
    if "success" not in out.lower():
        raise MissingError(f"cannot clear {package}: {out.strip()[:120] or 'not installed?'}")


def force_stop(dev: Shell, package: str) -> None:
    dev.shell(["am", "force-stop", package])


def press_home(dev: Shell) -> None:
    dev.shell(["input", "keyevent", "KEYCODE_HOME"])


def bring_to_front(dev: Shell, package: str) -> None:
    # one LAUNCHER intent: resumes the task rather than starting a second activity
    dev.shell(["monkey", "-p", package, "-c", "android.intent.category.LAUNCHER", "1"])


def pidof(dev: Shell, package: str) -> set[int]:
    """The pids of processes named `package` (toybox pidof: prints them space-separated, or
    nothing with exit status 1 when there is none). `:proc` processes have other names."""
    out = dev.shell(["pidof", package])
    return {int(w) for w in out.split() if w.isdigit()}


# --------------------------------------------------------------------------- runtime permissions

PERMISSION_MODES = ("grant", "revoke", "ask")


def set_runtime_permissions(dev: Shell, package: str, permissions: Sequence[str],
                            mode: str) -> list[str]:
    """Put the app's runtime permissions in the scenario's state, one line per permission
    saying what was done (for method.device_setup):
      grant   granted, as if the user allowed every request (no dialog left to a UI walk);
      revoke  revoked and flagged user-fixed: requests are denied without a dialog, as after
              "Don't allow" twice;
      ask     revoked with the user flags cleared: the state of a fresh install, where the
              app's request shows the system dialog (the agent records request and result).
    frameworks/base/.../pm/PackageManagerShellCommand.java (android14-release): grant/revoke
    take only runtime permissions the manifest requests and print "Exception occurred while
    executing 'grant':" plus the exception otherwise; set-/clear-permission-flags take the
    flags user-set and user-fixed."""
    if mode not in PERMISSION_MODES:
        raise ValueError(f"permission mode must be one of {PERMISSION_MODES}, not {mode!r}")
    check_package_name(package)
    done = []
    for perm in permissions:
        if not _PERMISSION.match(perm):
            done.append(f"{mode}: {perm!r} skipped (not a permission name)")
            continue
        verb = "grant" if mode == "grant" else "revoke"
        error = _pm_error(dev.shell(["pm", verb, package, perm]))
        if error:
            done.append(f"{mode}: {verb} {perm} failed ({error})")
            continue
        line = f"{mode}: {verb} {perm}"
        if mode != "grant":
            flags_verb = "set-permission-flags" if mode == "revoke" else "clear-permission-flags"
            flags_error = _pm_error(dev.shell(["pm", flags_verb, package, perm, "user-set",
                                               "user-fixed"]))
            if flags_error:
                line += f" ({flags_verb} failed: {flags_error})"
            else:
                line += " (user-fixed)" if mode == "revoke" else " (dialog on request)"
        done.append(line)
    return done


_PERMISSION = re.compile(r"^[A-Za-z][\w]*(\.[A-Za-z0-9_]+)+$")


def _pm_error(out: str) -> Optional[str]:
    """The error a pm shell command printed (its exception's message line), or None. adb's
    v1 shell gives no exit status: the text is what there is."""
    lines = [line.strip() for line in out.splitlines() if line.strip()]
    for line in lines:
        if "Exception:" in line and not line.startswith("Exception occurred"):
            return line.split("Exception:", 1)[1].strip()[:160] or line[:160]
    for line in lines:
        if line.startswith(("Error", "Unknown command", "Exception occurred", "Failure")):
            return line[:160]
    return None


def monkey_command(package: str, events: int, throttle_ms: int, seed: int) -> list[str]:
    """A bounded, reproducible random UI walk confined to the app. System keys are left out
    so the walk cannot leave the app or toggle the device's settings."""
    return ["monkey", "-p", package, "-s", str(seed), "--throttle", str(throttle_ms),
            "--pct-syskeys", "0", "--pct-appswitch", "0", "--ignore-crashes",
            "--ignore-timeouts", "--ignore-security-exceptions", "-v", str(events)]


def explore(dev: Shell, package: str, events: int, throttle_ms: int, seed: int) -> str:
    budget = 60.0 + events * throttle_ms / 1000.0 * 2
    return dev.shell(monkey_command(package, events, throttle_ms, seed), timeout=budget)


def monkey_problem(output: str) -> Optional[str]:
    """What went wrong with a monkey walk, from its -v output; None when it completed."""
    if "Monkey aborted" in output or "** No activities found to run" in output:
        line = next((text.strip() for text in output.splitlines()
                     if "aborted" in text or "No activities" in text), "")
        return f"the random UI walk stopped early ({line[:100]})"
    if "Events injected:" not in output:
        return "the random UI walk did not report its events (monkey missing or killed?)"
    return None


# --------------------------------------------------------------------------- proxy + CA


@dataclass
class DeviceSettings:
    """Device state privascope changed, so it can be put back exactly."""

    http_proxy_before: Optional[str] = None  # value of `settings get global http_proxy`
    proxy_set: bool = False
    reversed_ports: list[int] = field(default_factory=list)


def _setting(value: str) -> Optional[str]:
    value = value.strip()
    return None if value in ("", "null", ":0") else value


def set_proxy(dev: Shell, settings: DeviceSettings, host: str, port: int) -> None:
    settings.http_proxy_before = _setting(dev.shell(["settings", "get", "global", "http_proxy"]))
    dev.shell(["settings", "put", "global", "http_proxy", f"{host}:{port}"])
    settings.proxy_set = True


def restore(dev: Shell, settings: DeviceSettings) -> list[str]:
    """Undo everything recorded in `settings`; returns what could not be undone (each step is
    tried even when an earlier one failed)."""
    problems = []
    if settings.proxy_set:
        try:
            if settings.http_proxy_before:
                dev.shell(["settings", "put", "global", "http_proxy", settings.http_proxy_before])
            else:
                # `settings delete` alone leaves some builds proxying to a dead ":0"
                dev.shell(["settings", "put", "global", "http_proxy", ":0"])
                dev.shell(["settings", "delete", "global", "http_proxy"])
            settings.proxy_set = False
        except Exception as exc:  # noqa: BLE001 - keep restoring the rest
            problems.append(f"http_proxy not restored ({exc.__class__.__name__}); run "
                            "`adb shell settings put global http_proxy :0`")
    for port in list(settings.reversed_ports):
        try:
            dev.remove_reverse(port)  # type: ignore[attr-defined]
            settings.reversed_ports.remove(port)
        except Exception as exc:  # noqa: BLE001
            problems.append(f"adb reverse tcp:{port} not removed ({exc.__class__.__name__})")
    return problems


# RFC 2606 reserves .invalid: the probe's host never resolves and never leaves the machine
PROXY_PROBE_HOST = "proxy-probe.privascope.invalid"


def proxy_reachable(dev: Shell, port: int, seen: Optional[Callable[[str], bool]] = None,
                    seen_wait: float = 3.0) -> Optional[bool]:
    """Does a request from the device reach the proxy behind its 127.0.0.1:port (the reversed
    port)? One real HTTP request goes through it with toybox netcat: Android 10-14 shells have
    `nc` but neither curl nor wget (toybox .config-device: CONFIG_WGET is not set), and toybox
    before 0.8.11 has no `nc -z`. True when an HTTP answer comes back and, given `seen`, the
    proxy side reports the request's token within `seen_wait` s. None when the device has no
    nc to tell."""
    token = secrets.token_hex(8)
    return _proxy_answered(dev.shell(["sh", "-c", proxy_probe_script(port, token)], timeout=40),
                           token, seen, seen_wait)


def proxy_probe_script(port: int, token: str) -> str:
    """The device-side probe. nc's stdin stays open until the answer has arrived or nc has
    ended (at most 10 s): toybox netcat half-closes the socket at stdin EOF (lib/net.c
    pollinate), which adb turns into closing the whole reversed connection, so the proxy would
    drop the request."""
    request = (f"GET http://{PROXY_PROBE_HOST}/{token} HTTP/1.1\\r\\nHost: {PROXY_PROBE_HOST}"
               "\\r\\nConnection: close\\r\\n\\r\\n")
    out = f"${{TMPDIR:-/data/local/tmp}}/.privascope-probe-{token}"
    return ("command -v nc >/dev/null || { echo NO_NC; exit 0; }; "
            f"{{ printf '{request}'; i=0; while [ $i -lt 50 ] && [ ! -e {out}.end ] && "
            f"! grep -q '^HTTP/1' {out} 2>/dev/null; do sleep 0.2; i=$((i+1)); done; }} | "
            f"{{ nc -w 5 127.0.0.1 {int(port)} > {out}; : > {out}.end; }}; "
            f"cat {out}; rm -f {out} {out}.end")


def _proxy_answered(out: str, token: str, seen: Optional[Callable[[str], bool]],
                    seen_wait: float) -> Optional[bool]:
    if "NO_NC" in out:
        return None
    if not re.search(r"^HTTP/1\.[01] \d{3}", out, re.M):
        return False
    if seen is None:
        return True
    deadline = time.monotonic() + seen_wait
    while not seen(token):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def subject_hash_old(cert_pem: bytes) -> str:
    """The file name Android gives a CA in its trust stores (`<hash>.0`): OpenSSL's
    subject_hash_old, the first four bytes of MD5 over the DER subject, little-endian."""
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(cert_pem)
    digest = hashlib.md5(cert.subject.public_bytes()).digest()  # noqa: S324 - a file name
    return f"{int.from_bytes(digest[:4], 'little'):08x}"


SYSTEM_CA_DIRS = ("/apex/com.android.conscrypt/cacerts", "/system/etc/security/cacerts")
USER_CA_DIR = "/data/misc/user/0/cacerts-added"


def ca_trust(dev: Shell, cert_pem: bytes) -> str:
    """"system" | "user" | "none": where the device trusts the proxy's CA. Apps targeting
    Android 7+ trust only system CAs unless their network security config says otherwise."""
    name = subject_hash_old(cert_pem) + ".0"
    paths = " ".join(f"{d}/{name}" for d in SYSTEM_CA_DIRS)
    out = dev.shell(["sh", "-c", f"for f in {paths}; do [ -e $f ] && echo SYSTEM; done; "
                                 f"[ -e {USER_CA_DIR}/{name} ] && echo USER; true"])
    if "SYSTEM" in out:
        return "system"
    return "user" if "USER" in out else "none"


_PKG = re.compile(r"^[A-Za-z][\w]*(\.[A-Za-z][\w]*)+$")


def check_package_name(package: str) -> str:
    """Package names reach `sh -c` and adb commands: accept only real package names."""
    if not _PKG.match(package or ""):
        raise ValueError(f"not an Android package name: {package!r}")
    return package
