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
        """The command's output; adb's own failures (no answer within `timeout`, the device
        gone mid-run, the server gone) are one MissingError line saying what to do."""
        import adbutils

        try:
            return self._device.shell(args, timeout=timeout)
        except adbutils.AdbTimeout:
            raise AdbTimeout(
                f"adb: `{args[0] if args else 'shell'}` on {self.serial} gave no answer within "
                f"{timeout:.0f} s: check the device answers (`adb -s {self.serial} shell true`) "
                "and restart it if not") from None
        except (adbutils.AdbError, OSError, EOFError) as exc:
            raise self._gone(exc) from None

    def _gone(self, exc: BaseException) -> "MissingError":
        """What a failed adb call means: the device went away, or the adb server did."""
        try:
            state = {d.serial: d.state for d in self._client.list()}.get(self.serial)
        except Exception:  # noqa: BLE001 - the server itself is gone
            return MissingError(f"the adb server went away during the run ({_why(exc)}): "
                                "start it with `adb start-server`, reconnect the device, run again")
        if state == "device":
            return MissingError(f"adb lost its connection to {self.serial} ({_why(exc)}): "
                                "run again; restart the device if it repeats")
        return MissingError(f"device {self.serial} went away during the run "
                            f"({state or 'not listed'}; {_why(exc)}): reconnect it "
                            "(`adb devices`) and run again")

    def reverse(self, remote_port: int, local_port: int) -> None:
        import adbutils

        try:
            self._device.reverse(f"tcp:{remote_port}", f"tcp:{local_port}")
        except adbutils.AdbError as exc:
            if "device" in str(exc).lower() and "not found" in str(exc).lower():
                raise self._gone(exc) from None
            raise MissingError(f"adb reverse tcp:{remote_port} failed on {self.serial} "
                               f"({_why(exc)}): is the port taken on the device? run again "
                               "(another proxy port is chosen)") from None
        except (OSError, EOFError) as exc:
            raise self._gone(exc) from None

    def remove_reverse(self, remote_port: int) -> None:
        # adbutils has no single-rule removal: the adb host service does
        with self._client.make_connection() as c:
            c.send_command(f"host:transport:{self.serial}")
            c.check_okay()
            c.send_command(f"reverse:killforward:tcp:{remote_port}")
            c.check_okay()

    def install(self, apk: Path, timeout: float = 300.0) -> None:
        """Push the APK and `pm install -r -t` it, as `adb install` does without streaming
        (not adbutils' install: it prints to stdout and uninstalls on some failures). A
        failure is an InstallError line with what to do."""
        import adbutils

        remote = f"/data/local/tmp/privascope-{secrets.token_hex(4)}.apk"
        try:
            self._device.sync.push(str(apk), remote)
        except (adbutils.AdbError, OSError, EOFError) as exc:
            raise self._gone(exc) from None
        try:
            out = self.shell(["pm", "install", "-r", "-t", remote], timeout=timeout)
        finally:
            try:
                self.shell(["rm", "-f", remote])
            except MissingError:
                pass  # the install's own error says more
        problem = install_failure(out)
        if problem is not None:
            raise InstallError(install_hint(problem, self, apk))


class AdbTimeout(MissingError):
    """A device command gave no answer in time."""


class InstallError(MissingError):
    """`pm install` refused the APK (exit code 3: the device or its copy of the app is what
    needs changing)."""


