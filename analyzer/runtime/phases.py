"""Consent phase and app state at any instant, from the recorded consent answers and lifecycle
changes: the one place a phase is decided by time. The session phases each event as it arrives
(and again after a consent marked late), the merge of several processes phases reads by the
answers of all of them, and correlate phases each request by its time."""
from __future__ import annotations

import bisect
from typing import Iterable

from privascope.model import AppState, AppStateChange, ConsentEvent, ConsentKind, ConsentPhase


class PhaseClock:
    """The last accept or reject at or before an instant decides its phase (a user may reject,
    then accept); answers at the same instant count in the order recorded. A dialog shown is
    not an answer."""

    def __init__(self, consent: Iterable[ConsentEvent], states: Iterable[AppStateChange] = ()):
        answers = sorted((c for c in consent if c.kind in (ConsentKind.ACCEPT, ConsentKind.REJECT)),
                         key=lambda c: c.time)
        self._answer_times = [c.time for c in answers]
        self._answers = [ConsentPhase.AFTER_ACCEPT if c.kind == ConsentKind.ACCEPT
                         else ConsentPhase.AFTER_REJECT for c in answers]
        changes = sorted(states, key=lambda s: s.time)
        self._state_times = [s.time for s in changes]
        self._states = [s.state for s in changes]

    def phase_at(self, t: float) -> ConsentPhase:
        i = bisect.bisect_right(self._answer_times, t)
        return self._answers[i - 1] if i else ConsentPhase.BEFORE

    def state_at(self, t: float) -> AppState:
        i = bisect.bisect_right(self._state_times, t)
        return self._states[i - 1] if i else AppState.UNKNOWN
