"""One device of the double: a private root with a real Android-like userland, run in its own
namespaces.

Why namespaces + chroot: the userland must be the real thing (Debian's mksh, which is Android's
shell, and toybox 0.8.9, the Android 14 release), and device paths (/system/bin,
/data/local/tmp, /apex/com.android.conscrypt/cacerts) must be real paths for it. A holder
process (`unshare --mount --pid --net --uts --fork`) owns the device's namespaces; each shell
command enters them with `nsenter` and `chroot`s into the root. Hence:
- mounts made by a command (the CA tmpfs overlay) persist for later commands and never touch
  the host;
- toybox `pidof`/`ps` see only the device's processes (its own /proc);
- the device's network is its own loopback: it reaches the host only through `adb reverse`
  listeners that the double opens inside that namespace, as a real device does.
Needs root (CI and developer machines run as root here); unshare/nsenter are util-linux.
The device identity (uid 0 under `adb root`, else 2000) is the DOUBLE_UID variable that adbd
sets and only su changes (userland/id, su-*); file permissions are not enforced.
"""
from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import yaml

HERE = Path(__file__).resolve().parent
PROFILES = HERE / "profiles"
USERLAND = HERE / "userland"
# bionic's _PATH_DEFPATH (bionic/libc/include/paths.h, Android 10+): what adbd's shell gets
ANDROID_PATH = ("/product/bin:/apex/com.android.runtime/bin:/apex/com.android.art/bin:"
                "/system_ext/bin:/system/bin:/system/xbin:/odm/bin:/vendor/bin:/vendor/xbin")
FRAMEWORK_COMMANDS = ("pm", "am", "cmd", "settings", "getprop", "setprop", "input",
                      "uiautomator", "monkey")
HOST_LIBS = ("/lib/x86_64-linux-gnu/libc.so.6", "/lib/x86_64-linux-gnu/libm.so.6",
             "/lib/x86_64-linux-gnu/libcrypt.so.1", "/lib64/ld-linux-x86-64.so.2")
DEVICE_DIRS = ("system/bin", "system/xbin", "system/etc/security/cacerts",
               "apex/com.android.conscrypt/cacerts", "data/local/tmp", "data/data", "data/app",
               "data/system/users/0", "data/misc/user/0/cacerts-added",
               "storage/emulated/0/Download",
               "dev/socket/debug", "proc", "vendor/bin", "product/bin")
CLONE_NEWNET = 0x40000000
JDK17 = Path("/usr/lib/jvm/java-17-openjdk-amd64")
# where an app process started for a debugger waits (app_process.c: the fifo DEBUG_DIR/<pid>)
DEBUG_DIR = "/dev/socket/debug"


# pid 1 of the device: like Android's init it reaps orphans (daemons such as frida-server -D
# end up as its children) and ignores SIGTERM; SIGKILL from outside ends the device.
_INIT = ("import os, signal\n"
         "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
         "while True:\n"
         "    try:\n"
         "        os.wait()\n"
         "    except ChildProcessError:\n"
         "        signal.pause()\n"
         "    except InterruptedError:\n"
         "        pass\n")


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read()
    except OSError:
        return b""


class DoubleError(RuntimeError):
    """The double cannot run here (missing tool, no privileges): one line."""


@dataclass(frozen=True)
class Profile:
    name: str
    serial: str
    adbd_root: bool
    su: str  # "aosp" | "magisk"
    nc_zero_io: bool
    props: dict = field(default_factory=dict)
    background_client: bool = True  # userland/gms-background

    @property
    def shell_uid(self) -> int:
        return 0 if self.adbd_root else 2000


def load_profile(name: str) -> Profile:
    path = PROFILES / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in PROFILES.glob("*.yaml")))
        raise DoubleError(f"unknown profile {name!r} (known: {known})")
    data = yaml.safe_load(path.read_text())
    if data.get("su") not in ("aosp", "magisk"):
        raise DoubleError(f"{path.name}: su must be aosp or magisk")
    return Profile(name=name, serial=str(data["serial"]), adbd_root=bool(data["adbd_root"]),
                   su=data["su"], nc_zero_io=bool(data.get("nc_zero_io")),
                   props={str(k): str(v) for k, v in (data.get("props") or {}).items()},
                   background_client=bool(data.get("background_client", True)))


