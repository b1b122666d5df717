"""AndroidTarget: an app on a device or emulator over adb, with frida-server on the device.

Steps on launch (each failure is one clear line; MissingError -> CLI exit code 3):
  device present and authorised -> frida-server present, right ABI and version, running (started
  with root when it is not) -> APK installed (when given) -> global HTTP proxy set (when given)
  -> proxy CA installed where the device allows -> app spawned suspended (or attached when
  spawn=False) -> released after the agent has hooked.
The Frida device for the serial is frida.get_device(serial) (frida-server reached over adb),
unless `PRIVASCOPE_FRIDA_DEVICE=module:callable` names a factory called with the serial that
returns another (test rigs such as tests/device_double/frida_device.py, device farms).
`stop()` undoes every change it recorded: kills the app, restores the proxy setting, unmounts
the CA overlay, stops the frida-server it started.

The adb side reuses privascope.runtime.adb (AdbShell, proxy set/restore, CA trust check) so the
device is driven one way only. Every device command goes through `dev.shell(list)`, which keeps
this module testable with a fake device.
"""
from __future__ import annotations

import base64
import contextlib
import importlib
import logging
import os
import re
import shlex
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Optional

from privascope.runtime.targets import Target, TargetError, TargetUnavailable

if TYPE_CHECKING:
    from privascope.runtime.adb import DeviceSettings

log = logging.getLogger("privascope.runtime.android")

FRIDA_SERVER = "/data/local/tmp/frida-server"
SYSTEM_CACERTS = "/system/etc/security/cacerts"
APEX_CACERTS = "/apex/com.android.conscrypt/cacerts"  # Android 14+: the store apps really read
CA_STAGING = "/data/local/tmp/privascope-cacerts"
USER_CA_FILE = "/sdcard/Download/privascope-ca.crt"
# How root commands run, in probe order (issue 11 item 1). AOSP su (system/extras/su/su.cpp,
# android14-release) is `su [WHO [COMMAND...]]`: `su -c CMD` reads "-c" as WHO and fails.
# MagiskSU (topjohnwu/Magisk native/src/core/su/su.cpp) takes `-c CMD` and ignores arguments
# after the user, so `su 0 sh -c CMD` opens a shell reading stdin: probes get /dev/null.
ROOT_FORMS: tuple[tuple[str, ...], ...] = (("su", "0", "sh", "-c"), ("su", "-c"),
                                           ("su", "root", "sh", "-c"))
_UNPROBED = object()
ABI_TO_FRIDA_ARCH = {"arm64-v8a": "arm64", "armeabi-v7a": "arm", "armeabi": "arm",
                     "x86_64": "x86_64", "x86": "x86"}


@dataclass
class AndroidChanges:
    """What this target changed on the device, so stop() can put it back."""

    started_frida_server: bool = False
    ca_mounted: bool = False
    ca_apex_bound: bool = False
    pid: Optional[int] = None
    notes: list[str] = field(default_factory=list)


def frida_arch(abi: str) -> str:
    arch = ABI_TO_FRIDA_ARCH.get(abi.strip())
    if arch is None:
        raise TargetUnavailable(f"unsupported device ABI {abi.strip()!r}")
    return arch


def server_download_hint(version: str, arch: str) -> str:
    return (f"get frida-server-{version}-android-{arch}.xz from "
            f"https://github.com/frida/frida/releases/tag/{version}, unxz it, then "
            f"`adb push frida-server-{version}-android-{arch} {FRIDA_SERVER}` and "
            f"`adb shell chmod 755 {FRIDA_SERVER}`")


