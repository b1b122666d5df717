"""The framework side of the double's `pm`, `cmd`, `am`, `settings`, `getprop`, `setprop`,
`input`, `uiautomator` and `monkey`: on Android these are binder clients of system_server; here
userland/binder-client sends argv over a unix socket in the device root and this answers with
the exit code and the output. Each command's observable output follows the AOSP source cited
at its handler; state (settings, properties, packages) is kept in memory for the device's life.
"""
from __future__ import annotations

import os
import random
import re
import socket
import threading
from typing import Callable, Optional

SOCKET = "dev/socket/double_system_server"
# Present on every Google APIs image / phone; what `pm list packages` always shows.
SYSTEM_PACKAGES = ("android", "com.android.shell", "com.android.settings",
                   "com.android.systemui", "com.google.android.gms", "com.android.vending")
_PKG = re.compile(r"^[A-Za-z][\w]*(\.[A-Za-z][\w]*)+$")


def _protection_level(permission: str) -> str | None:
    """The platform's protection level of a permission (frameworks/base core/res
    AndroidManifest.xml; privascope's catalog lists the platform's permissions with it), None
    when the platform does not define it."""
    from privascope.catalog import load_catalog

    info = load_catalog().permissions.get(permission)
    return info.protection_level if info is not None else None


class SystemServer:
    def __init__(self, device):
        self.device = device
        self.props = dict(device.profile.props)
        self.settings: dict[str, dict[str, str]] = {"global": {}, "secure": {}, "system": {}}
        self.packages: dict[str, dict] = {p: {"path": f"/system/app/{p}.apk", "system": True,
                                              "granted": set()} for p in SYSTEM_PACKAGES}
        self.events: list[tuple[str, ...]] = []  # input/am/monkey calls, for tests
        # `am set-debug-app`: (package, wait for the debugger, persistent) or None
        self.debug_app: Optional[tuple[str, bool, bool]] = None
        # test knobs: the bytes left on /data (None: plenty), and how many `uiautomator dump`
        # calls still fail with each of AOSP's errors before one succeeds
        self.data_free_bytes: int | None = None
        self.dump_failures: list[str] = []
        from tests.device_double.window_manager import WindowManager

        self.window_manager = WindowManager(device.workdir)  # the screen: windows and input
        self._sock: socket.socket | None = None
        self._stdin_file = ""
        self._lock = threading.Lock()

    def start(self) -> "SystemServer":
        path = self.device.root / SOCKET
        path.unlink(missing_ok=True)
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.bind(str(path))
        os.chmod(path, 0o666)
        self._sock.listen(32)
        threading.Thread(target=self._serve, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._sock is not None:
            try:
                self._sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._sock.close()
            self._sock = None

    def _serve(self) -> None:
        while self._sock is not None:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            data = b""
            try:
                while not data.endswith(b"\n"):
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
            except OSError:
                return
            fields = data.rstrip(b"\n").decode("utf-8", "replace").split("\x1f")
            if fields and fields[-1] == "":
                fields.pop()
            if len(fields) < 3:
                return
            uid, stdin_file, name, args = int(fields[0] or 2000), fields[1], fields[2], fields[3:]
            try:
                with self._lock:
                    self._stdin_file = stdin_file
                    code, out = self.call(uid, name, args)
            except Exception as exc:  # a bug in the double: show it on the device
                code, out = 255, f"double system_server: {exc.__class__.__name__}: {exc}\n"
            try:
                conn.sendall(f"{code}\n".encode() + out.encode())
            except OSError:
                pass

    # ------------------------------------------------------------------ dispatch

    def call(self, uid: int, name: str, args: list[str]) -> tuple[int, str]:
        handlers: dict[str, Callable[[int, list[str]], tuple[int, str]]] = {
            "getprop": self.getprop, "setprop": self.setprop, "settings": self.settings_cmd,
            "pm": self.pm, "am": self.am, "cmd": self.cmd, "input": self.input,
            "uiautomator": self.uiautomator, "monkey": self.monkey}
        handler = handlers.get(name)
        if handler is None:
            return 127, f"{name}: not found\n"
        return handler(uid, args)

    def cmd(self, uid: int, args: list[str]) -> tuple[int, str]:
        # frameworks/native/cmds/cmd/cmd.cpp: `cmd SERVICE ARGS` -> the service's shell command
        services = {"package": self.pm, "settings": self.settings_cmd, "activity": self.am}
        if not args:
            return 20, "cmd: No service specified; use -l to list all running services. Use -w to start and wait for a service.\n"
        service = services.get(args[0])
        if service is None:
            return 20, f"cmd: Can't find service: {args[0]}\n"
        return service(uid, args[1:])

    # ------------------------------------------------------------------ properties

    def getprop(self, uid: int, args: list[str]) -> tuple[int, str]:
        # system/core/toolbox/getprop.cpp: no args -> "[name]: [value]" sorted; else the value
        # (or the default, or an empty line)
        if not args:
            return 0, "".join(f"[{k}]: [{v}]\n" for k, v in sorted(self.props.items()))
        return 0, self.props.get(args[0], args[1] if len(args) > 1 else "") + "\n"

    def setprop(self, uid: int, args: list[str]) -> tuple[int, str]:
        # system/core/toolbox/setprop.cpp: ro.* are write-once; init refuses others per SELinux
        if len(args) != 2:
            return 1, "usage: setprop NAME VALUE\n"
        key, value = args
        if key.startswith("ro.") and key in self.props:
            return 1, f"Failed to set property '{key}' to '{value}'.\nSee dmesg for error reason.\n"
        self.props[key] = value
        return 0, ""

    # ------------------------------------------------------------------ settings

    def settings_cmd(self, uid: int, args: list[str]) -> tuple[int, str]:
        # frameworks/base/packages/SettingsProvider/src/com/android/providers/settings/
        # SettingsService.java (android14-release): get prints the value or "null"; put prints
        # nothing; delete prints "Deleted N rows"; list prints name=value.
        args = list(args)
        while args and args[0] in ("--user", "--lineage"):
            args = args[2:] if args[0] == "--user" else args[1:]
        if len(args) < 2 or args[1] not in self.settings:
            return 255, "Invalid command: " + " ".join(args) + "\n"
        verb, table, rest = args[0], self.settings[args[1]], args[2:]
        if verb == "get" and len(rest) == 1:
            return 0, table.get(rest[0], "null") + "\n"
        if verb == "put" and len(rest) >= 2:
            table[rest[0]] = rest[1]
            self.events.append(("settings", "put", args[1], rest[0], rest[1]))
            return 0, ""
        if verb == "delete" and len(rest) == 1:
            n = 1 if table.pop(rest[0], None) is not None else 0
            self.events.append(("settings", "delete", args[1], rest[0]))
            return 0, f"Deleted {n} rows\n"
        if verb == "list" and not rest:
            return 0, "".join(f"{k}={v}\n" for k, v in sorted(table.items()))
        return 255, "Invalid command: " + " ".join(args) + "\n"

    # ------------------------------------------------------------------ packages

    def pm(self, uid: int, args: list[str]) -> tuple[int, str]:
        # frameworks/base/services/core/java/com/android/server/pm/PackageManagerShellCommand.java
        # (android14-release); `pm` itself is `cmd package "$@"` since Android 7.
        if not args:
            return 1, "usage: pm [list|path|install|uninstall|clear|grant|revoke] ...\n"
        verb, rest = args[0], args[1:]
        if verb == "list" and rest[:1] == ["packages"]:
            flags = [a for a in rest[1:] if a.startswith("-")]
            filt = next((a for a in rest[1:] if not a.startswith("-")), "")
            lines = []
            for name, info in sorted(self.packages.items()):
                if filt and filt not in name:
                    continue
                lines.append(f"package:{info['path']}={name}" if "-f" in flags else f"package:{name}")
            return 0, "".join(line + "\n" for line in lines)
        if verb == "path" and rest:
            info = self.packages.get(rest[0])
            return (0, f"package:{info['path']}\n") if info else (1, "")
        if verb == "install":
            if "-S" in rest:  # streamed install: the APK comes on stdin
                if not self._stdin_file:
                    return 1, "Error: APK content must be streamed\n"
                return self._install(self._stdin_file)
            paths = [a for a in rest if not a.startswith("-")]
            if len(paths) != 1:
                return 1, "Error: must either specify a package size or an APK file\n"
            return self._install(paths[0])
        if verb == "uninstall" and rest:
            pkg = rest[-1]
            info = self.packages.get(pkg)
            if info is None or info["system"]:
                return 1, "Failure [DELETE_FAILED_INTERNAL_ERROR]\n"
            del self.packages[pkg]
            return 0, "Success\n"
        if verb == "clear" and rest:
            pkg = rest[-1]
            if pkg not in self.packages:
                return 1, "Failed\n"
            self.device.stop_app(pkg)  # clearApplicationUserData kills the app first
            self.window_manager.forget(pkg)
            data = self.device.host_path(f"/data/data/{pkg}")
            for child in sorted(data.rglob("*"), reverse=True) if data.is_dir() else []:
                child.rmdir() if child.is_dir() and not child.is_symlink() else child.unlink()
            return 0, "Success\n"
        if verb in ("grant", "revoke", "set-permission-flags", "clear-permission-flags"):
            return self._permission(verb, rest)
        if verb == "compile":
            return self._compile(rest)
        return 255, f"Unknown command: {verb}\n"

    # dalvik/CompilerFilter names `-m` accepts (art/libartbase/base/compiler_filter.cc,
    # android14-release)
    COMPILER_FILTERS = ("assume-verified", "extract", "verify", "space-profile", "space",
                        "speed-profile", "speed", "everything-profile", "everything")

    def _compile(self, rest: list[str]) -> tuple[int, str]:
        # PackageManagerShellCommand.runCompile (android13-release; Android 14 hands the same
        # options to ART Service's ArtShellCommand): -m FILTER or -r REASON, -f forces,
        # -a or one package; "Success", "Failure: package P could not be compiled", or an
        # "Error: ..." line with status 1
        filt, reason, force, package, everything = None, None, False, None, False
        args = list(rest)
        while args:
            a = args.pop(0)
            if a in ("-m", "-r"):
                if not args:
                    return 1, f"Error: option {a} needs an argument\n"
                value = args.pop(0)
                filt, reason = (value, reason) if a == "-m" else (filt, value)
            elif a == "-f":
                force = True
            elif a == "-a":
                everything = True
            elif a in ("-c", "--check-prof", "--reset", "--secondary-dex", "--split"):
                if a in ("--check-prof", "--split") and args:
                    args.pop(0)
            elif a.startswith("-"):
                return 1, f"Error: Unknown option: {a}\n"
            elif package is None:
                package = a
            else:
                return 1, f"Error: unexpected argument: {a}\n"
        if filt is not None and reason is not None:
            return 1, ('Cannot use compilation filter ("-m") and compilation reason ("-r") '
                       "at the same time\n")
        if filt is None and reason is None:
            return 1, ('Cannot run without any of compilation filter ("-m") and compilation '
                       'reason ("-r")\n')
        if filt is not None and filt not in self.COMPILER_FILTERS:
            return 1, f'Error: "{filt}" is not a valid compilation filter.\n'
        if not everything and package is None:
            return 1, "Error: package name not specified\n"
        targets = [p for p, i in self.packages.items() if not i["system"]] if everything \
            else [package]
        for pkg in targets:
            info = self.packages.get(pkg)
            if info is None:
                return 1, f"Failure: package {pkg} could not be compiled\n"
            if force or filt:
                info["compiler_filter"] = filt or "speed-profile"
        self.events.append(("pm", "compile", *rest))
        return 0, "Success\n"

    # flags `pm set-/clear-permission-flags` take (PackageManagerShellCommand help, Android 12+)
    PERMISSION_FLAGS = ("review-required", "revoked-compat", "revoke-when-requested",
                        "user-fixed", "user-set")

    def _permission(self, verb: str, rest: list[str]) -> tuple[int, str]:
        # PackageManagerShellCommand runGrantRevokePermission / runSetPermissionFlags, checks of
        # PermissionService.kt (android14-release): the package must exist, the permission
        # must exist, be requested by the package and be a runtime (dangerous) one; errors are
        # the exception ShellCommand prints, exit status 255.
        if rest[:1] == ["--user"]:
            rest = rest[2:]
        flags = rest[2:]
        if len(rest) < 2 or ("flags" not in verb and flags):
            return 255, f"Error: usage: pm {verb} [--user USER_ID] PACKAGE PERMISSION\n"
        pkg, perm = rest[0], rest[1]
        head = f"Exception occurred while executing '{verb}':\n"
        info = self.packages.get(pkg)
        if info is None:
            return 255, head + f"java.lang.IllegalArgumentException: Unknown package: {pkg}\n"
        level = _protection_level(perm)
        if level is None:
            return 255, head + f"java.lang.IllegalArgumentException: Unknown permission: {perm}\n"
        if perm not in info.get("requested", ()):
            return 255, head + (f"java.lang.SecurityException: Package {pkg} has not requested "
                                f"permission {perm}\n")
        if level != "dangerous":
            return 255, head + (f"java.lang.SecurityException: Permission {perm} requested by "
                                f"package {pkg} is not a changeable permission type\n")
        if verb == "grant":
            info["granted"].add(perm)
        elif verb == "revoke":
            info["granted"].discard(perm)
        else:
            bad = [f for f in flags if f not in self.PERMISSION_FLAGS]
            if bad or not flags:
                return 255, f"Error: unknown flag {bad[0] if bad else '(none)'}\n"
            held = info.setdefault("flags", {}).setdefault(perm, set())
            (held.update if verb == "set-permission-flags" else held.difference_update)(flags)
        return 0, ""

    def _install(self, device_path: str) -> tuple[int, str]:
        host = self.device.host_path(device_path)
        if not host.is_file():
            return 1, f"Error: Can't open file: {device_path}\nException occurred while executing 'install':\njava.lang.IllegalArgumentException: Error: Can't open file: {device_path}\n"
        try:
            from privascope.static.apk import read_apk

            parsed = read_apk(str(host))
            pkg, requested = parsed.package, set(parsed.permissions)
        except Exception:
            return 1, "Failure [INSTALL_PARSE_FAILED_NOT_APK: Failed to parse " + device_path + "]\n"
        if not pkg or not _PKG.match(pkg):
            return 1, "Failure [INSTALL_PARSE_FAILED_BAD_PACKAGE_NAME]\n"
        refused = self._install_refusal(host, pkg, parsed)
        if refused:
            return 1, f"Failure [{refused}]\n"
        app_dir = self.device.host_path(f"/data/app/{pkg}-1")
        app_dir.mkdir(parents=True, exist_ok=True)
        (app_dir / "base.apk").write_bytes(host.read_bytes())
        self.device.host_path(f"/data/data/{pkg}").mkdir(parents=True, exist_ok=True)
        self.packages[pkg] = {"path": f"/data/app/{pkg}-1/base.apk", "system": False,
                              "granted": set(), "requested": requested,
                              "signers": {c.sha256 for c in parsed.certificates},
                              "compiler_filter": "speed-profile"}
        return 0, "Success\n"

    def _install_refusal(self, apk, pkg: str, parsed) -> str | None:
        """Why PackageManager refuses this APK ("CODE: message"), or None. The checks the
        double makes, in install order (android14-release): free space for the copy
        (PackageInstallerSession, INSUFFICIENT_STORAGE; `data_free_bytes` is the test knob),
        minSdkVersion against the platform (ParsingPackageUtils.computeMinSdkVersion,
        OLDER_SDK), native libraries for none of ro.product.cpu.abilist
        (PackageAbiHelperImpl/NativeLibraryHelper.findSupportedAbi -> NO_MATCHING_ABIS,
        res=-113 = INSTALL_FAILED_NO_MATCHING_ABIS), and an update signed by other keys than
        the installed copy (InstallPackageHelper, UPDATE_INCOMPATIBLE)."""
        if self.data_free_bytes is not None and apk.stat().st_size > self.data_free_bytes:
            return "INSTALL_FAILED_INSUFFICIENT_STORAGE"
        sdk = int(self.props.get("ro.build.version.sdk", "0") or 0)
        if parsed.min_sdk and parsed.min_sdk > sdk:
            return (f"INSTALL_FAILED_OLDER_SDK: Failed parse during installPackageLI: "
                    f"Requires newer sdk version #{parsed.min_sdk} (current version is #{sdk})")
        import zipfile

        with zipfile.ZipFile(apk) as z:
            abis = {n.split("/")[1] for n in z.namelist()
                    if n.startswith("lib/") and n.endswith(".so") and n.count("/") >= 2}
        supported = [a for a in self.props.get("ro.product.cpu.abilist", "").split(",") if a]
        if abis and not abis & set(supported):
            return "INSTALL_FAILED_NO_MATCHING_ABIS: Failed to extract native libraries, res=-113"
        installed = self.packages.get(pkg)
        signers = {c.sha256 for c in parsed.certificates}
        if installed is not None and installed.get("signers") is not None \
                and installed["signers"] != signers:
            return (f"INSTALL_FAILED_UPDATE_INCOMPATIBLE: Existing package {pkg} signatures "
                    "do not match newer version; ignoring!")
        return None

    # ------------------------------------------------------------------ activity + input

    def am(self, uid: int, args: list[str]) -> tuple[int, str]:
        # frameworks/base/services/core/java/com/android/server/am/ActivityManagerShellCommand.java
        self.events.append(("am", *args))
        if args[:1] == ["force-stop"] and len(args) >= 2:
            self.device.stop_app(args[-1])
            self.window_manager.forget(args[-1])
            return 0, ""
        if args[:1] in (["set-debug-app"], ["clear-debug-app"]):
            return self._set_debug_app(args)
        if args[:1] == ["start"]:
            comp = args[args.index("-n") + 1] if "-n" in args else ""
            pkg = comp.split("/")[0]
            if pkg not in self.packages:
                return 0, (f"Starting: Intent {{ cmp={comp} }}\nError type 3\nError: Activity "
                           f"class {{{comp}}} does not exist.\n")
            # -D: START_FLAG_DEBUG (ActivityManagerShellCommand.makeIntent, android14-release):
            # a process started for it waits for the debugger before the app's code runs
            self._launch(pkg, wait_for_debugger="-D" in args)
            return 0, f"Starting: Intent {{ cmp={comp} }}\n"
        return 255, f"Unknown command: {args[0] if args else ''}\n"

    def _set_debug_app(self, args: list[str]) -> tuple[int, str]:
        # ActivityManagerShellCommand.runSetDebugApp / runClearDebugApp (android14-release):
        # `set-debug-app [-w] [--persistent] PACKAGE` -> setDebugApp(pkg, wait, persistent);
        # clear-debug-app -> setDebugApp(null, false, true). Both print nothing.
        if args[0] == "clear-debug-app":
            self.debug_app = None
            return 0, ""
        wait = persistent = False
        rest = args[1:]
        while rest and rest[0].startswith("-"):
            opt = rest.pop(0)
            if opt == "-w":
                wait = True
            elif opt == "--persistent":
                persistent = True
            else:
                return 255, f"Error: Unknown option: {opt}\n"
        if not rest:
            return 255, "Error: Argument expected after \"set-debug-app\"\n"
        self.debug_app = (rest[0], wait, persistent)
        return 0, ""

    def _launch(self, package: str, wait_for_debugger: bool = False) -> None:
        if package in self.packages and not self.packages[package]["system"]:
            if self.device.app_running(package):  # the running app's task comes to the front
                self.window_manager.to_front(package, self.device.app_running)
                return
            # ActivityManagerService.attachApplicationLocked: the debug app's process (matched
            # by process name) waits for the debugger when -w was given; a transient setting
            # (no --persistent) is used once
            if self.debug_app is not None and self.debug_app[0] == package:
                wait_for_debugger = wait_for_debugger or self.debug_app[1]
                if not self.debug_app[2]:
                    self.debug_app = None
            self.device.launch_app(package, self.settings["global"].get("http_proxy"),
                                   wait_for_debugger=wait_for_debugger)

    def input(self, uid: int, args: list[str]) -> tuple[int, str]:
        # frameworks/base/services/core/java/com/android/server/input/InputShellCommand.java
        # (android14-release; `input` is `cmd input`): [SOURCE] [-d DISPLAY] COMMAND ARGS;
        # tap/keyevent print nothing and return once the event is handled
        # (INJECT_INPUT_EVENT_MODE_WAIT_FOR_FINISH); a bad number is an
        # IllegalArgumentException, which ShellCommand prints (exit 255)
        self.events.append(("input", *args))
        rest = list(args)
        if rest[:1] and rest[0] in ("keyboard", "dpad", "gamepad", "touchscreen", "mouse",
                                    "stylus", "trackball", "touchpad", "touchnavigation",
                                    "joystick"):
            rest = rest[1:]
        if rest[:1] == ["-d"]:
            rest = rest[2:]
        verb, params = (rest[0], rest[1:]) if rest else ("", [])
        wm, running = self.window_manager, self.device.app_running
        try:
            if verb == "tap" and len(params) == 2:
                wm.tap(float(params[0]), float(params[1]), running)
                return 0, ""
            if verb == "keyevent" and params:
                from tests.device_double.window_manager import key_code

                for name in (p for p in params if not p.startswith("--")):
                    wm.key(key_code(name), running)
                return 0, ""
        except ValueError:
            return 255, (f"\nException occurred while executing '{verb}':\njava.lang."
                         f"IllegalArgumentException: Error: Invalid arguments for command: {verb}\n")
        if verb in ("text", "swipe") and params:
            return 0, ""  # no text fields or scrolling views in the stub framework
        # BasicShellCommandHandler.handleDefaultCommands: anything else
        return 255, f"Unknown command: {verb}\n"

    def uiautomator(self, uid: int, args: list[str]) -> tuple[int, str]:
        # frameworks/base cmds/uiautomator/cmds/uiautomator/src/com/android/commands/uiautomator/
        # DumpCommand.java: the active window's hierarchy to FILE (default
        # /sdcard/window_dump.xml), then its path is printed (sic "hierchary")
        if args[:1] != ["dump"]:
            return 1, "Usage: uiautomator <subcommand> [options]\n"
        if self.dump_failures:  # test knob: DumpCommand's error paths print to stderr and
            # return (status 0): waitForIdle's TimeoutException, or no root in the window
            return 0, f"ERROR: {self.dump_failures.pop(0)}\n"
        target = next((a for a in args[1:] if not a.startswith("-")), "/sdcard/window_dump.xml")
        host = self.device.host_path(target)
        host.parent.mkdir(parents=True, exist_ok=True)
        host.write_text(self.window_manager.dump_xml(self.device.app_running), encoding="utf-8")
        return 0, f"UI hierchary dumped to: {target}\n"

    def monkey(self, uid: int, args: list[str]) -> tuple[int, str]:
        # development/cmds/monkey/src/com/android/commands/monkey/Monkey.java: with -p naming no
        # installed launchable package: "** No activities found to run, monkey aborted."
        self.events.append(("monkey", *args))
        pkgs = [args[i + 1] for i, a in enumerate(args[:-1]) if a == "-p"]
        count = args[-1] if args and args[-1].isdigit() else "0"
        seed = args[args.index("-s") + 1] if "-s" in args else str(random.randrange(1 << 31))
        if any(p not in self.packages for p in pkgs):
            return 0, "** No activities found to run, monkey aborted.\n"
        for p in pkgs:  # the walk starts with the package's launcher activity
            self._launch(p)
        allowed = "".join(f":AllowPackage: {p}\n" for p in pkgs)
        return 0, (f":Monkey: seed={seed} count={count}\n{allowed}"
                   ":IncludeCategory: android.intent.category.LAUNCHER\n"
                   f"Events injected: {count}\n:Sending rotation degrees=0, persist=false\n"
                   "## Network stats: elapsed time=100ms (0ms mobile, 0ms wifi, 100ms not connected)\n"
                   "// Monkey finished\n")
