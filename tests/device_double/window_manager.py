"""The screen of the double: WindowManagerService + InputDispatcher for its app processes.

An app process (a JVM program with the host app's stub framework) gets a display through the
system property `android.double.display=DIR`, a host directory the double owns for its package
(`jvm_options`). Its stub WindowManagerGlobal (samples/jvm_host/src/android/view) publishes the
windows it shows there as `windows.json` (z-order, a 1080x2400 layout, the view tree) and serves
the unix socket `input`: one line per connection (`tap X Y`, `key CODE`, `background`,
`foreground`), answered once handled. This module is the system side:
- the focused app: the last one launched and not sent HOME (PhoneWindowManager takes HOME before
  any app sees it and brings up the home screen; am start / monkey bring the app back);
- `dump_xml`: the active window as `uiautomator dump` writes it (the app's top visible window,
  else SystemUI's);
- `tap` / `key`: to the focused app's input channel. As on Android an event with no window to
  take it is dropped and the `input` command still succeeds.
"""
from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path
from typing import Optional
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 1080, 2400
KEYCODE_HOME, KEYCODE_BACK = 3, 4
# frameworks/base core/java/android/view/KeyEvent.java (android14-release): the key names
# `input keyevent` takes here (keyCodeFromString: a number, else the name without KEYCODE_)
KEYCODES = {"HOME": KEYCODE_HOME, "BACK": KEYCODE_BACK, "MENU": 82, "APP_SWITCH": 187,
            "ENTER": 66, "TAB": 61, "DPAD_CENTER": 23, "WAKEUP": 224, "POWER": 26}
INPUT_TIMEOUT = 10.0  # one event, bounded: a hung app must not hang the shell command
SYSTEMUI = {"class": "android.widget.FrameLayout", "text": "", "clickable": False,
            "enabled": True, "bounds": [0, 0, WIDTH, HEIGHT], "children": []}


def key_code(name: str) -> int:
    """KeyEvent.keyCodeFromString: 0 (KEYCODE_UNKNOWN) for a name it does not know."""
    if name.isdigit():
        return int(name)
    return KEYCODES.get(name.removeprefix("KEYCODE_"), 0)


class WindowManager:
    def __init__(self, workdir: Path):
        self.root = workdir / "display"
        self.front: Optional[str] = None  # the focused app's package; None: the home screen

    def display_dir(self, package: str) -> Path:
        return self.root / package

    def jvm_options(self, package: str) -> list[str]:
        """The display of a freshly launched app process (its old windows are gone), and the
        package name ActivityThread would give it. The launched app comes to the front."""
        d = self.display_dir(package)
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
        self.front = package
        return [f"-Dandroid.double.display={d}", f"-Dandroid.app.package={package}"]

    def forget(self, package: str) -> None:
        """The app process ended (force-stop, pm clear): its windows are gone."""
        shutil.rmtree(self.display_dir(package), ignore_errors=True)
        if self.front == package:
            self.front = None

    # ------------------------------------------------------------------ windows

    def windows(self, package: str) -> list[dict]:
        path = self.display_dir(package) / "windows.json"
        try:
            return list(json.loads(path.read_text(encoding="utf-8"))["windows"])
        except (OSError, ValueError, KeyError):
            return []  # no display yet, or the app never showed a window

    def active_window(self, running) -> tuple[str, dict]:
        """(package, root node) of the window uiautomator's getRootInActiveWindow returns: the
        focused app's top visible window, else SystemUI's."""
        if self.front is not None and running(self.front):
            shown = [w for w in self.windows(self.front) if w.get("visible")]
            if shown:
                return shown[-1].get("package") or self.front, shown[-1]["root"]
        return "com.android.systemui", SYSTEMUI

    def dump_xml(self, running) -> str:
        # frameworks/base cmds/uiautomator/library/core-src/com/android/uiautomator/core/
        # AccessibilityNodeInfoDumper.java (android14-release): XmlSerializer output, one line;
        # attributes in this order; NAF only on clickable nodes without any text; bounds
        # clipped to the display
        package, root = self.active_window(running)
        out = ["<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>",
               '<hierarchy rotation="0">']
        _node(root, 0, package, out)
        out.append("</hierarchy>")
        return "".join(out)

    # ------------------------------------------------------------------ input

    def _send(self, package: str, line: str) -> Optional[str]:
        path = self.display_dir(package) / "input"
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(INPUT_TIMEOUT)
        try:
            sock.connect(str(path))
            sock.sendall(line.encode() + b"\n")
            reply = b""
            while not reply.endswith(b"\n"):
                chunk = sock.recv(256)
                if not chunk:
                    break
                reply += chunk
            return reply.decode(errors="replace").strip()
        except OSError:
            return None  # no input channel (no window yet, or the process is gone): dropped
        finally:
            sock.close()

    def tap(self, x: float, y: float, running) -> Optional[str]:
        if self.front is None or not running(self.front):
            return None  # the home screen takes it
        return self._send(self.front, f"tap {x:g} {y:g}")

    def key(self, code: int, running) -> Optional[str]:
        if code == KEYCODE_HOME:
            # PhoneWindowManager.interceptKeyBeforeDispatching: HOME starts the home activity;
            # the app's activities are paused and stopped, it sees no key
            package, self.front = self.front, None
            if package is not None and running(package):
                return self._send(package, "background")
            return None
        if self.front is None or not running(self.front):
            return None
        return self._send(self.front, f"key {code}")

    def to_front(self, package: str, running) -> Optional[str]:
        """am start / monkey on a running app: its task comes back (onStart, onResume). Sent
        even when it still has the focus: BACK on its root activity moved the task to the back
        without the system's HOME (the app restarts only what it stopped)."""
        self.front = package
        if running(package):
            return self._send(package, "foreground")
        return None


