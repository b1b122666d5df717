"""A Frida session on one target: loads the compiled agent, sends it the catalog config, and
turns its messages into the model's runtime evidence.

Threads: Frida calls `_on_frida_message` on its own thread; that only queues the message. One
worker thread parses, converts, writes the JSONL line and calls the callbacks, so slow callbacks
never stall the agent.

Raw personal values: an `api:call` message carries the raw value from the agent. The worker
masks it at once (privascope.privacy.masked) for the model and passes the raw value only to the
`on_canary` callbacks (pi_type, raw_value, runtime_event_id), in memory. It is never written to
the JSONL file, logged, or kept.
"""
from __future__ import annotations

import dataclasses
import logging
import queue
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

from privascope.catalog import Catalog, load_catalog
from privascope.model import (AppState, AppStateChange, ComponentLaunch, ConsentEvent, ConsentKind,
                            ConsentPhase, NetConnection, PermissionRequest, RuntimeEvent,
                            RuntimeEvidence)
from privascope.privacy import masked
from privascope.runtime import protocol as P
from privascope.runtime.agent_config import agent_config, load_bundle
from privascope.runtime.attribution import attribute
from privascope.runtime.canaries import CanarySink
from privascope.runtime.phases import PhaseClock
from privascope.jsonlines import JsonLinesWriter
from privascope.runtime.targets import Target, TargetError, TargetUnavailable

if TYPE_CHECKING:  # frida itself is imported when a session starts
    import frida

log = logging.getLogger("privascope.runtime")

ModelEvent = Union[RuntimeEvent, ConsentEvent, PermissionRequest, AppStateChange, ComponentLaunch]
EventCallback = Callable[[ModelEvent], None]
CanaryCallback = Callable[[str, str, str], None]

_STATES = {"foreground": AppState.FOREGROUND, "background": AppState.BACKGROUND}


class SessionError(RuntimeError):
    """The agent could not be attached or initialised."""


class StepTimeout(TimeoutError):
    """A blocking call (Frida, target teardown) did not return in time."""