def system_ca_script(cert_name: str, sdk: int) -> str:
    """Root shell script: a tmpfs over /system/etc/security/cacerts holding the trusted CAs
    plus ours (the read-only /system stays untouched; a reboot undoes it). From Android 14
    (API 34) apps trust /apex/com.android.conscrypt/cacerts instead, whose contents Conscrypt
    updates may have changed, so the tmpfs is filled from the APEX directory and bind-mounted
    over it: in this shell's mount namespace, in zygote's (apps it spawns inherit it) and in
    each running app's. As HTTP Toolkit does (httptoolkit-server src/interceptors/android/
    adb-commands.ts injectSystemCertificate, read at f34c78b9): copy, tmpfs, owner root,
    mode 644, SELinux label system_file on the directory and its files."""
    source = APEX_CACERTS if sdk >= 34 else SYSTEM_CACERTS
    lines = [
        "set -e",
        f"rm -rf {CA_STAGING}",
        f"mkdir -p {CA_STAGING}",
        f"chmod 700 {CA_STAGING}",
        f"cp {source}/* {CA_STAGING}/",
        f"cp /data/local/tmp/{cert_name} {CA_STAGING}/{cert_name}",
        f"mount -t tmpfs tmpfs {SYSTEM_CACERTS}",
        f"cp {CA_STAGING}/* {SYSTEM_CACERTS}/",
        f"chown root:root {SYSTEM_CACERTS} {SYSTEM_CACERTS}/*",
        f"chmod 755 {SYSTEM_CACERTS}",
        f"chmod 644 {SYSTEM_CACERTS}/*",
        f"chcon u:object_r:system_file:s0 {SYSTEM_CACERTS}",
        f"chcon u:object_r:system_file:s0 {SYSTEM_CACERTS}/*",
    ]
    if sdk >= 34:
        bind = f"mount --bind {SYSTEM_CACERTS} {APEX_CACERTS}"
        lines += [
            bind,
            # zygote(s) and the apps they forked: toybox ps -P lists children of the pids
            "Z=$(pidof zygote zygote64 || true)",
            f"for z in $Z; do nsenter --mount=/proc/$z/ns/mnt -- {bind}; done",
            # an app may end meanwhile: its namespace is then gone, not an error
            "for p in $( [ -n \"$Z\" ] && ps -o PID -P $(echo $Z | tr ' ' ,) | grep -v PID ); "
            f"do nsenter --mount=/proc/$p/ns/mnt -- {bind} || true; done",
        ]
    lines.append("echo PRIVASCOPE_CA_OK")
    return "\n".join(lines)


def system_ca_restore_script(apex: bool) -> str:
    """Undo system_ca_script: the APEX binds (every namespace given one, apps started since
    inherited zygote's), then the tmpfs. Each step is tried; the marker says all worked."""
    lines = ["ok=1"]
    if apex:
        lines += ["Z=$(pidof zygote zygote64 || true)",
                  "for p in $Z $( [ -n \"$Z\" ] && ps -o PID -P $(echo $Z | tr ' ' ,) | grep -v PID ); do "
                  f"nsenter --mount=/proc/$p/ns/mnt -- umount {APEX_CACERTS} 2>/dev/null; done",
                  f"umount {APEX_CACERTS} || ok=0"]
    lines += [f"umount {SYSTEM_CACERTS} || ok=0", f"rm -rf {CA_STAGING}",
              '[ $ok = 1 ] && echo PRIVASCOPE_CA_RESTORED']
    return "\n".join(lines)


