"""Find the consent dialog on a device screen and click its accept or reject button.

The screen comes from `uiautomator dump` (an XML hierarchy of nodes with text, content-desc,
clickable and bounds="[x1,y1][x2,y2]"); the click is `input tap X Y`. Everything between is pure
logic over the XML (`plan_consent_taps`), unit-tested on hand-written dumps.

Matching is by text, because that is what a user reads: a dialog is a consent dialog when some
node mentions the privacy policy; buttons are ranked by how exactly their text says accept or
reject. "不同意" contains "同意", so reject words are checked before accept words.
"""
from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Callable, Optional, Protocol

# Text that marks a consent dialog (隐私政策 = privacy policy, 隐私协议 = privacy agreement,
# 个人信息保护 = personal information protection, 用户协议 = user agreement).
DIALOG_MARKERS = ("隐私政策", "隐私协议", "隐私条款", "隐私保护", "个人信息保护", "用户协议",
                  "隐私权", "privacy policy", "privacy notice", "terms of service")

# Exact texts (after normalisation) first, then words contained in longer labels.
ACCEPT_EXACT = ("同意", "同意并继续", "同意并进入", "同意并使用", "我同意", "同意协议", "接受",
                "接受并继续", "好的", "我知道了", "确定", "agree", "i agree", "accept",
                "agree and continue", "accept and continue", "accept all", "continue", "ok")
ACCEPT_WORDS = ("同意", "接受", "agree", "accept")
REJECT_EXACT = ("不同意", "不同意并退出", "暂不同意", "拒绝", "拒绝并退出", "退出", "退出应用",
                "不接受", "仅浏览", "暂不使用", "取消", "disagree", "decline", "reject",
                "do not agree", "dont agree", "no thanks", "exit", "cancel")
REJECT_WORDS = ("不同意", "拒绝", "不接受", "退出", "disagree", "decline", "reject", "not agree",
                "dont agree")
# "I have read and agree" tick boxes that some dialogs require before accept works
TICK_WORDS = ("已阅读", "已阅读并同意", "我已阅读", "i have read", "read and agree")

_BOUNDS = re.compile(r"^\[(-?\d+),(-?\d+)\]\[(-?\d+),(-?\d+)\]$")
_SPACE = re.compile(r"[\s\u3000《》<>「」\"“”!！。.,，:：]+")
_APOSTROPHE = re.compile(r"['‘’]")


class UiError(Exception):
    """The screen could not be read (bad dump, device gone)."""


