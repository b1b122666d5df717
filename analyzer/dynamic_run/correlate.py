"""Join what the app read (runtime events) with what it sent (traffic events).

A traffic match of a value the agent saw returned by an API links the request to that API call
(`related_events`), so to the SDK that made it and to the consent phase it happened in. A request
to a host in an SDK's catalog entry counts as that SDK's sharing even when no known value matched.

`correlate` is also the one place that decides whose request a flow is (`origin`): the device's
global proxy carries every process, so on Android only flows the app's own process asked for
(the agent's net:connect records: same host, near in time) are the app's; the rest are device
traffic, kept apart with the reason (privascope.model.app_traffic_only moves them out of the
evidence before judging).

`correlate` is the only place that decides which read a sent value came from: the traffic
stage's canary source (the first read the store saw) is a hint it confirms or replaces. Everything
after it reads that decision from the bundle through `requests_by_read` (read -> the requests
that carried its values): `summarise_reads` (the live panel's end-of-run table) and the HTML
timeline (reports/view.py). Both only read the bundle, so a report re-rendered from JSON shows
the same thing.
"""
from __future__ import annotations

import bisect
import dataclasses
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple, Optional, Sequence

from privascope.model import (Bundle, Destination, Origin, PIMatch,
                            RuntimeEvent, RuntimeEvidence, TrafficEvent)
from privascope.runtime.phases import PhaseClock


def correlate(runtime: Optional[RuntimeEvidence], traffic: Sequence[TrafficEvent],
              sdk_for_host=None) -> tuple[TrafficEvent, ...]:
    """Fill in, for each traffic event: the read each matched value came from, the SDK of a
    catalog host, and the consent phase and app state at the time of the request (the phase
    from the recorded answers whenever there is runtime evidence; otherwise, and for the other
    fields, values the traffic stage already set are kept).

    The read a match links to is the latest read of that value (same digest, same PI type when
    there is one) at or before the request: the canary store remembers only the first read of
    a value, but a request after the refusal carries what was read after the refusal. Without
    a digest match the traffic stage's canary source stands."""
    events = runtime.api_calls if runtime else ()
    by_id = {e.id: e for e in events}
    index: dict[tuple[str, Optional[str]], list[RuntimeEvent]] = defaultdict(list)
    for e in sorted(events, key=lambda e: e.time):
        if e.value is not None:
            index[(e.value.digest, e.pi_type)].append(e)
            index[(e.value.digest, None)].append(e)
    times = {k: [e.time for e in reads] for k, reads in index.items()}
    clock = PhaseClock(runtime.consent if runtime else (), runtime.app_states if runtime else ())
    owner = FlowOwner(runtime)
    out = []
    for t in traffic:
        first_sources = {m.canary_source for m in t.matches if m.canary_source}
        related: list[str] = []
        matches = []
        for m in t.matches:
            key = (m.digest, m.pi_type) if (m.digest, m.pi_type) in index else (m.digest, None)
            if m.digest and key in index:
                source: Optional[str] = _latest_before(index[key], times[key], t.time).id
                if source != m.canary_source:
                    m = dataclasses.replace(m, canary_source=source)
            else:
                source = m.canary_source if m.canary_source in by_id else None
            if source and source not in related:
                related.append(source)
            matches.append(m)
        related += [r for r in t.related_events if r not in first_sources and r not in related]
        sdk, destination = t.sdk, t.destination
        if sdk is None and sdk_for_host is not None:
            found = sdk_for_host(t.host)
            if found is not None:
                sdk, destination = found.id, Destination.THIRD_PARTY
        origin, reason = owner.origin(t)
        out.append(dataclasses.replace(
            t, matches=tuple(matches), related_events=tuple(related), sdk=sdk,
            destination=destination, origin=origin, origin_reason=reason,
            # by time, over the live stamp: both clocks are the host's now (the session
            # corrected the device's), and a consent marked after the fact carries the moment
            # it was given, which the session state at the request did not know yet
            consent_phase=clock.phase_at(t.time) if runtime else t.consent_phase,
            app_state=t.app_state or (clock.state_at(t.time) if runtime else None)))
    return tuple(out)


# --------------------------------------------------------------------------- whose request

# How far a flow's time (the proxy's, host clock) may lie from the app's record of asking for
# its host (device clock, corrected by the session's measured offset). Generous on purpose:
# the offset is only as good as its round trip, a request is recorded when the app's HTTP stack
# connects (before the proxy sees it) and a slow device or retry can add seconds; a flow of
# another process to a host the app never asked for is outside any window.
BEFORE_RECORD = 10.0  # s a flow may appear before the app's record (clock error)
AFTER_RECORD = 120.0  # s a flow may follow it (connect, TLS, slow upload, retries)
# Kinds that say which host an HTTP request was for (socket connects to the proxy do not).
_REQUEST_KINDS = ("http", "okhttp", "webview", "cronet", "socket", "channel")