def bounded(fn: Callable[[], Any], timeout: float, what: str) -> Any:
    """fn() on a daemon thread, waiting at most `timeout` seconds: Frida's blocking calls
    release the GIL and cannot be interrupted, so a hung one must not hold the caller (or
    Ctrl-C). Re-raises fn's exception; raises StepTimeout and abandons the thread on timeout."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the caller
            box["error"] = exc

    thread = threading.Thread(target=run, name=f"privascope-{what}", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise StepTimeout(f"{what} did not return within {timeout:.0f}s")
    if "error" in box:
        raise box["error"]
    return box.get("value")


def _now() -> float:
    return time.time()


class Session:
    def __init__(self, target: Target, *, catalog: Optional[Catalog] = None,
                 events_path: Optional[Path] = None, unpin: bool = True,
                 salt: Optional[bytes] = None, ready_timeout: float = 90.0,
                 bundle_source: Optional[str] = None, own_packages: tuple[str, ...] = ()):
        self.target = target
        self.catalog = catalog or load_catalog()
        self.own_packages = own_packages  # the app's own packages: no SDK prefix claims them
        self.unpin = unpin
        self.salt = salt
        self.ready_timeout = ready_timeout
        self.target_stop_timeout = 60.0  # an Android target restores device settings over adb
        self.detach_timeout = 5.0
        self._bundle_source = bundle_source
        self._writer = JsonLinesWriter(events_path, append=True) if events_path else None
        self._event_cbs: list[EventCallback] = []
        self._canary_cbs: list[CanaryCallback] = []
        self._queue: "queue.Queue[Any]" = queue.Queue()
        self._cond = threading.Condition()
        self._worker: Optional[threading.Thread] = None
        self._frida_session: Optional[frida.Session] = None
        self._script: Optional[frida.Script] = None
        self._detached: Optional[str] = None
        # device clock - host clock, seconds (measured at start; see _measure_clock). The worker
        # handles no message before it is known, so every event is corrected the same way.
        self.clock_offset = 0.0
        self.clock_rtt: Optional[float] = None  # round trip of the sample kept
        self._clock_known = threading.Event()
        self.pid: Optional[int] = None  # the process under this session's agent
        # State below is guarded by self._cond.
        self.ready: Optional[P.AgentReady] = None
        self.phase = ConsentPhase.BEFORE
        self.app_state = AppState.UNKNOWN
        self.started_at = time.time()
        self.ended_at: Optional[float] = None
        self.api_calls: list[RuntimeEvent] = []
        self.consent: list[ConsentEvent] = []
        self.permission_requests: list[PermissionRequest] = []
        self.app_states: list[AppStateChange] = []
        self.component_launches: list[ComponentLaunch] = []
        self.connections: list[NetConnection] = []
        self.agent_errors: list[str] = []
        self.late_hooks: list[str] = []
        self.unpin_bypasses: list[P.UnpinBypass] = []
        self.field_values: list[tuple[str, str, "Any"]] = []  # (api, pi_type, MaskedValue)
        self.unknown_messages = 0
        self.malformed_messages = 0
        self.processed = 0
        self._counter = 0
        self._perm_by_code: dict[int, int] = {}  # request code -> index in permission_requests
        self._visible: set = set()  # activities resumed and not yet stopped

    # ------------------------------------------------------------------ public API

    def on_event(self, cb: EventCallback) -> None:
        """cb(event) for every model event, in arrival order, on the worker thread."""
        self._event_cbs.append(cb)

    def on_canary(self, cb: CanaryCallback) -> None:
        """cb(pi_type, raw_value, runtime_event_id): the raw value, in memory only (for the
        traffic matcher). Called before the event's on_event callbacks. For a static field
        value (Build.SERIAL, read once at hook time, no event) the third argument is the API id."""
        self._canary_cbs.append(cb)

    def canaries_to(self, sink: "CanarySink") -> None:
        """Hand every raw value to `sink` (privascope.runtime.canaries), as on_canary does."""
        self.on_canary(sink.add)

    def start(self) -> P.AgentReady:
        """Launch the target, attach, load the agent (it queues Java.perform at once), send it
        the config, let the app run once its hooks are in, and wait for agent:ready. Every
        blocking Frida call is bounded by `ready_timeout`."""
        import frida

        source = self._bundle_source if self._bundle_source is not None else load_bundle()
        self._worker = threading.Thread(target=self._work, name="privascope-agent-msgs", daemon=True)
        self._worker.start()
        try:
            pid = self.target.launch()
        except BaseException:
            self._clock_known.set()
            raise
        self.pid = pid
        timeout = self.ready_timeout
        try:
            device = self.target.frida_device()
            session: frida.Session = bounded(lambda: device.attach(pid), timeout, "attach")
            self._frida_session = session
            session.on("detached", self._on_detached)
            script = self._script = session.create_script(source, name="privascope")
            script.on("message", self._on_frida_message)
            bounded(script.load, timeout, "loading the agent")
            self._measure_clock(timeout)
        except frida.ProcessNotFoundError as exc:
            raise TargetError(f"process {pid} vanished before Frida could attach: {exc}") from None
        except (frida.PermissionDeniedError, frida.ServerNotRunningError,
                frida.TransportError, frida.NotSupportedError) as exc:
            raise TargetUnavailable(f"Frida cannot attach to {self.target.name}: {exc}") from None
        except StepTimeout as exc:
            raise SessionError(str(exc)) from None
        finally:
            self._clock_known.set()  # a failed start must not hold the worker
        config = agent_config(self.catalog, unpin=self.unpin)
        # Hooks before code: init hands over the config while the app cannot run yet (a spawned
        # Android app is still suspended; a JVM program is held by the launcher). On a running
        # VM it installs the hooks before it returns; on a spawned app they go in as it binds.
        try:
            state = bounded(lambda: script.exports_sync.init(config), timeout, "agent init")
        except StepTimeout as exc:
            raise SessionError(str(exc)) from None
        except Exception as exc:  # the agent also sends agent:error; keep the reason
            raise SessionError(f"the agent failed to initialise: {exc}") from None
        # init says {vm_ready, installed}. A spawned ART app whose VM is not bound yet must be
        # resumed for the queued Java.perform to run (it installs the hooks before app code).
        # When init installed them itself (the VM was up: an attach, the device double), the
        # method replacements are applied in a later Script.nextTick (frida-java-bridge; see
        # index.ts announceWhenLive): resume only once agent:ready says they are live.
        hooks_in = isinstance(state, dict) and bool(state.get("installed"))
        resume_first = self.target.release_before_ready and not hooks_in
        if resume_first:
            self.target.release()  # resume: the queued Java.perform installs the hooks first
        if not self.wait_until(lambda s: s.ready is not None or s._init_failed(), timeout):
            raise SessionError(f"the agent did not report ready within {timeout:.0f}s")
        if self.ready is None:
            raise SessionError(f"the agent failed to initialise: {self._init_failed()}")
        if self.ready.launcher and self.ready.launcher.startswith("error"):
            raise SessionError(f"the agent could not release the program: {self.ready.launcher}")
        if not resume_first:
            # the JVM launcher: the agent released it, confirm it ran; a held app: resume it
            self.target.release()
        return self.ready

    CLOCK_SAMPLES = 5

    def _measure_clock(self, timeout: float) -> None:
        """Device clock minus host clock, from the agent's ping (it returns the device's
        Date.now()): the host time is taken before and after each RPC, the device's reading is
        set against their midpoint, and of a few samples the one with the shortest round trip
        is kept (its error is at most half that round trip, plus Date.now()'s 1 ms). The agent
        stamps events with the device clock and the proxy stamps flows with the host's: without
        this a device a few seconds off puts reads on the wrong side of a consent tap or a
        request. A JVM target shares the host clock: its offset comes out within that error."""
        assert self._script is not None
        ping = self._script.exports_sync.ping
        best: Optional[tuple[float, float]] = None
        for _ in range(self.CLOCK_SAMPLES):
            before = time.time()
            device_ms = bounded(ping, timeout, "agent ping")
            after = time.time()
            if isinstance(device_ms, bool) or not isinstance(device_ms, (int, float)):
                log.warning("agent ping returned %r, not a time: device clock taken as host's",
                            device_ms)
                return
            sample = (after - before, device_ms / 1000.0 - (before + after) / 2)
            if best is None or sample[0] < best[0]:
                best = sample
        assert best is not None
        rtt, offset = best
        # an offset within the measurement's own error (half the round trip, plus Date.now()'s
        # whole milliseconds) is no measured offset: same clock (the JVM target), no correction
        self.clock_rtt = rtt
        self.clock_offset = 0.0 if abs(offset) <= rtt / 2 + 0.001 else offset
        if abs(self.clock_offset) > 1.0:
            log.info("device clock is %+.3fs off this machine's: event times corrected",
                     self.clock_offset)

    def _init_failed(self) -> Optional[str]:
        # Caller holds self._cond (wait_until) or reads a settled list.
        return next((e for e in self.agent_errors if e.startswith("init:")), None)

    def mark_consent(self, kind: Union[ConsentKind, str], detected_by: str = "key_press",
                     text: Optional[str] = None, time: Optional[float] = None) -> ConsentEvent:
        """Record a consent event seen outside the agent (tester key press, UI automation,
        scenario). Changes the consent phase like an agent-detected click. `time` (host clock)
        is when the answer was given, e.g. just before the tap was sent: the mark itself comes
        later (after waiting for the agent), and events recorded since that moment are
        re-phased, so a read right after the tap is not labelled before consent."""
        kind = ConsentKind(kind)
        at = _now() if time is None else float(time)
        with self._cond:
            event = ConsentEvent(id=self._next_id("ce"), time=at, kind=kind,
                                 detected_by=detected_by, text=text)
            self._record_consent(event)
            changed = self._rephase_since(at)
        self._emit("consent_event", event)
        for ev in changed:
            self._emit("rephased", {"id": ev.id, "consent_phase": ev.consent_phase.value})
        return event

    def replay(self, messages) -> None:
        """Process Frida messages synchronously on the calling thread (tests, re-processing a
        recorded run). Same conversion as live messages."""
        for message in messages:
            self._handle(message)
            with self._cond:
                self.processed += 1
                self._cond.notify_all()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every message the agent sent before this call has been processed (written
        and passed to the callbacks). Exact, unlike waiting for a quiet spell: the agent's
        reply to `ping` follows its earlier messages on the same ordered channel. False when the
        agent is gone or does not answer within `timeout`."""
        if self._script is None or self._detached is not None:
            return False
        deadline = time.monotonic() + timeout
        try:
            bounded(self._script.exports_sync.ping, timeout, "agent ping")
        except Exception:  # detached meanwhile, or hung: the caller falls back
            return False
        done = threading.Event()
        self._queue.put(done)  # behind every message queued before the reply
        return done.wait(max(0.0, deadline - time.monotonic()))

    def wait_until(self, predicate: Callable[["Session"], object], timeout: float) -> bool:
        """Poll-free wait: re-checks `predicate(self)` after every processed message."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate(self):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.25))
            return True

    def calls(self, api: Optional[str] = None, pi_type: Optional[str] = None) -> list[RuntimeEvent]:
        with self._cond:
            return [e for e in self.api_calls if (api is None or e.api == api)
                    and (pi_type is None or e.pi_type == pi_type)]

    def evidence(self) -> RuntimeEvidence:
        with self._cond:
            return RuntimeEvidence(
                clock_offset_ms=round(self.clock_offset * 1000.0, 1),
                target=self.target.name, started_at=self.started_at, ended_at=self.ended_at,
                api_calls=tuple(self.api_calls), consent=tuple(self.consent),
                permission_requests=tuple(self.permission_requests),
                app_states=tuple(self.app_states),
                component_launches=tuple(self.component_launches),
                agent_errors=tuple(self.agent_errors),
                connections=tuple(self.connections),
                net_hooks=self.ready.net_hooks if self.ready is not None else (),
            )

    def stop(self, drain_timeout: float = 5.0) -> RuntimeEvidence:
        """Stop the target (kill + restore), then let go of Frida, drain queued messages, close
        the file. Every step is bounded (stop runs on Ctrl-C and must end promptly) and a step
        that fails or hangs does not keep the others from running: the evidence matters more."""
        if self.ended_at is not None:
            return self.evidence()
        self._clock_known.set()  # never measured (start failed): the worker must drain
        # Messages the agent already sent still count.
        if not self.flush(drain_timeout / 2):
            self._quiet(0.3, drain_timeout / 2)  # the agent is gone: take what is in flight
        # Kill before detaching: detaching from a live JVM makes the agent revert its hooks while
        # the program's threads run them (HotSpot crashed in oopDesc::metadata_field), and the
        # detach may then not return. A killed process detaches by itself.
        self._step(self.target.stop, self.target_stop_timeout, "stopping the target")
        if self._frida_session is not None:
            self._wait_detached(2.0)
            if self._detached is None:
                self._step(self._frida_session.detach, self.detach_timeout, "detaching Frida")
        self._queue.put(None)
        if self._worker is not None:
            self._worker.join(drain_timeout)
        with self._cond:
            self.ended_at = time.time()
        if self._writer:
            self._writer.close()
        return self.evidence()

    @staticmethod
    def _step(fn: Callable[[], Any], timeout: float, what: str) -> None:
        try:
            bounded(fn, timeout, what)
        except Exception as exc:  # StepTimeout included: keep stopping
            log.warning("while stopping: %s: %s", what, exc)

    def _wait_detached(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self._detached is None and time.monotonic() < deadline:
            time.sleep(0.05)

    def _quiet(self, quiet: float, timeout: float) -> None:
        """Wait until no message has arrived for `quiet` seconds (at most `timeout`)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            last, since = self.processed, time.monotonic()
            while time.monotonic() < deadline:
                self._cond.wait(0.05)
                if self.processed != last:
                    last, since = self.processed, time.monotonic()
                elif time.monotonic() - since >= quiet and self._queue.empty():
                    return

    # ------------------------------------------------------------------ Frida side

    def _on_frida_message(self, message: Any, data: Any) -> None:
        self._queue.put(message)  # nothing else on Frida's thread

    @property
    def detached(self) -> Optional[str]:
        """Why Frida lost the process (e.g. "process-terminated"), or None while attached."""
        return self._detached

    def _on_detached(self, reason: Any, *args: Any) -> None:
        self._detached = str(reason)
        log.info("agent detached: %s", reason)

    # ------------------------------------------------------------------ worker

    def _work(self) -> None:
        # Device times become host times once the offset is known (start sets this at once
        # after measuring, or on failure); bounded so a start that hangs cannot hold messages.
        self._clock_known.wait(self.ready_timeout)
        while True:
            message = self._queue.get()
            if message is None:
                return
            if isinstance(message, threading.Event):  # a flush() marker
                message.set()
                continue
            try:
                self._handle(message)
            except Exception:  # a bug in conversion must not stop the recording
                log.exception("could not handle an agent message")
            with self._cond:
                self.processed += 1
                self._cond.notify_all()

    def _next_id(self, prefix: str) -> str:
        self._counter += 1
        return f"{prefix}-{self._counter:05d}"

    def _emit(self, kind: str, obj: Any) -> None:
        if self._writer:
            self._writer.write(kind, obj)
        if isinstance(obj, (RuntimeEvent, ConsentEvent, PermissionRequest, AppStateChange,
                            ComponentLaunch)):
            for cb in self._event_cbs:
                try:
                    cb(obj)
                except Exception:
                    log.exception("on_event callback failed")

    def _handle(self, message: Any) -> None:
        try:
            msg = P.parse_message(message)
        except P.ProtocolError as exc:
            with self._cond:
                self.malformed_messages += 1
            log.warning("malformed agent message: %s", exc)
            self._emit("malformed_message", {"error": str(exc)})
            return
        handler = getattr(self, "_on_" + type(msg).__name__, None)
        assert handler is not None, type(msg)
        handler(self._host_time(msg))

    def _host_time(self, msg: Any) -> Any:
        """The one place device timestamps become host timestamps (self.clock_offset)."""
        t = getattr(msg, "time", None)
        if self.clock_offset and isinstance(t, float):
            return dataclasses.replace(msg, time=t - self.clock_offset)
        return msg

    def _phase_at(self, t: float) -> ConsentPhase:
        """The consent phase of something that happened at `t` (runtime.phases decides it from
        the answers recorded so far), for live events and for re-phasing after a late mark.
        Caller holds self._cond."""
        return PhaseClock(self.consent).phase_at(t)

    def _rephase_since(self, t: float) -> list:
        """Events at or after `t` take the phase _phase_at gives them now (a consent marked
        late, at the time it was given). Caller holds self._cond; returns what changed."""
        changed: list = []
        for name in ("api_calls", "permission_requests", "component_launches"):
            items = getattr(self, name)
            for i, e in enumerate(items):
                if e.time >= t:
                    phase = self._phase_at(e.time)
                    if phase is not e.consent_phase:
                        items[i] = dataclasses.replace(e, consent_phase=phase)
                        changed.append(items[i])
        return changed

    def _on_UnknownMessage(self, msg: P.UnknownMessage) -> None:
        with self._cond:
            self.unknown_messages += 1
        content = repr(msg.content)
        log.warning("unknown agent message type %r: %s", msg.type, content[:500])
        keys = sorted(msg.content) if isinstance(msg.content, dict) else []
        self._emit("unknown_message", {"type": msg.type, "keys": keys})

    def _on_AgentReady(self, msg: P.AgentReady) -> None:
        with self._cond:
            self.ready = msg
        if msg.missing:
            log.info("agent: %d APIs hooked, %d absent on this target", len(msg.hooked),
                     len(msg.missing))
        self._emit("agent_ready", msg)

    def _on_AgentError(self, msg: P.AgentError) -> None:
        text = f"{msg.where}: {msg.message}"
        with self._cond:
            self.agent_errors.append(text)
        log.warning("agent error: %s", text)
        self._emit("agent_error", msg)

    def _on_NetConnect(self, msg: P.NetConnect) -> None:
        sdk, caller = attribute(msg.stack, self.catalog, own_packages=self.own_packages) \
            if msg.stack else (None, None)
        with self._cond:
            conn = NetConnection(
                id=self._next_id("nc"), time=msg.time, kind=msg.kind, host=msg.host, ip=msg.ip,
                port=msg.port, transport=msg.transport, via_proxy=msg.via_proxy, error=msg.error,
                module=msg.module, in_http=msg.in_http, sdk=sdk, caller=caller)
            self.connections.append(conn)
        self._emit("net_connection", conn)

    def _on_LateHook(self, msg: P.LateHook) -> None:
        with self._cond:
            self.late_hooks.append(msg.api)
        self._emit("late_hook", msg)

    def _on_UnpinBypass(self, msg: P.UnpinBypass) -> None:
        with self._cond:
            self.unpin_bypasses.append(msg)
        self._emit("unpin_bypass", msg)

    def _on_ApiCall(self, msg: P.ApiCall) -> None:
        if msg.field:
            self._field_value(msg)
            return
        sdk, caller = attribute(msg.stack, self.catalog, hooked=msg.hooked,
                                own_packages=self.own_packages)
        if msg.values is not None:
            types = msg.value_types or (msg.pi_type,) * len(msg.values)
            raws = list(zip(types, msg.values))
        else:
            raws = [(msg.pi_type, msg.value)] if msg.value else []
        value = masked(msg.value, self.salt) if msg.value else None
        with self._cond:
            event = RuntimeEvent(
                id=self._next_id("rt"), time=msg.time, api=msg.api, pi_type=msg.pi_type,
                value=value, obtained=msg.obtained, exception=msg.exception, thread=msg.thread,
                stack=msg.stack, sdk=sdk, caller=caller, app_state=self.app_state,
                consent_phase=self._phase_at(msg.time),
            )
            self.api_calls.append(event)
        for pi_type, raw in raws:
            for cb in self._canary_cbs:
                try:
                    cb(pi_type, raw, event.id)
                except Exception:
                    log.exception("on_canary callback failed")
        self._emit("runtime_event", event)

    def _field_value(self, msg: P.ApiCall) -> None:
        """A static field (Build.SERIAL) the agent read once at hook time. Not an access by the
        app (field reads cannot be hooked), so not a RuntimeEvent: its value only becomes a
        canary, so the traffic matcher can still see it leave the device."""
        if not msg.value:
            return
        value = masked(msg.value, self.salt)
        with self._cond:
            self.field_values.append((msg.api, msg.pi_type, value))
        for cb in self._canary_cbs:
            try:
                cb(msg.pi_type, msg.value, msg.api)
            except Exception:
                log.exception("on_canary callback failed")
        self._emit("field_value", {"api": msg.api, "pi_type": msg.pi_type, "value": value})

    def _record_consent(self, event: ConsentEvent) -> None:
        # Caller holds self._cond. The last decision wins (a user may reject, then accept).
        self.consent.append(event)
        if event.kind is ConsentKind.ACCEPT:
            self.phase = ConsentPhase.AFTER_ACCEPT
        elif event.kind is ConsentKind.REJECT:
            self.phase = ConsentPhase.AFTER_REJECT

    def _on_ConsentMessage(self, msg: P.ConsentMessage) -> None:
        with self._cond:
            event = ConsentEvent(id=self._next_id("ce"), time=msg.time, kind=ConsentKind(msg.kind),
                                 detected_by="agent", text=msg.text)
            self._record_consent(event)
        self._emit("consent_event", event)

    def _on_AppStateMessage(self, msg: P.AppStateMessage) -> None:
        state = _STATES.get(msg.state)
        if state is None:
            # onPause alone is not background (a system dialog on top pauses the activity).
            self._emit("app_callback", msg)
            return
        with self._cond:
            # Background only when the last visible activity stops: A.onStop arrives after
            # B.onResume when the app moves from A to B.
            key = msg.instance if msg.instance is not None else msg.activity
            if state is AppState.FOREGROUND:
                self._visible.add(key)
            else:
                self._visible.discard(key)
                if self._visible:
                    state = AppState.FOREGROUND
            changed = state is not self.app_state
            self.app_state = state
            event = AppStateChange(id=self._next_id("as"), time=msg.time, state=state,
                                   activity=msg.activity)
            if changed:
                self.app_states.append(event)
        if changed:
            self._emit("app_state", event)

    def _on_PermissionRequestMessage(self, msg: P.PermissionRequestMessage) -> None:
        sdk, caller = attribute(msg.stack, self.catalog, hooked="android.app.Activity.requestPermissions",
                                own_packages=self.own_packages)
        with self._cond:
            event = PermissionRequest(id=self._next_id("pr"), time=msg.time,
                                      permissions=msg.permissions, granted=(),
                                      consent_phase=self._phase_at(msg.time), caller=caller,
                                      sdk=sdk)
            self._perm_by_code[msg.request_code] = len(self.permission_requests)
            self.permission_requests.append(event)
        self._emit("permission_request", event)

    def _on_PermissionResultMessage(self, msg: P.PermissionResultMessage) -> None:
        with self._cond:
            index = self._perm_by_code.get(msg.request_code)
            if index is None:
                event = None
            else:
                event = dataclasses.replace(self.permission_requests[index], granted=msg.granted)
                self.permission_requests[index] = event
        if event is not None:
            self._emit("permission_request", event)  # same id, now with the results

    def _on_ComponentLaunchMessage(self, msg: P.ComponentLaunchMessage) -> None:
        sdk, _caller = attribute(msg.stack, self.catalog, own_packages=self.own_packages)
        with self._cond:
            event = ComponentLaunch(id=self._next_id("cl"), time=msg.time, kind=msg.kind,
                                    target_package=msg.target_package, target=msg.target,
                                    consent_phase=self._phase_at(msg.time), sdk=sdk)
            self.component_launches.append(event)
        self._emit("component_launch", event)