@dataclass(frozen=True)
class Node:
    text: str  # text, or content-desc when the text is empty
    clickable: bool
    enabled: bool
    checkable: bool
    checked: bool
    bounds: tuple[int, int, int, int]
    depth: int
    path: tuple[int, ...]  # child indexes from the root: lets us find common ancestors

    @property
    def center(self) -> tuple[int, int]:
        x1, y1, x2, y2 = self.bounds
        return ((x1 + x2) // 2, (y1 + y2) // 2)

    @property
    def area(self) -> int:
        x1, y1, x2, y2 = self.bounds
        return max(0, x2 - x1) * max(0, y2 - y1)


@dataclass(frozen=True)
class Tap:
    x: int
    y: int
    text: str  # what is tapped (app-controlled: escape when shown)
    reason: str  # "button" | "tick-box"


@dataclass(frozen=True)
class ConsentPlan:
    dialog_text: str  # the marker text found (short excerpt)
    taps: tuple[Tap, ...]


def parse_bounds(text: str) -> Optional[tuple[int, int, int, int]]:
    m = _BOUNDS.match(text.strip()) if text else None
    return tuple(int(g) for g in m.groups()) if m else None  # type: ignore[return-value]


def parse_hierarchy(xml_text: str) -> list[Node]:
    """All nodes of a uiautomator dump in document order. Raises UiError on anything else."""
    if "<!DOCTYPE" in xml_text or "<!ENTITY" in xml_text:
        raise UiError("UI dump contains a DTD; refusing to parse it")
    try:
        root = ET.fromstring(xml_text.strip())
    except ET.ParseError as exc:
        raise UiError(f"UI dump is not valid XML: {exc}") from None
    if root.tag != "hierarchy":
        raise UiError(f"UI dump root is <{root.tag}>, expected <hierarchy>")
    nodes: list[Node] = []

    def walk(el: ET.Element, depth: int, path: tuple[int, ...]) -> None:
        for i, child in enumerate(c for c in el if c.tag == "node"):
            cpath = path + (i,)
            bounds = parse_bounds(child.get("bounds", ""))
            if bounds is not None:
                text = (child.get("text") or "").strip() or (child.get("content-desc") or "").strip()
                nodes.append(Node(
                    text=text, clickable=child.get("clickable") == "true",
                    enabled=child.get("enabled", "true") != "false",
                    checkable=child.get("checkable") == "true",
                    checked=child.get("checked") == "true",
                    bounds=bounds, depth=depth + 1, path=cpath))
            walk(child, depth + 1, cpath)

    walk(root, 0, ())
    return nodes


def normalise(text: str) -> str:
    return _SPACE.sub(" ", _APOSTROPHE.sub("", text)).strip().lower()


def classify_button(text: str) -> tuple[Optional[str], int]:
    """-> ("accept" | "reject" | None, score); a higher score is a surer match."""
    t = normalise(text)
    if not t or len(t) > 24:  # long texts are the policy itself, not a button
        return None, 0
    if t in REJECT_EXACT:
        return "reject", 3
    if t in ACCEPT_EXACT:
        return "accept", 3
    if any(w in t for w in REJECT_WORDS):
        return "reject", 1
    if any(w in t for w in TICK_WORDS):
        return "accept", 0  # "我已阅读并同意…": a last resort, a real button beats it
    if any(w in t for w in ACCEPT_WORDS):
        return "accept", 1
    return None, 0


def find_dialog_marker(nodes: list[Node]) -> Optional[Node]:
    for node in nodes:
        low = node.text.lower()
        if any(m in low for m in DIALOG_MARKERS):
            return node
    return None


def plan_consent_taps(xml_text: str, answer: str) -> Optional[ConsentPlan]:
    """The taps that give `answer` ("accept" | "reject") to the consent dialog on this screen,
    or None when no consent dialog with such a button is visible."""
    if answer not in ("accept", "reject"):
        raise ValueError(f"answer must be accept or reject, not {answer!r}")
    nodes = parse_hierarchy(xml_text)
    marker = find_dialog_marker(nodes)
    if marker is None:
        return None
    candidates = []
    for node in nodes:
        kind, score = classify_button(node.text)
        if kind != answer or not node.enabled:
            continue
        target = _clickable_self_or_ancestor(node, nodes)
        if target.area == 0:
            continue
        near = _common_prefix(node.path, marker.path)  # same dialog as the marker: deeper = nearer
        candidates.append((score, near, target.bounds[1], node, target))
    if not candidates:
        return None
    score, _near, _y, node, target = max(candidates, key=lambda c: (c[0], c[1], c[2]))
    taps = []
    if answer == "accept":
        tick = _unticked_box(nodes)
        if tick is not None:
            taps.append(Tap(*tick.center, text=_tick_text(tick, nodes), reason="tick-box"))
    x, y = target.center
    taps.append(Tap(x, y, text=node.text, reason="button"))
    return ConsentPlan(dialog_text=marker.text[:80], taps=tuple(taps))


def _clickable_self_or_ancestor(node: Node, nodes: list[Node]) -> Node:
    """A TextView inside a clickable layout: tap the layout's centre (its bounds enclose the
    text). Without a clickable ancestor, tap the text itself."""
    if node.clickable:
        return node
    best = node
    for other in nodes:
        if other.clickable and other.path == node.path[:len(other.path)] and other is not node:
            if best is node or len(other.path) > len(best.path):
                best = other
    return best


def _common_prefix(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def _unticked_box(nodes: list[Node]) -> Optional[Node]:
    for node in nodes:
        if node.checkable and not node.checked and node.enabled and node.area > 0:
            label = _tick_text(node, nodes).lower()
            if any(w in label for w in TICK_WORDS) or "同意" in label or "agree" in label:
                return node
    return None


def _tick_text(box: Node, nodes: list[Node]) -> str:
    if box.text:
        return box.text
    # the label is usually the next sibling: same parent path
    parent = box.path[:-1]
    for node in nodes:
        if node.path[:-1] == parent and node.text:
            return node.text
    return ""


# --------------------------------------------------------------------------- on a device


class Shell(Protocol):
    def shell(self, args: list[str], timeout: float = 30.0) -> str: ...


DUMP_PATH = "/sdcard/privascope-ui.xml"


def dump_screen(device: Shell) -> str:
    out = device.shell(["uiautomator", "dump", DUMP_PATH])
    if "dumped to" not in out.lower():
        # uiautomator prints "ERROR: could not get idle state." while animations run
        raise UiError(f"uiautomator dump failed: {out.strip()[:120]}")
    return device.shell(["cat", DUMP_PATH])


def click_consent(device: Shell, answer: str, timeout: float = 15.0, poll: float = 1.0,
                  sleep: Callable[[float], None] = time.sleep) -> Optional[ConsentPlan]:
    """Wait up to `timeout` seconds for a consent dialog, then tap `answer`. Returns the plan
    that was carried out, or None when no dialog appeared."""
    waited = 0.0
    while True:
        try:
            plan = plan_consent_taps(dump_screen(device), answer)
        except UiError:
            plan = None  # transient: animations, screen off; try again until the timeout
        if plan is not None:
            for tap in plan.taps:
                device.shell(["input", "tap", str(tap.x), str(tap.y)])
                sleep(0.4)
            return plan
        if waited >= timeout:
            return None
        sleep(poll)
        waited += poll