class FlowOwner:
    """Decides, once per flow, whether the app's own process made it."""

    def __init__(self, runtime: Optional[RuntimeEvidence]):
        self.android = runtime is not None and runtime.target.startswith("android:")
        self.recorded = runtime is not None and bool(runtime.net_hooks or runtime.connections)
        self._times: dict[str, list[tuple[float, str]]] = defaultdict(list)
        for c in runtime.connections if runtime is not None else ():
            if c.kind in _REQUEST_KINDS:
                for name in {c.host, c.ip} - {None}:
                    self._times[str(name).lower()].append((c.time, c.kind))
        for times in self._times.values():
            times.sort()
        # Sockets of the app to the proxy (loopback: privascope's proxy is always there) that no
        # hooked HTTP-stack call opened: a client the agent does not know (obfuscated OkHttp,
        # a native stack honouring the proxy) sent something whose host it cannot name. Flows
        # near them cannot be told from other processes': unknown, not device.
        self._blind = sorted(c.time for c in (runtime.connections if runtime is not None else ())
                             if c.kind in ("socket", "channel", "native") and c.transport == "tcp"
                             and not c.in_http and _is_loopback(c.host or c.ip))

    def origin(self, t: TrafficEvent) -> tuple[Origin, Optional[str]]:
        if not self.android:
            # the JVM target's proxy is the program's own (set by privascope for it alone)
            return Origin.APP, None
        if not self.recorded:
            return Origin.UNKNOWN, ("the app's own connections were not recorded (the agent's "
                                    "network hooks are missing), so this request cannot be told "
                                    "from another process's")
        host = t.host.lower()
        records = self._times.get(host)
        if not records:
            return self._not_asked(t, f"no process of the app asked for {host}")
        # the app's records at or before the flow (allowing for clock error); a WebSocket
        # message may come any time after its connection
        upto = bisect.bisect_right(records, (t.time + BEFORE_RECORD, "~"))
        if upto:
            at, kind = records[upto - 1]
            if t.scheme in ("ws", "wss") or t.time - at <= AFTER_RECORD:
                return Origin.APP, f"the app's process asked for {host} ({kind}) {t.time - at:+.1f}s before"
        nearest = min(records, key=lambda r: abs(r[0] - t.time))[0]
        return self._not_asked(t, (f"the app asked for {host} only {abs(nearest - t.time):.0f}s "
                                   f"away from this request (window {BEFORE_RECORD:.0f}s before "
                                   f"to {AFTER_RECORD:.0f}s after)"))

    def _not_asked(self, t: TrafficEvent, why: str) -> tuple[Origin, str]:
        i = bisect.bisect_right(self._blind, t.time + BEFORE_RECORD)
        if i and t.time - self._blind[i - 1] <= AFTER_RECORD:
            return Origin.UNKNOWN, (f"{why}, but the app's process then sent through the proxy "
                                    "with an HTTP client the agent does not hook: this request may "
                                    "be the app's")
        return Origin.DEVICE, why


def _is_loopback(name: Optional[str]) -> bool:
    if not name:
        return False
    n = name.lower().strip("[]")
    return n == "localhost" or n == "::1" or n.startswith("127.") or n.startswith("::ffff:127.")


def bypassing(runtime: Optional[RuntimeEvidence]) -> list[str]:
    """Where the app's process connected without the proxy (issue 11 item 11), as
    "host:port" (with "/udp" for datagrams), first seen first: an HTTP stack that said it used
    no proxy (Proxy.NO_PROXY), or a socket to anything but loopback (the proxy privascope sets
    is on the device's loopback, so every proxied socket goes there) - Flutter/Dart, QUIC, raw
    sockets. Their content never reached the proxy. DNS (udp/53, a glibc resolver on the JVM
    target) is not content and not listed."""
    out: dict[str, None] = {}
    names: dict[str, str] = {}  # ip -> host name a Java connect gave it
    for c in runtime.connections if runtime is not None else ():
        if c.host and c.ip:
            names[c.ip] = c.host
    for c in runtime.connections if runtime is not None else ():
        if c.transport == "udp" and c.port == 53:
            continue
        direct = c.via_proxy is False or (
            c.kind in ("socket", "channel", "native") and c.via_proxy is not True
            and not _is_loopback(c.host or c.ip))
        if not direct or _is_loopback(c.host or c.ip):
            continue
        name = c.host or names.get(c.ip or "", c.ip) or "?"
        port = f":{c.port}" if c.port >= 0 else ""
        out[f"{name}{port}{'/udp' if c.transport == 'udp' else ''}"] = None
    return list(out)


def origin_limits(runtime: Optional[RuntimeEvidence], traffic: Sequence[TrafficEvent]) -> list[str]:
    """What the run's method must say about whose traffic it saw: connections that bypassed
    the proxy (a report must never read "nothing sent" when it could not see), and flows that
    could not be attributed at all."""
    limits = []
    direct = bypassing(runtime)
    if direct:
        shown = ", ".join(direct[:10]) + (f" (+{len(direct) - 10})" if len(direct) > 10 else "")
        limits.append(f"{len(direct)} connection(s) of the app bypassed the proxy: {shown} - "
                      "their content was not seen")
    unknown = sum(1 for t in traffic if t.origin is Origin.UNKNOWN)
    if unknown:
        limits.append(f"{unknown} request(s) through the device's proxy could not be attributed "
                      "to the app's process or another (see each one's reason): shown apart as "
                      "device traffic, not as evidence")
    return limits