class AndroidTarget(Target):
    def __init__(self, serial: str, package: str, apk: Optional[Path] = None, *,
                 proxy: Optional[tuple[str, int]] = None, ca_pem: Optional[bytes] = None,
                 spawn: bool = True, dev: Any = None,
                 frida_device_factory: Optional[Callable[[str], Any]] = None,
                 frida_version: Optional[str] = None, pid: Optional[int] = None):
        from privascope.runtime.adb import check_package_name

        try:
            self.package = check_package_name(package)
        except ValueError as exc:
            raise TargetError(str(exc)) from None
        self.serial = serial
        self.apk = Path(apk) if apk else None
        self.proxy = proxy
        self.ca_pem = ca_pem
        self.spawn = spawn
        self.release_before_ready = spawn  # Java.perform completes once the app runs
        # a process that already exists: held by spawn gating (spawn=True: resumed by
        # release) or running (spawn=False: attached to as it is)
        self._given_pid = pid
        self._dev = dev
        self._frida_device_factory = frida_device_factory
        self._frida_version = frida_version
        self._fdev = None
        self.changes = AndroidChanges()
        self._settings: Optional[DeviceSettings] = None  # once the proxy is set
        self._root_form: Any = _UNPROBED
        self._stopped = False

    @property
    def name(self) -> str:
        return f"android:{self.serial}/{self.package}"

    # ------------------------------------------------------------------ device

    @property
    def dev(self):
        if self._dev is None:
            from privascope.runtime.adb import AdbShell, MissingError

            try:
                self._dev = AdbShell(self.serial)
            except MissingError as exc:
                raise TargetUnavailable(str(exc)) from None
        return self._dev

    def _sh(self, *args: str, timeout: float = 30.0) -> str:
        return self.dev.shell(list(args), timeout=timeout)

    def _root_sh(self, script: str, timeout: float = 60.0) -> str:
        form = self.root_form()
        if form is None:
            raise TargetUnavailable(f"no root on {self.serial}: use an emulator image with "
                                    "`adb root`, or a rooted phone")
        return self.dev.shell([*form, script] if form else ["sh", "-c", script], timeout=timeout)

    def has_root(self) -> bool:
        return self.root_form() is not None

    def root_form(self) -> Optional[tuple[str, ...]]:
        """How this device runs a command as root: () when the shell already has uid 0 (`adb
        root`), else the first of ROOT_FORMS whose probe printed uid 0; None without root.
        The probe runs `id` through the very form root commands then use (probed once)."""
        if self._root_form is _UNPROBED:
            self._root_form = self._probe_root()
            log.info("root on %s: %s", self.serial, "none" if self._root_form is None
                     else " ".join(self._root_form) or "adb shell is root")
        return self._root_form

    def _probe_root(self) -> Optional[tuple[str, ...]]:
        if _is_uid0(self._sh("id")):
            return ()
        for form in ROOT_FORMS:
            try:
                out = self._sh("sh", "-c", shlex.join([*form, "id"]) + " </dev/null", timeout=15)
            except Exception as exc:  # noqa: BLE001 - a su that hangs or dies is not the form
                log.debug("root probe %s: %s", form, exc)
                continue
            if _is_uid0(out):
                return form
        return None

    def sdk_level(self) -> int:
        try:
            return int(self._sh("getprop", "ro.build.version.sdk").strip())
        except ValueError:
            return 0

    # ------------------------------------------------------------------ frida-server

    def ensure_frida_server(self) -> None:
        version = self._frida_version or _frida_version()
        arch = frida_arch(self._sh("getprop", "ro.product.cpu.abi"))
        listing = self._sh("ls", "-l", FRIDA_SERVER)
        if "No such file" in listing or not listing.strip():
            raise TargetUnavailable(f"frida-server not found on {self.serial}: "
                                    + server_download_hint(version, arch))
        reported = self._sh(FRIDA_SERVER, "--version").strip()
        if reported != version:
            raise TargetUnavailable(
                f"frida-server on {self.serial} is {reported or 'unrunnable'}, the Frida client "
                f"here is {version} (they must match): " + server_download_hint(version, arch))
        if self._sh("pidof", "frida-server").strip():
            return
        if not self.has_root():
            raise TargetUnavailable(f"frida-server is not running on {self.serial} and the device "
                                    "has no root to start it: use a rooted/emulator image")
        self._root_sh(f"{FRIDA_SERVER} -D")
        for _ in range(20):
            if self._sh("pidof", "frida-server").strip():
                self.changes.started_frida_server = True
                return
            time.sleep(0.25)
        raise TargetUnavailable(f"frida-server did not start on {self.serial}")

    # ------------------------------------------------------------------ proxy + CA

    def set_proxy(self) -> None:
        if self.proxy is None:
            return
        from privascope.runtime.adb import DeviceSettings, set_proxy

        self._settings = DeviceSettings()
        set_proxy(self.dev, self._settings, self.proxy[0], int(self.proxy[1]))

    def install_ca(self) -> str:
        """-> "system" | "user" | "already" | "none": where the proxy CA ended up."""
        if self.ca_pem is None:
            return "none"
        from privascope.runtime.adb import ca_trust, subject_hash_old

        if ca_trust(self.dev, self.ca_pem) == "system":
            return "already"
        name = subject_hash_old(self.ca_pem) + ".0"
        encoded = base64.b64encode(self.ca_pem).decode("ascii")
        # No adb push needed: the PEM travels through the shell as base64.
        self._sh("sh", "-c", f"echo {encoded} | base64 -d > /data/local/tmp/{name}")
        if self.has_root():
            sdk = self.sdk_level()
            out = self._root_sh(system_ca_script(name, sdk))
            if "PRIVASCOPE_CA_OK" in out:
                self.changes.ca_mounted = True
                self.changes.ca_apex_bound = sdk >= 34
                return "system"
            self.changes.notes.append("system CA store overlay failed: " + out.strip()[-200:])
        self._sh("sh", "-c", f"cp /data/local/tmp/{name} {USER_CA_FILE}")
        note = (f"proxy CA copied to {USER_CA_FILE}: install it by hand (Settings > Security > "
                "Encryption & credentials > Install a certificate > CA certificate). Apps "
                "targeting Android 7+ ignore user CAs unless their network security config "
                "trusts them, so HTTPS of most apps stays opaque without root.")
        self.changes.notes.append(note)
        log.warning(note)
        return "user"

    # ------------------------------------------------------------------ Target

    def frida_device(self):
        """The Frida device for the serial: the constructor's factory, else the one
        PRIVASCOPE_FRIDA_DEVICE names (see frida_device_from_env), else frida.get_device."""
        if self._fdev is None:
            factory = self._frida_device_factory or frida_device_from_env()
            if factory is not None:
                self._fdev = factory(self.serial)
            else:
                import frida

                try:
                    self._fdev = frida.get_device(self.serial, timeout=5)
                except (frida.InvalidArgumentError, frida.TimedOutError) as exc:
                    raise TargetUnavailable(f"Frida cannot see device {self.serial}: {exc}") from None
        return self._fdev

    def launch(self) -> int:
        from privascope.runtime.adb import MissingError

        try:  # adb's one-line errors (install refused, time-out, device gone): exit 3
            self._prepare()
        except MissingError as exc:
            raise TargetUnavailable(str(exc)) from None
        fdev = self.frida_device()
        with _frida_errors_as_unavailable(f"start {self.package} on {self.serial}"):
            if self._given_pid is not None:
                pid = self._given_pid
            else:
                pid = fdev.spawn([self.package]) if self.spawn else self._running_pid(fdev)
        self.changes.pid = pid
        return pid

    def _prepare(self) -> None:
        self.ensure_frida_server()
        if self.apk is not None:
            if not self.apk.is_file():
                raise TargetError(f"{self.apk}: no such APK")
            self.dev.install(self.apk)
            self.reset_compilation()
        self.set_proxy()
        if self.ca_pem is not None:  # per-process targets of a run: the run installed it
            log.info("proxy CA: %s", self.install_ca())

    def reset_compilation(self) -> bool:
        """After an install: no AOT code that inlined hooked framework getters (see
        adb.reset_compilation); what happened goes to changes.notes either way."""
        from privascope.runtime.adb import reset_compilation

        done, line = reset_compilation(self.dev, self.package or "")
        self.changes.notes.append(line)
        if not done:
            log.warning("%s", line)
        return done

    def _running_pid(self, fdev) -> int:
        for app in fdev.enumerate_applications():
            if app.identifier == self.package and app.pid:
                return app.pid
        raise TargetError(f"{self.package} is not running on {self.serial} (start it, or spawn)")

    def release(self) -> None:
        if self.spawn and self.changes.pid is not None:
            with _frida_errors_as_unavailable(f"resume {self.package} on {self.serial}"):
                self.frida_device().resume(self.changes.pid)

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        problems: list[str] = []
        if self.changes.pid is not None:
            try:
                self.frida_device().kill(self.changes.pid)
            except Exception as exc:  # the app may be gone already
                log.debug("kill %s: %s", self.changes.pid, exc)
        if self._settings is not None:
            from privascope.runtime.adb import restore

            problems += restore(self.dev, self._settings)
        # each step is tried even when the device went away meanwhile (adb errors are lines)
        if self.changes.ca_mounted:
            try:
                out = self._root_sh(system_ca_restore_script(self.changes.ca_apex_bound))
            except Exception as exc:  # noqa: BLE001 - MissingError, TargetUnavailable
                out = str(exc)
            if "PRIVASCOPE_CA_RESTORED" in out:
                self.changes.ca_mounted = False
            else:
                problems.append("CA overlay not unmounted: reboot the device to remove it")
        if self.changes.started_frida_server:
            try:
                pids = self._sh("pidof", "frida-server").split()
                for pid in pids:  # by pid: only the server this run started runs by that name
                    self._root_sh(f"kill {int(pid)}")
                self.changes.started_frida_server = False
            except Exception as exc:  # noqa: BLE001
                problems.append(f"frida-server this run started not stopped ({exc})")
        for p in problems:
            log.warning("%s", p)
        self.changes.notes += problems