def profile_names() -> list[str]:
    return sorted(p.stem for p in PROFILES.glob("*.yaml"))


def _android_applets() -> list[str]:
    lines = (USERLAND / "toybox-applets.txt").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _debian_applets(toybox: str) -> set[str]:
    return set(subprocess.run([toybox], capture_output=True, text=True, timeout=10).stdout.split())


class Device:
    """A running device double. `start()` builds the root and the namespaces; `stop()` ends
    every process it started (bounded)."""

    def __init__(self, profile: Profile, workdir: Optional[Path] = None,
                 apps: Optional[dict[str, tuple[str, str]]] = None):
        self.profile = profile
        self.adbd_uid = profile.shell_uid  # `adb root` on a debuggable build makes it 0
        # package -> (classpath, main class): the JVM program behind an installed package
        self.apps = dict(apps or {})
        self._app_procs: dict[str, subprocess.Popen] = {}
        self.serial = profile.serial
        self._own_workdir = workdir is None
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix=f"double-{profile.name}-"))
        self.root = self.workdir / "root"
        self._holder: Optional[subprocess.Popen] = None
        self.ns_pid: Optional[int] = None
        self._reverse: dict[str, "_Reverse"] = {}
        self._lock = threading.Lock()
        self.system_server = None
        self._background: Optional[subprocess.Popen] = None
        self.app_process: Optional[Path] = None  # the zygote-like launcher (app_process.c)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> "Device":
        for tool in ("unshare", "nsenter", "chroot", "mksh", "toybox"):
            if shutil.which(tool) is None:
                raise DoubleError(f"{tool} not found: install util-linux, coreutils, mksh and "
                                  "toybox (`make apt`)")
        if os.geteuid() != 0:
            raise DoubleError("the device double needs root (namespaces, chroot, mounts)")
        self._build_root()
        proc_dir = self.root / "proc"
        # The holder: pid 1 of the device's PID namespace, owner of its mount/net/uts ones.
        script = (f"mount -t proc proc '{proc_dir}' && "
                  + " && ".join(f"mount --bind /dev/{d} '{self.root}/dev/{d}'"
                                for d in ("null", "zero", "random", "urandom"))
                  + f" && hostname localhost && exec -a init {sys.executable} -c '{_INIT}'")
        # --kill-child + parent-death signal: the device never outlives the double's process
        # (the signal follows the forking *thread*: start() runs on a thread that lives on)
        self._holder = subprocess.Popen(
            ["unshare", "--mount", "--pid", "--net", "--uts", "--fork", "--kill-child",
             "--propagation", "private", shutil.which("bash"), "-c", script],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True, preexec_fn=_die_with_parent)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            kids = Path(f"/proc/{self._holder.pid}/task/{self._holder.pid}/children")
            try:
                pids = kids.read_text().split()
            except OSError:
                pids = []
            if pids and _cmdline(int(pids[0])).startswith(b"init\0"):
                self.ns_pid = int(pids[0])
                break
            if self._holder.poll() is not None:
                raise DoubleError(f"cannot create the device namespaces (unshare exit "
                                  f"{self._holder.returncode})")
            time.sleep(0.02)
        else:
            self.stop()
            raise DoubleError("device namespaces not ready within 10 s")
        out = self.run("ifconfig lo 127.0.0.1 up", uid=0, timeout=10)
        if out.returncode != 0:
            self.stop()
            raise DoubleError("cannot bring up the device loopback: " + out.stdout.decode()[-200:])
        if self.apps:
            self.app_process = build_app_process(self.workdir)
        from tests.device_double.system_server import SystemServer

        self.system_server = SystemServer(self).start()
        if self.profile.background_client:
            # runs as Play services' uid; ends with the device (pid 1 of its namespace dies)
            self._background = self.spawn("exec /system/bin/gms-background", uid=10010,
                                          stdin=subprocess.DEVNULL)
        return self

    def stop(self) -> None:
        for package in list(self._app_procs):
            self.stop_app(package)
        for rev in list(self._reverse.values()):
            rev.close()
        self._reverse.clear()
        if self.system_server is not None:
            self.system_server.stop()
            self.system_server = None
        if self._holder is not None:
            # Killing pid 1 of the PID namespace ends every process of the device.
            if self.ns_pid is not None:
                try:
                    os.kill(self.ns_pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            try:
                self._holder.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self._holder.pid, signal.SIGKILL)
                self._holder.wait(timeout=5)
            self._holder = None
        if self._background is not None:
            kill_group(self._background)
            try:
                self._background.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            self._background = None
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> "Device":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------------ root

    def _build_root(self) -> None:
        r = self.root
        for d in DEVICE_DIRS:
            (r / d).mkdir(parents=True, exist_ok=True)
        for lib in HOST_LIBS:
            dst = r / lib.lstrip("/")
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(os.path.realpath(lib), dst)
        for name in ("null", "zero", "random", "urandom"):
            (r / "dev" / name).touch()
        bin_ = r / "system/bin"
        toybox = shutil.which("toybox")
        shutil.copy2(toybox, bin_ / "toybox")
        shutil.copy2(shutil.which("mksh"), bin_ / "sh")
        have = _debian_applets(toybox)
        for applet in _android_applets():
            if applet in have:
                (bin_ / applet).symlink_to("toybox")
        for script in ("id", "chcon"):
            (bin_ / script).unlink(missing_ok=True)
            shutil.copy2(USERLAND / script, bin_ / script)
        shutil.copy2(USERLAND / "binder-client", bin_ / "binder-client")
        shutil.copy2(USERLAND / "gms-background", bin_ / "gms-background")
        for cmd in FRAMEWORK_COMMANDS:
            (bin_ / cmd).symlink_to("binder-client")
        su = "su-magisk" if self.profile.su == "magisk" else "su-aosp"
        # AOSP's su lives in /system/xbin (userdebug builds); Magisk's in /system/bin (its overlay)
        su_dir = r / ("system/bin" if self.profile.su == "magisk" else "system/xbin")
        shutil.copy2(USERLAND / su, su_dir / "su")
        if self.profile.nc_zero_io:
            (bin_ / "nc").unlink()
            shutil.copy2(USERLAND / "nc-z", bin_ / "nc")
        (r / "sdcard").symlink_to("/storage/emulated/0")
        self._install_system_cas()
        # as the user set it up: frida-server (here a stand-in) in /data/local/tmp
        from importlib.metadata import version

        server = r / "data/local/tmp/frida-server"
        server.write_text((USERLAND / "frida-server").read_text()
                          .replace("@FRIDA_VERSION@", version("frida")))
        server.chmod(0o755)
        (r / "data/local/tmp/.frida-server.d").mkdir()
        (r / "data/local/tmp/.frida-server.d/frida-server").symlink_to("/system/bin/sh")
        (r / "system/build.prop").write_text(
            "".join(f"{k}={v}\n" for k, v in self.profile.props.items()))
        (r / "etc").mkdir(exist_ok=True)
        (r / "etc/passwd").write_text("root:x:0:0::/:/system/bin/sh\nshell:x:2000:2000::/:/system/bin/sh\n")
        (r / "etc/group").write_text("root:x:0:\nshell:x:2000:\n")
        (r / "data/local/tmp").chmod(0o771)

    def _install_system_cas(self) -> None:
        """The system CA store: Mozilla's roots (Debian's ca-certificates, the same list AOSP
        system/ca-certificates follows) as `<subject_hash_old>.0` PEM files, in
        /system/etc/security/cacerts and, from Android 14, /apex/com.android.conscrypt/cacerts."""
        import hashlib

        from cryptography import x509

        src = Path("/usr/share/ca-certificates/mozilla")
        sdk = int(self.profile.props.get("ro.build.version.sdk", "0"))
        system = self.root / "system/etc/security/cacerts"
        apex = self.root / "apex/com.android.conscrypt/cacerts"
        crts = sorted(src.glob("*.crt")) if src.is_dir() else []
        # From Android 14 Conscrypt updates its APEX store apart from /system's: here the
        # first three roots came with such an update (APEX only) and the last was withdrawn
        # by it (/system only), so a copy of the wrong directory shows.
        apex_only = set(crts[:3]) if sdk >= 34 else set()
        system_only = set(crts[-1:]) if sdk >= 34 else set()
        for crt in crts:
            dirs = ([] if crt in apex_only else [system]) + \
                ([apex] if sdk >= 34 and crt not in system_only else [])
            pem = crt.read_bytes()
            try:
                subject = x509.load_pem_x509_certificate(pem).subject.public_bytes()
            except ValueError:
                continue
            digest = hashlib.md5(subject).digest()  # noqa: S324 - OpenSSL subject_hash_old
            name = f"{int.from_bytes(digest[:4], 'little'):08x}.0"
            for d in dirs:
                (d / name).write_bytes(pem)

    # ------------------------------------------------------------------ processes

    def shell_env(self, uid: Optional[int] = None) -> dict[str, str]:
        uid = self.adbd_uid if uid is None else uid
        # what adbd gives a shell (system/core/adb/daemon/shell_service.cpp: HOME, PATH from
        # the init environment, USER/LOGNAME, TMPDIR); DOUBLE_UID is the double's identity
        return {"PATH": ANDROID_PATH, "HOME": "/", "TMPDIR": "/data/local/tmp",
                "USER": "root" if uid == 0 else "shell", "LOGNAME": "root" if uid == 0 else "shell",
                "ANDROID_DATA": "/data", "ANDROID_ROOT": "/system", "HOSTNAME": "localhost",
                "DOUBLE_UID": str(uid)}

    def spawn(self, command: str, uid: Optional[int] = None, stdin=subprocess.PIPE,
              merge_stderr: bool = False) -> subprocess.Popen:
        """`sh -c COMMAND` on the device, as adbd runs a shell service (own process group, so
        a closed connection can end it)."""
        if self.ns_pid is None:
            raise DoubleError("device not started")
        # host tools by absolute path: the environment carries the device's PATH
        argv = [shutil.which("nsenter"), "-t", str(self.ns_pid), "-m", "-p", "-n", "-u", "--",
                shutil.which("chroot"), str(self.root), "/system/bin/sh", "-c", command]
        return subprocess.Popen(argv, stdin=stdin, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
                                env=self.shell_env(uid), cwd="/",
                                start_new_session=True)

    def run(self, command: str, uid: Optional[int] = None, timeout: float = 30.0):
        p = self.spawn(command, uid=uid, stdin=subprocess.DEVNULL)
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(p)
            out, err = p.communicate(timeout=5)
        return subprocess.CompletedProcess(p.args, p.returncode, out + err, err)

    # ------------------------------------------------------------------ app processes

    def app_running(self, package: str) -> bool:
        p = self._app_procs.get(package)
        return p is not None and p.poll() is None

    def launch_app(self, package: str, http_proxy: Optional[str],
                   wait_for_debugger: bool = False) -> bool:
        """Start the JVM program behind `package` as the app's process, as zygote forks one:
        app_process.c (the VM created before any app code), in the device's PID and network
        namespaces (so `pidof PACKAGE` finds it and it reaches only the device's loopback),
        named PACKAGE, with the global proxy setting as the http(s).proxyHost/Port properties
        Android's ProxyInfo gives Java's networking. The program is run unmodified.
        `wait_for_debugger` (`am start -D`, Frida's spawn): the process holds before the
        program's code until DEBUG_DIR/<pid> is written to; this returns once it holds.
        False when no program is mapped to the package."""
        if package not in self.apps:
            return False
        if self.app_running(package):
            return True
        if self.app_process is None:
            raise DoubleError("no app_process: the device was started without --app")
        classpath, main = self.apps[package]
        props = []
        if http_proxy and http_proxy not in ("null", ":0") and ":" in http_proxy:
            host, _, port = http_proxy.rpartition(":")
            props = [f"-Dhttp.proxyHost={host}", f"-Dhttp.proxyPort={port}",
                     f"-Dhttps.proxyHost={host}", f"-Dhttps.proxyPort={port}"]
        if self.system_server is not None:  # its display (windows, input) and package name
            props += self.system_server.window_manager.jvm_options(package)
        if f"-Dandroid.app.package={package}" not in props:
            props.append(f"-Dandroid.app.package={package}")
        debug_dir = self.host_path(DEBUG_DIR)
        before = set(os.listdir(debug_dir))
        env = {"PATH": "/usr/bin:/bin", "APP_CLASSPATH": classpath, "APP_MAIN": main,
               "APP_JVM_OPTIONS": "\n".join(props),
               "APP_DEBUG_DIR": str(debug_dir) if wait_for_debugger else ""}
        log = open(self.workdir / f"{package}.log", "ab")
        argv = [shutil.which("nsenter"), "-t", str(self.ns_pid), "-p", "-n", "-u", "--",
                shutil.which("bash"), "-c", 'exec -a "$0" "$@"', package, str(self.app_process)]
        with log:
            proc = self._app_procs[package] = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
                start_new_session=True)  # no parent-death signal: it would follow the
            # system_server thread that forks; the app dies with the device's PID namespace
        if wait_for_debugger:  # until its fifo is there (the VM is up), bounded
            deadline = time.monotonic() + 60
            while not set(os.listdir(debug_dir)) - before:
                if proc.poll() is not None or time.monotonic() > deadline:
                    self.stop_app(package)
                    raise DoubleError(f"{package}'s process did not come up for the debugger: "
                                      + self.app_log(package)[-300:])
                time.sleep(0.02)
        return True

    def stop_app(self, package: str) -> None:
        p = self._app_procs.pop(package, None)
        if p is not None:
            kill_group(p)
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass

    def app_log(self, package: str) -> str:
        path = self.workdir / f"{package}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # ------------------------------------------------------------------ files (sync service)

    def host_path(self, device_path: str) -> Path:
        """The host path behind an absolute device path, following the device's symlinks
        inside its root (never out of it)."""
        parts = [p for p in device_path.split("/") if p not in ("", ".")]
        resolved: list[str] = []
        hops = 0
        while parts:
            part = parts.pop(0)
            if part == "..":
                if resolved:
                    resolved.pop()
                continue
            candidate = self.root.joinpath(*resolved, part)
            if candidate.is_symlink():
                hops += 1
                if hops > 40:
                    raise OSError("too many levels of symbolic links")
                target = os.readlink(candidate)
                if target.startswith("/"):
                    resolved = []
                parts = [p for p in target.split("/") if p not in ("", ".")] + parts
                continue
            resolved.append(part)
        return self.root.joinpath(*resolved)

    # ------------------------------------------------------------------ adb reverse

    def reverse(self, remote: str, local: str, norebind: bool = False) -> None:
        """Listen on the device's tcp:PORT; each connection goes to the host's tcp:PORT."""
        rport, lport = _tcp_port(remote), _tcp_port(local)
        with self._lock:
            if remote in self._reverse:
                if norebind:
                    raise DoubleError("cannot rebind existing socket")
                self._reverse.pop(remote).close()
            self._reverse[remote] = _Reverse(self, rport, lport, local)

    def kill_reverse(self, remote: str) -> None:
        with self._lock:
            if remote not in self._reverse:
                raise DoubleError(f"listener '{remote}' not found")
            self._reverse.pop(remote).close()

    def reverse_list(self) -> list[tuple[str, str]]:
        with self._lock:
            return [(remote, rev.local) for remote, rev in self._reverse.items()]

    def socket_in_device(self, family=socket.AF_INET, type_=socket.SOCK_STREAM) -> socket.socket:
        """A socket created inside the device's network namespace (setns in a short thread:
        a socket keeps the namespace it was created in)."""
        result: list = []

        def make():
            try:
                fd = os.open(f"/proc/{self.ns_pid}/ns/net", os.O_RDONLY)
                try:
                    if _libc().setns(fd, CLONE_NEWNET) != 0:
                        raise OSError(ctypes.get_errno(), "setns failed")
                finally:
                    os.close(fd)
                result.append(socket.socket(family, type_))
            except Exception as exc:  # reported to the caller
                result.append(exc)

        t = threading.Thread(target=make, daemon=True)
        t.start()
        t.join(5)
        if not result or isinstance(result[0], Exception):
            raise DoubleError(f"cannot open a socket in the device: {result[0] if result else 'timeout'}")
        return result[0]