def _why(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{exc.__class__.__name__}: {text[0][:100]}" if text else exc.__class__.__name__


# --------------------------------------------------------------------------- install

# `pm install` prints "Success" or "Failure [CODE: message]"; the codes and messages are
# PackageManager.installStatusToString and the checks that raise them (frameworks/base
# PackageManagerShellCommand.doCommitSession/runInstall, android14-release). An "Error: ..."
# line is the shell command's own (unreadable file, bad option).
_FAILURE = re.compile(r"^Failure \[([A-Z_]+)(?::\s*([^\]]*))?\]", re.M)


def install_failure(output: str) -> Optional[tuple[str, str]]:
    """(code, message) of a failed `pm install`, or None when it printed Success."""
    m = _FAILURE.search(output)
    if m:
        return m.group(1), (m.group(2) or "").strip()
    if re.search(r"^Success\s*$", output, re.M):
        return None
    line = next((t.strip() for t in output.splitlines() if t.strip()), "no output")
    return "INSTALL_FAILED", line[:160]


# what the user does about each failure (PackageManager.INSTALL_* constants)
_INSTALL_HINTS = {
    "INSTALL_FAILED_NO_MATCHING_ABIS": "its native libraries are for {apk_abis}, the device "
    "runs {abilist}: use an arm64 device or an image with ARM translation (Android 11+ "
    "x86_64 Google APIs images), or an x86_64 build of the app",
    "INSTALL_FAILED_INSUFFICIENT_STORAGE": "the device's /data is full: free space "
    "(`adb shell df /data`) or wipe the emulator's data",
    "INSTALL_FAILED_UPDATE_INCOMPATIBLE": "a copy signed with another key is installed: "
    "uninstall the installed copy first: adb uninstall {package}",
    "INSTALL_FAILED_VERSION_DOWNGRADE": "a newer version is installed: uninstall it first: "
    "adb uninstall {package}",
    "INSTALL_FAILED_OLDER_SDK": "the app needs a newer Android than the device's API {sdk}: "
    "use a newer image",
    "INSTALL_FAILED_DEPRECATED_SDK_VERSION": "Android 14+ refuses apps targeting API < 23: "
    "install it once by hand with `adb install --bypass-low-target-sdk-block`",
    "INSTALL_PARSE_FAILED_NO_CERTIFICATES": "the APK is not signed: sign it (apksigner) first",
    "INSTALL_FAILED_INVALID_APK": "the APK is damaged or incomplete (split APKs need all parts)",
    "INSTALL_PARSE_FAILED_NOT_APK": "the file is not an APK the device can read",
    "INSTALL_FAILED_MISSING_SPLIT": "the app is split: install its base and split APKs by hand "
    "(`adb install-multiple`), then run again",
    "INSTALL_FAILED_VERIFICATION_FAILURE": "package verification refused it: `adb shell "
    "settings put global verifier_verify_adb_installs 0`, then run again",
    "INSTALL_FAILED_USER_RESTRICTED": "installs over USB are not allowed: enable 'Install via "
    "USB' in the developer options",
}


def install_hint(problem: tuple[str, str], dev: Shell, apk: Optional[Path] = None) -> str:
    """One line: what pm said and what to do."""
    code, message = problem
    said = f"{code}: {message}" if message else code
    template = _INSTALL_HINTS.get(code)
    if template is None:
        return f"cannot install the APK on the device ({said[:200]})"
    fields = {"package": "PACKAGE", "apk_abis": "other ABIs", "abilist": "?", "sdk": "?"}
    if apk is not None:
        fields["apk_abis"] = ", ".join(apk_abis(apk)) or "other ABIs"
        try:
            from privascope.static.apk import read_apk

            fields["package"] = read_apk(str(apk)).package or "PACKAGE"
        except Exception:  # noqa: BLE001 - the hint works without the name
            pass
    if "{abilist}" in template or "{sdk}" in template:
        try:
            fields["abilist"] = dev.shell(["getprop", "ro.product.cpu.abilist"]).strip() or "?"
            fields["sdk"] = dev.shell(["getprop", "ro.build.version.sdk"]).strip() or "?"
        except MissingError:
            pass
    return f"cannot install the APK ({said[:160]}): " + template.format(**fields)


def apk_abis(apk: Path) -> list[str]:
    """The ABIs an APK carries native libraries for (its lib/ABI/*.so entries)."""
    import zipfile

    try:
        with zipfile.ZipFile(apk) as z:
            return sorted({n.split("/")[1] for n in z.namelist()
                           if n.startswith("lib/") and n.endswith(".so") and n.count("/") >= 2})
    except (OSError, zipfile.BadZipFile):
        return []


def reset_compilation(dev: Shell, package: str) -> tuple[bool, str]:
    """Throw away the app's ahead-of-time code so its calls into the framework run through
    ART's interpreter/JIT, where Frida's replacements apply, instead of AOT code that may have
    inlined small framework getters. `cmd package compile -m verify -f PKG`
    (PackageManagerShellCommand.runCompile, android14-release: prints "Success", or
    "Failure: package PKG could not be compiled", or an "Error: ..." line).
    -> (done, what to record)."""
    check_package_name(package)
    out = dev.shell(["cmd", "package", "compile", "-m", "verify", "-f", package], timeout=120)
    if re.search(r"^Success\s*$", out, re.M):
        return True, "compilation reset to verify (`cmd package compile -m verify -f`)"
    line = next((t.strip() for t in out.splitlines() if t.strip()), "no output")
    return False, (f"compilation not reset ({line[:120]}): ahead-of-time code may have "
                   "inlined framework getters past the hooks")


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