def _latest_before(reads: list[RuntimeEvent], times: list[float], t: float) -> RuntimeEvent:
    i = bisect.bisect_right(times, t)  # reads and times are sorted by time
    return reads[i - 1] if i else reads[0]


# --------------------------------------------------------------------------- read -> request


class SentIn(NamedTuple):
    """A request that carried values one read returned."""

    traffic: TrafficEvent
    matches: tuple[PIMatch, ...]  # the matches of that read's values; () = linked without one


def requests_by_read(bundle: Bundle) -> dict[str, list[SentIn]]:
    """Read id -> the requests that carried its values, in request order, as correlate linked
    them (a match's canary source, or a related event without a match)."""
    out: dict[str, list[SentIn]] = {}
    for t in sorted(bundle.traffic, key=lambda t: t.time):
        by_source: dict[str, list[PIMatch]] = {}
        for m in t.matches:
            if m.canary_source:
                by_source.setdefault(m.canary_source, []).append(m)
        for r in t.related_events:
            by_source.setdefault(r, [])
        for source, matches in by_source.items():
            out.setdefault(source, []).append(SentIn(t, tuple(matches)))
    return out


# --------------------------------------------------------------------------- timeline view


@dataclass
class Flow:
    """Requests that carried values of one read group to one host."""

    host: str
    sdk: Optional[str]  # SDK of the host (catalog), None = not an SDK host
    destination: str
    encodings: list[str] = field(default_factory=list)
    cleartext: bool = False
    count: int = 0
    first: float = 0.0
    traffic_ids: list[str] = field(default_factory=list)


@dataclass
class ReadGroup:
    """All reads of one PI type by one SDK (None = the app's own code)."""

    sdk: Optional[str]
    pi_type: str
    count: int = 0
    obtained: int = 0
    first: float = 0.0
    last: float = 0.0
    apis: list[str] = field(default_factory=list)
    phases: dict[str, int] = field(default_factory=dict)  # consent phase -> reads
    states: dict[str, int] = field(default_factory=dict)  # app state -> reads
    event_ids: list[str] = field(default_factory=list)
    flows: list[Flow] = field(default_factory=list)

    @property
    def max_rate_per_minute(self) -> float:
        return 0.0 if self.count < 2 or self.last <= self.first else \
            60.0 * (self.count - 1) / (self.last - self.first)


def summarise_reads(bundle: Bundle) -> list[ReadGroup]:
    """Per (SDK, PI type), in order of the first read."""
    runtime = bundle.runtime
    if runtime is None:
        return []
    groups: dict[tuple[Optional[str], str], ReadGroup] = {}
    group_of_event: dict[str, ReadGroup] = {}
    for e in sorted(runtime.api_calls, key=lambda e: e.time):
        g = groups.get((e.sdk, e.pi_type))
        if g is None:
            g = groups[(e.sdk, e.pi_type)] = ReadGroup(sdk=e.sdk, pi_type=e.pi_type, first=e.time)
        g.count += 1
        g.obtained += int(e.obtained)
        g.last = e.time
        if e.api not in g.apis:
            g.apis.append(e.api)
        g.phases[e.consent_phase.value] = g.phases.get(e.consent_phase.value, 0) + 1
        g.states[e.app_state.value] = g.states.get(e.app_state.value, 0) + 1
        g.event_ids.append(e.id)
        group_of_event[e.id] = g
    sdk_of_event = {e.id: e.sdk for e in runtime.api_calls}
    # per request: group -> encodings, over every read whose values the request carried
    hits: dict[str, dict[int, tuple[ReadGroup, list[str]]]] = defaultdict(dict)
    requests: dict[str, TrafficEvent] = {}
    for src, sent in requests_by_read(bundle).items():
        if src not in group_of_event:
            continue  # a static field's value (no read event)
        for t, matches in sent:
            requests[t.id] = t
            per_group = hits[t.id]
            if not matches:  # linked without a match detail: still a flow
                g = group_of_event[src]
                per_group.setdefault(id(g), (g, []))
            # Each match goes to the group of the PI type it matched as, read by the SDK whose
            # call produced the value (one call can yield several types: WifiInfo -> MAC + SSID).
            for m in matches:
                g = groups.get((sdk_of_event[src], m.pi_type)) or group_of_event[src]
                per_group.setdefault(id(g), (g, []))[1].append(m.encoding)
    for t in sorted(requests.values(), key=lambda t: t.time):
        for g, encodings in hits[t.id].values():
            flow = next((f for f in g.flows if f.host == t.host), None)
            if flow is None:
                flow = Flow(host=t.host, sdk=t.sdk, destination=t.destination.value, first=t.time)
                g.flows.append(flow)
            flow.count += 1
            flow.cleartext = flow.cleartext or t.cleartext
            flow.traffic_ids.append(t.id)
            for enc in encodings:
                if enc not in flow.encodings:
                    flow.encodings.append(enc)
    return sorted(groups.values(), key=lambda g: g.first)
