"""Find the consent dialog on a device screen and click its accept or reject button.

The screen comes from `uiautomator dump` (an XML hierarchy of nodes with text, content-desc,
clickable and bounds="[x1,y1][x2,y2]"); the click is `input tap X Y`. Everything between is pure
logic over the XML (`plan_consent_taps`), unit-tested on hand-written dumps.

Matching is by text, because that is what a user reads: a dialog is a consent dialog when some
node mentions the privacy policy; buttons are ranked by how exactly their text says accept or
reject. "不同意" contains "同意", so reject words are checked before accept words. The words are
data: the catalog's consent vocabulary (consent.yaml), shared with the agent and the static scan.
"""
from __future__ import annotations

import dataclasses

import functools
import re
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Callable, Optional, Protocol

from privascope.catalog import ConsentVocabulary, load_catalog

_BOUNDS = re.compile(r"^\[(-?\d+),(-?\d+)\]\[(-?\d+),(-?\d+)\]$")
_SPACE = re.compile(r"[\s\u3000《》<>「」\"“”!！。.,，:：]+")
_APOSTROPHE = re.compile(r"['‘’]")


class UiError(Exception):
    """The screen could not be read (bad dump, device gone)."""


@dataclass(frozen=True)
class ConsentWords:
    dialog_markers: tuple[str, ...]
    accept_exact: tuple[str, ...]
    accept_words: tuple[str, ...]
    reject_exact: tuple[str, ...]
    reject_words: tuple[str, ...]
    tick_words: tuple[str, ...]
    max_button_length: int = 24


@functools.lru_cache(maxsize=4)
def load_words(vocabulary: Optional[ConsentVocabulary] = None) -> ConsentWords:
    """The consent vocabulary (the default catalog's unless given), normalised like the texts
    it is compared with. Policy phrases are the dialog markers."""
    v = vocabulary if vocabulary is not None else load_catalog().consent
    assert v is not None, "load_catalog sets the consent vocabulary"

    def n(words) -> tuple[str, ...]:
        return tuple(dict.fromkeys(normalise(w) for w in words))
    return ConsentWords(dialog_markers=n(v.policy_phrases), accept_exact=n(v.accept_exact),
                        accept_words=n(v.accept_words), reject_exact=n(v.reject_exact),
                        reject_words=n(v.reject_words), tick_words=n(v.tick_words),
                        max_button_length=v.max_button_length)


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
    # host time taken just before the answer's `input tap` was sent: when the user answered
    # (the driver marks consent at this moment when the agent missed the click)
    tapped_at: Optional[float] = None


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


def classify_button(text: str, words: Optional[ConsentWords] = None) -> tuple[Optional[str], int]:
    """-> ("accept" | "reject" | None, score); a higher score is a surer match."""
    w = words or load_words()
    t = normalise(text)
    if not t or len(t) > w.max_button_length:  # long texts are the policy, not a button
        return None, 0
    if t in w.reject_exact:
        return "reject", 3
    if t in w.accept_exact:
        return "accept", 3
    if any(x in t for x in w.reject_words):
        return "reject", 1
    if any(x in t for x in w.tick_words):
        return "accept", 0  # "我已阅读并同意…": a last resort, a real button beats it
    if any(x in t for x in w.accept_words):
        return "accept", 1
    return None, 0


def find_dialog_marker(nodes: list[Node], words: Optional[ConsentWords] = None) -> Optional[Node]:
    w = words or load_words()
    for node in nodes:
        low = normalise(node.text)
        if any(m in low for m in w.dialog_markers):
            return node
    return None


def plan_consent_taps(xml_text: str, answer: str,
                      words: Optional[ConsentWords] = None) -> Optional[ConsentPlan]:
    """The taps that give `answer` ("accept" | "reject") to the consent dialog on this screen,
    or None when no consent dialog with such a button is visible."""
    if answer not in ("accept", "reject"):
        raise ValueError(f"answer must be accept or reject, not {answer!r}")
    words = words or load_words()
    nodes = parse_hierarchy(xml_text)
    marker = find_dialog_marker(nodes, words)
    if marker is None:
        return None
    candidates = []
    for node in nodes:
        kind, score = classify_button(node.text, words)
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
        tick = _unticked_box(nodes, words)
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