_ATTR = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}


def _xml_text(text: str) -> str:
    """AccessibilityNodeInfoDumper.stripInvalidXMLChars: characters XML 1.1 forbids become '.'."""
    return "".join("." if (0x1 <= ord(c) <= 0x8 or 0xB <= ord(c) <= 0xC or 0xE <= ord(c) <= 0x1F
                           or 0x7F <= ord(c) <= 0x84 or 0x86 <= ord(c) <= 0x9F
                           or 0xFDD0 <= ord(c) <= 0xFDDF or (ord(c) & 0xFFFE) == 0xFFFE)
                   else c for c in text)


def _flag(value) -> str:
    return "true" if value else "false"


def _has_text(node: dict) -> bool:
    return any(c.get("text") or _has_text(c) for c in node.get("children", []))


def _node(node: dict, index: int, package: str, out: list[str]) -> None:
    x1, y1, x2, y2 = node.get("bounds", [0, 0, 0, 0])
    x1, x2 = max(0, min(x1, WIDTH)), max(0, min(x2, WIDTH))
    y1, y2 = max(0, min(y1, HEIGHT)), max(0, min(y2, HEIGHT))
    text = _xml_text(node.get("text") or "")
    clickable, enabled = bool(node.get("clickable")), node.get("enabled", True) is not False
    attrs = []
    if clickable and enabled and not text and not _has_text(node):
        attrs.append(("NAF", "true"))  # not accessibility friendly: a clickable without text
    attrs += [("index", str(index)), ("text", text), ("resource-id", ""),
              ("class", node.get("class", "android.view.View")), ("package", package),
              ("content-desc", ""), ("checkable", "false"), ("checked", "false"),
              ("clickable", _flag(clickable)), ("enabled", _flag(enabled)),
              ("focusable", _flag(clickable)), ("focused", "false"), ("scrollable", "false"),
              ("long-clickable", "false"), ("password", "false"), ("selected", "false"),
              ("bounds", f"[{x1},{y1}][{x2},{y2}]")]
    out.append("<node " + " ".join(f'{k}="{escape(v, _ATTR)}"' for k, v in attrs))
    # views of no size are not visible to the user: the dumper skips them
    children = [c for c in node.get("children", []) if _visible(c)]
    if not children:
        out.append(" />")
        return
    out.append(">")
    for i, child in enumerate(node.get("children", [])):
        if _visible(child):
            _node(child, i, package, out)
    out.append("</node>")


def _visible(node: dict) -> bool:
    x1, y1, x2, y2 = node.get("bounds", [0, 0, 0, 0])
    return x2 > x1 and y2 > y1
