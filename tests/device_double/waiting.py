"""Bounded polling for the double's tests: what a device does (an app printing, a window
appearing, a process ending) is seen by looking again, never by sleeping a fixed time."""
from __future__ import annotations

import time
from typing import Callable


def wait_for(predicate: Callable[[], object], seconds: float) -> bool:
    """True as soon as predicate() is truthy; False once `seconds` have passed without it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return bool(predicate())
