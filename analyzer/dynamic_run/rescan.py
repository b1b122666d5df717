"""Late canaries: a request can reach the proxy before the value it carries reaches the canary
store. The app reads the IMEI and posts it a millisecond later, while the agent's message about
the read is still on its way (Frida's message thread, then the session worker). The live match
then misses it.

The proxy's `RequestKeeper` addon (privascope.hooks.mitm_keeper) keeps what was analysed;
once the run is over and the store holds every value the agent saw, `rescan` analyses each kept
request again and replaces the live result. Ids, times, consent phase and app state of the
events stay as recorded live. Which read a value came from is decided later, by correlate.
"""
from __future__ import annotations

import dataclasses
from typing import Mapping

from privascope.model import TrafficEvent
from privascope.traffic.fragments import RequestView


def rescan(analyzer, events: list[TrafficEvent],
           kept: Mapping[str, RequestView]) -> list[TrafficEvent]:
    """Each event whose request was kept (event id -> request), analysed again with the final
    canary store; the others as they were."""
    if analyzer is None:
        return list(events)
    out = []
    for event in events:
        view = kept.get(event.id)
        if view is None:
            out.append(event)
            continue
        fresh = analyzer.analyze_request(view, (event.consent_phase, event.app_state))
        out.append(dataclasses.replace(
            event, matches=fresh.matches, path=fresh.path, truncated=fresh.truncated,
            related_events=fresh.related_events))
    return out