def _unticked_box(nodes: list[Node], words: ConsentWords) -> Optional[Node]:
    for node in nodes:
        if node.checkable and not node.checked and node.enabled and node.area > 0:
            label = normalise(_tick_text(node, nodes))
            if any(w in label for w in words.tick_words + words.accept_words):
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
# What uiautomator prints when the screen could not be read yet (frameworks/base cmds/
# uiautomator DumpCommand.java, android14-release): waitForIdle(1000 ms idle, 10 s timeout)
# timed out, e.g. a splash animation; or no active window (between activities). Both pass.
DUMP_TRANSIENT = ("could not get idle state", "null root node returned")
# one attempt: up to 10 s of idle wait on Android 12+, then the dump itself
DUMP_ATTEMPT_TIMEOUT = 25.0
DUMP_BUDGET = 40.0  # all attempts of one dump, on the host's monotonic clock
DUMP_PAUSE = 0.5


def dump_screen(device: Shell, budget: float = DUMP_BUDGET, pause: float = DUMP_PAUSE,
                attempt_timeout: float = DUMP_ATTEMPT_TIMEOUT,
                sleep: Callable[[float], None] = time.sleep,
                clock: Callable[[], float] = time.monotonic) -> str:
    """The screen's hierarchy XML. A dump that fails with one of DUMP_TRANSIENT, or gives no
    answer within its attempt's time, is tried again after `pause` until `budget` seconds
    have passed on `clock` (at least one attempt); anything else fails at once. UiError."""
    from privascope.runtime.adb import AdbTimeout

    start = clock()
    end = start + budget
    attempts = 0
    while True:
        attempts += 1
        per_attempt = max(5.0, min(attempt_timeout, end - clock()))
        try:
            out = device.shell(["uiautomator", "dump", DUMP_PATH], timeout=per_attempt)
        except AdbTimeout:
            out, transient = f"no answer within {per_attempt:.0f} s", True
        else:
            if "dumped to" in out.lower():
                return device.shell(["cat", DUMP_PATH], timeout=per_attempt)
            transient = any(m in out for m in DUMP_TRANSIENT)
        if not transient or clock() + pause >= end:
            raise UiError(f"uiautomator dump failed ({attempts} attempt(s) in "
                          f"{clock() - start:.0f} s): {out.strip()[:120] or 'no output'}")
        sleep(pause)


def click_consent(device: Shell, answer: str, timeout: float = 15.0, poll: float = 1.0,
                  sleep: Callable[[float], None] = time.sleep,
                  second_chances: int = 2,
                  clock: Callable[[], float] = time.monotonic) -> Optional[ConsentPlan]:
    """Wait up to `timeout` seconds (on `clock`) for a consent dialog, then tap `answer`.
    Returns the plan that was carried out, or None when no dialog appeared.

    Many apps answer a refusal with a second dialog ("您需要同意…才能继续", 仍不同意 / 退出应用):
    a user who refuses keeps refusing, so after a reject up to `second_chances` follow-up
    consent dialogs are refused too."""
    deadline = clock() + timeout
    while True:
        plan = _plan_now(device, answer, deadline - clock(), sleep, clock)
        if plan is not None:
            plan = _tap(device, plan, sleep)
            if answer == "reject":
                for _ in range(second_chances):
                    sleep(0.8)  # let the next dialog (if any) appear
                    again = _plan_now(device, answer, DUMP_BUDGET, sleep, clock)
                    if again is None:
                        break
                    _tap(device, again, sleep)
            return plan
        left = deadline - clock()
        if left <= 0:
            return None
        sleep(min(poll, left))


def _plan_now(device: Shell, answer: str, budget: float, sleep: Callable[[float], None],
              clock: Callable[[], float]) -> Optional[ConsentPlan]:
    try:
        return plan_consent_taps(dump_screen(device, budget=max(budget, 0.0), sleep=sleep,
                                             clock=clock), answer)
    except UiError:
        return None  # no readable screen yet: the caller tries again while time remains


def _tap(device: Shell, plan: ConsentPlan, sleep: Callable[[float], None]) -> ConsentPlan:
    """Carry out the taps; the plan back with the time of the last (the answer's) tap."""
    tapped_at = None
    for tap in plan.taps:
        tapped_at = time.time()
        device.shell(["input", "tap", str(tap.x), str(tap.y)])
        sleep(0.4)
    return dataclasses.replace(plan, tapped_at=tapped_at)
