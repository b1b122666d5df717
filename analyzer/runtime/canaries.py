"""`CanarySink`: the one interface through which runtime instrumentation hands the raw values the
agent saw to whoever matches them in traffic (privascope.traffic.CanaryStore is one). Raw values
travel only through it, in memory: a sink must not write or log them.

`PrefixedSink` keeps source ids unique when one run joins several sessions (one per process):
ids restart in every session, so later sessions' ids carry a prefix ("s2-rt-00001").
"""
from __future__ import annotations

from typing import Any, Optional, Protocol, runtime_checkable


@runtime_checkable
class CanarySink(Protocol):
    def add(self, pi_type: str, value: str, source_event_id: Optional[str] = None) -> Any:
        """One raw value of `pi_type`, read by the runtime event `source_event_id` (or, for a
        static field read at hook time, the API id)."""


class PrefixedSink:
    """A sink that hands values on to `sink` with `prefix` before their source id."""

    def __init__(self, sink: CanarySink, prefix: str):
        self.sink = sink
        self.prefix = prefix

    def add(self, pi_type: str, value: str, source_event_id: Optional[str] = None) -> Any:
        source = self.prefix + source_event_id if source_event_id is not None else None
        return self.sink.add(pi_type, value, source)


def prefixed(sink: CanarySink, prefix: str) -> CanarySink:
    return PrefixedSink(sink, prefix) if prefix else sink