@contextlib.contextmanager
def _frida_errors_as_unavailable(what: str) -> Iterator[None]:
    """Frida's own errors (NotSupportedError "need Gadget to attach on jailed Android" when no
    frida-server answers, TimedOutError, TransportError, ...) subclass Exception directly, in the
    `frida` module: they mean the device side is not usable, so they become one line, exit 3."""
    try:
        yield
    except Exception as exc:
        if type(exc).__module__.split(".")[0] != "frida":
            raise
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise TargetUnavailable(
            f"Frida could not {what}: {first} (is frida-server {_frida_version()} running as root "
            "on the device, and `frida-ps -U` listing its processes?)") from None


FRIDA_DEVICE_ENV = "PRIVASCOPE_FRIDA_DEVICE"


def frida_device_from_env() -> Optional[Callable[[str], Any]]:
    """The callable `PRIVASCOPE_FRIDA_DEVICE=module:callable` names, or None when unset.
    Called with the serial, it returns the Frida device to use for it (spawn, attach, resume,
    kill, enumerate_applications as frida.core.Device): for test rigs and device farms whose
    Frida connection is not USB over adb. A bad value is one line (TargetUnavailable)."""
    spec = os.environ.get(FRIDA_DEVICE_ENV, "").strip()
    if not spec:
        return None
    module, _, name = spec.partition(":")
    try:
        factory = getattr(importlib.import_module(module), name) if module and name else None
    except (ImportError, AttributeError) as exc:
        raise TargetUnavailable(f"{FRIDA_DEVICE_ENV}={spec}: {exc}") from None
    if not callable(factory):
        raise TargetUnavailable(f"{FRIDA_DEVICE_ENV}={spec}: expected module:callable")
    return factory


def _is_uid0(id_output: str) -> bool:
    return re.search(r"(^|\s)uid=0\(", id_output) is not None


def _frida_version() -> str:
    try:
        import frida
    except ImportError:
        raise TargetUnavailable("the frida Python package is missing (pip install frida)") from None
    return frida.__version__
