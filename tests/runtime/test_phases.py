"""runtime.phases.PhaseClock: the one decision of a consent phase by time (the session, the
merge of processes and correlate all ask it)."""
from __future__ import annotations

from privascope.model import AppState, AppStateChange, ConsentEvent, ConsentKind, ConsentPhase
from privascope.runtime.phases import PhaseClock


def test_the_last_answer_at_or_before_decides_and_a_shown_dialog_is_no_answer():
    consent = [ConsentEvent("c1", 5.0, ConsentKind.DIALOG_SHOWN, "agent"),
               ConsentEvent("c2", 10.0, ConsentKind.REJECT, "scenario"),
               ConsentEvent("c3", 20.0, ConsentKind.ACCEPT, "agent")]
    clock = PhaseClock(reversed(consent))  # recorded order does not matter across times
    assert clock.phase_at(9.9) is ConsentPhase.BEFORE
    assert clock.phase_at(10.0) is ConsentPhase.AFTER_REJECT
    assert clock.phase_at(19.9) is ConsentPhase.AFTER_REJECT
    assert clock.phase_at(20.0) is ConsentPhase.AFTER_ACCEPT


def test_answers_at_the_same_instant_count_in_recorded_order():
    same = [ConsentEvent("c1", 3.0, ConsentKind.ACCEPT, "agent"),
            ConsentEvent("c2", 3.0, ConsentKind.REJECT, "ui_automation")]
    assert PhaseClock(same).phase_at(3.0) is ConsentPhase.AFTER_REJECT
    assert PhaseClock(reversed(same)).phase_at(3.0) is ConsentPhase.AFTER_ACCEPT


def test_app_state_at_an_instant():
    clock = PhaseClock((), [AppStateChange("s1", 0.5, AppState.FOREGROUND),
                            AppStateChange("s2", 11.0, AppState.BACKGROUND)])
    assert clock.state_at(0.1) is AppState.UNKNOWN
    assert clock.state_at(0.5) is AppState.FOREGROUND
    assert clock.state_at(11.5) is AppState.BACKGROUND