def build_app_process(workdir: Path) -> Path:
    """Compile app_process.c against JDK 17's libjvm into `workdir` (a fraction of a second)."""
    gcc = shutil.which("gcc") or shutil.which("cc")
    include = JDK17 / "include"
    if gcc is None or not (include / "jni.h").exists():
        raise DoubleError("app processes need gcc and JDK 17's headers (apt-get install gcc "
                          "openjdk-17-jdk-headless)")
    out = workdir / "app_process"
    libjvm = JDK17 / "lib/server"
    r = subprocess.run([gcc, "-O1", "-o", str(out), str(HERE / "app_process.c"),
                        f"-I{include}", f"-I{include / 'linux'}", f"-L{libjvm}", "-ljvm",
                        "-lpthread", f"-Wl,-rpath,{libjvm}"],
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise DoubleError("app_process.c does not compile: " + r.stderr.strip()[-300:])
    return out


def _tcp_port(spec: str) -> int:
    if not spec.startswith("tcp:") or not spec[4:].isdigit():
        raise DoubleError(f"unsupported socket spec {spec!r} (tcp:PORT only)")
    return int(spec[4:])


_LIBC = None


def _libc():
    global _LIBC
    if _LIBC is None:
        _LIBC = ctypes.CDLL("libc.so.6", use_errno=True)
    return _LIBC


def _die_with_parent() -> None:
    PR_SET_PDEATHSIG = 1
    _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def kill_group(p: subprocess.Popen) -> None:
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


class _Reverse:
    """An `adb reverse` rule: a listener in the device's network namespace relaying each
    connection to the host's 127.0.0.1:local_port."""

    def __init__(self, device: Device, remote_port: int, local_port: int, local: str):
        self.local = local
        self.local_port = local_port
        self._sock = device.socket_in_device()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._sock.bind(("127.0.0.1", remote_port))
        except OSError as exc:
            self._sock.close()
            raise DoubleError(f"cannot bind listener: {exc.strerror}") from None
        self._sock.listen(16)
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            try:
                up = socket.create_connection(("127.0.0.1", self.local_port), timeout=5)
                up.settimeout(None)
            except OSError:
                conn.close()  # adb closes the device side when the host refuses
                continue
            pipe_both(conn, up)

    def close(self) -> None:
        self._closed = True
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._sock.close()


def recv_exact(sock: socket.socket, n: int) -> bytes:
    """Exactly n bytes from sock; EOFError when the peer closes first."""
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def _pump(src: socket.socket, dst: socket.socket) -> None:
    """Copy src to dst until src ends, then half-close dst (the other direction may go on)."""
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def splice(a: socket.socket, b: socket.socket) -> None:
    """Copy both ways until both directions end, in the calling thread (one helper thread)."""
    t = threading.Thread(target=_pump, args=(b, a), daemon=True)
    t.start()
    _pump(a, b)
    t.join()


def pipe_both(a: socket.socket, b: socket.socket) -> None:
    """splice() on a thread of its own, closing both sockets at the end."""
    def both():
        splice(a, b)
        a.close()
        b.close()

    threading.Thread(target=both, daemon=True).start()
