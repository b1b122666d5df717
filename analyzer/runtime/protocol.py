"""The agent's message protocol, defined once: one frozen dataclass per message type and
`parse_message`, which turns a Frida message into one of them.

The agent calls `send(object)`; Frida delivers `{"type": "send", "payload": object}`. Script
crashes arrive as `{"type": "error", ...}` and become `AgentError`. A payload of a type this
module does not know becomes `UnknownMessage` (the session logs and counts it: never dropped).

`ApiCall.value` / `.values` carry the RAW personal value from the agent to this process only;
the session masks it at once (privascope.privacy) and hands the raw form to the canary callback.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Union


class ProtocolError(ValueError):
    """A known message type with missing or mistyped fields."""


def _seconds(ms: Any) -> float:
    if isinstance(ms, bool) or not isinstance(ms, (int, float)):
        raise ProtocolError(f"time must be a number of milliseconds, got {ms!r}")
    return float(ms) / 1000.0


def _str(p: dict, key: str) -> str:
    v = p.get(key)
    if not isinstance(v, str):
        raise ProtocolError(f"{p.get('type')}: {key!r} must be a string, got {v!r}")
    return v


def _opt_str(p: dict, key: str) -> Optional[str]:
    """`_str` for a field the agent may leave out (absent or null -> None)."""
    return None if p.get(key) is None else _str(p, key)


def _strs(p: dict, key: str, optional: bool = False) -> tuple[str, ...]:
    v = p.get(key)
    if v is None and optional:
        return ()
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise ProtocolError(f"{p.get('type')}: {key!r} must be a list of strings")
    return tuple(v)


@dataclass(frozen=True)
class AgentReady:
    time: float
    pid: int
    runtime: str  # "jvm" | "art"
    hooked: tuple[str, ...]
    missing: dict[str, str]  # api id -> reason (class not found, member not found, ...)
    pending: tuple[str, ...]  # retried when new class loaders appear
    consent_hooks: tuple[str, ...] = ()
    lifecycle_hooks: tuple[str, ...] = ()
    loader_hooks: tuple[str, ...] = ()
    unpin_applied: tuple[str, ...] = ()
    unpin_unavailable: dict[str, str] = field(default_factory=dict)
    # JVM launcher: "released" (the agent let the held program run), "absent" (not started
    # through it), "none" (Android), "error: ..."; None from an agent that does not say.
    launcher: Optional[str] = None
    net_hooks: tuple[str, ...] = ()  # where the agent records the process's own connections


@dataclass(frozen=True)
class ApiCall:
    time: float
    api: str
    pi_type: str
    value: Optional[str]  # RAW: in memory only
    values: Optional[tuple[str, ...]]  # RAW list elements (capture return_list)
    obtained: bool
    exception: Optional[str]
    thread: str
    stack: tuple[str, ...]
    hooked: str  # "cls.member" of the hooked method: the innermost frame(s) to skip
    field: bool = False  # a static field read once at hook time (no call stack)
    value_types: Optional[tuple[str, ...]] = None  # PI type of each of `values`, when known


@dataclass(frozen=True)
class ConsentMessage:
    time: float
    kind: str  # dialog_shown | accept | reject
    text: Optional[str]
    thread: Optional[str] = None
    stack: tuple[str, ...] = ()


@dataclass(frozen=True)
class AppStateMessage:
    time: float
    state: str  # foreground | paused | background
    callback: str
    activity: Optional[str]
    instance: Optional[int] = None  # identity of the activity object


@dataclass(frozen=True)
class PermissionRequestMessage:
    time: float
    permissions: tuple[str, ...]
    request_code: int
    thread: Optional[str]
    stack: tuple[str, ...]


@dataclass(frozen=True)
class PermissionResultMessage:
    time: float
    request_code: int
    permissions: tuple[str, ...]
    granted: tuple[str, ...]


@dataclass(frozen=True)
class ComponentLaunchMessage:
    time: float
    kind: str  # activity | service | broadcast
    target_package: str
    target: str
    thread: Optional[str]
    stack: tuple[str, ...]


@dataclass(frozen=True)
class NetConnect:
    """A connection the app's own process opened or asked for (net.ts): an HTTP stack's
    request (kind http/okhttp/webview/cronet: the host asked for, also when the socket goes to
    the proxy) or a socket connect (kind socket/channel: the host string as given; native: the
    address only)."""

    time: float
    kind: str  # http | okhttp | webview | cronet | socket | channel | native
    host: Optional[str]  # the name asked for, lower case; None for a native connect
    ip: Optional[str]  # the address, when resolved
    port: int  # -1 when the URL had none the agent knows a default for
    transport: str = "tcp"  # tcp | udp
    via_proxy: Optional[bool] = None  # what the HTTP stack says; None = it cannot tell
    scheme: Optional[str] = None
    error: Optional[str] = None  # the connect failed (still an attempt)
    module: Optional[str] = None  # native: the library that called connect()
    in_http: bool = False  # a socket opened inside a hooked HTTP-stack call (that request's)
    thread: Optional[str] = None
    stack: tuple[str, ...] = ()


@dataclass(frozen=True)
class LateHook:
    time: float
    api: str
    loader: str


@dataclass(frozen=True)
class UnpinBypass:
    time: float
    target: str
    host: Optional[str]


@dataclass(frozen=True)
class AgentError:
    time: Optional[float]
    where: str
    message: str


@dataclass(frozen=True)
class UnknownMessage:
    type: str
    content: Any


Message = Union[AgentReady, ApiCall, ConsentMessage, AppStateMessage, PermissionRequestMessage,
                PermissionResultMessage, ComponentLaunchMessage, NetConnect, LateHook, UnpinBypass,
                AgentError, UnknownMessage]


def _ready(p: dict) -> AgentReady:
    unpin = p.get("unpin") or {}
    missing = p.get("missing") or {}
    if not isinstance(missing, dict) or not isinstance(unpin, dict):
        raise ProtocolError("agent:ready: 'missing' and 'unpin' must be objects")
    return AgentReady(
        time=_seconds(p.get("time")), pid=int(p.get("pid") or 0), runtime=_str(p, "runtime"),
        hooked=_strs(p, "hooked"), missing={str(k): str(v) for k, v in missing.items()},
        pending=_strs(p, "pending", True), consent_hooks=_strs(p, "consent_hooks", True),
        lifecycle_hooks=_strs(p, "lifecycle_hooks", True), loader_hooks=_strs(p, "loader_hooks", True),
        unpin_applied=tuple(str(x) for x in unpin.get("applied") or ()),
        unpin_unavailable={str(k): str(v) for k, v in (unpin.get("unavailable") or {}).items()},
        launcher=_opt_str(p, "launcher"), net_hooks=_strs(p, "net_hooks", True),
    )


_NET_KINDS = ("http", "okhttp", "webview", "cronet", "socket", "channel", "native")


def _net_connect(p: dict) -> NetConnect:
    kind = _str(p, "kind")
    if kind not in _NET_KINDS:
        raise ProtocolError(f"net:connect: unknown kind {kind!r}")
    transport = p.get("transport") or "tcp"
    if transport not in ("tcp", "udp"):
        raise ProtocolError(f"net:connect: transport must be tcp or udp, got {transport!r}")
    via = p.get("via_proxy")
    if via is not None and not isinstance(via, bool):
        raise ProtocolError("net:connect: 'via_proxy' must be a boolean or null")
    host = _opt_str(p, "host")
    if host is None and _opt_str(p, "ip") is None:
        raise ProtocolError("net:connect: needs a host or an ip")
    return NetConnect(
        time=_seconds(p.get("time")), kind=kind, host=host.lower() if host else None,
        ip=_opt_str(p, "ip"), port=_int(p, "port"), transport=transport, via_proxy=via,
        scheme=_opt_str(p, "scheme"), error=_opt_str(p, "error"), module=_opt_str(p, "module"),
        in_http=p.get("in_http") is True, thread=_opt_str(p, "thread"), stack=_strs(p, "stack", True))


def _api_call(p: dict) -> ApiCall:
    values = p.get("values")
    if values is not None:
        values = _strs(p, "values")
    value_types = p.get("value_types")
    if value_types is not None:
        value_types = _strs(p, "value_types")
        if values is None or len(value_types) != len(values):
            raise ProtocolError("api:call: 'value_types' must match 'values' one to one")
    obtained = p.get("obtained")
    if not isinstance(obtained, bool):
        raise ProtocolError("api:call: 'obtained' must be a boolean")
    return ApiCall(
        time=_seconds(p.get("time")), api=_str(p, "api"), pi_type=_str(p, "pi_type"),
        value=_opt_str(p, "value"), values=values, obtained=obtained,
        exception=_opt_str(p, "exception"), thread=_str(p, "thread"), stack=_strs(p, "stack"),
        hooked=_str(p, "hooked"), field=bool(p.get("field", False)), value_types=value_types,
    )


def _consent(kind: str):
    def parse(p: dict) -> ConsentMessage:
        return ConsentMessage(time=_seconds(p.get("time")), kind=kind, text=_opt_str(p, "text"),
                              thread=_opt_str(p, "thread"), stack=_strs(p, "stack", True))
    return parse


def _int(p: dict, key: str) -> int:
    v = p.get(key)
    if isinstance(v, bool) or not isinstance(v, int):
        raise ProtocolError(f"{p.get('type')}: {key!r} must be an integer")
    return v


_PARSERS = {
    "agent:ready": _ready,
    "api:call": _api_call,
    "consent:dialog_shown": _consent("dialog_shown"),
    "consent:accept": _consent("accept"),
    "consent:reject": _consent("reject"),
    "app:state": lambda p: AppStateMessage(
        time=_seconds(p.get("time")), state=_str(p, "state"), callback=_str(p, "callback"),
        activity=_opt_str(p, "activity"),
        instance=p.get("instance") if isinstance(p.get("instance"), int) else None),
    "permission:request": lambda p: PermissionRequestMessage(
        time=_seconds(p.get("time")), permissions=_strs(p, "permissions"),
        request_code=_int(p, "request_code"), thread=_opt_str(p, "thread"),
        stack=_strs(p, "stack", True)),
    "permission:result": lambda p: PermissionResultMessage(
        time=_seconds(p.get("time")), request_code=_int(p, "request_code"),
        permissions=_strs(p, "permissions"), granted=_strs(p, "granted")),
    "component:launch": lambda p: ComponentLaunchMessage(
        time=_seconds(p.get("time")), kind=_str(p, "kind"), target_package=_str(p, "target_package"),
        target=_opt_str(p, "target") or "", thread=_opt_str(p, "thread"),
        stack=_strs(p, "stack", True)),
    "net:connect": _net_connect,
    "agent:late_hook": lambda p: LateHook(time=_seconds(p.get("time")), api=_str(p, "api"),
                                          loader=_str(p, "loader")),
    "unpin:bypass": lambda p: UnpinBypass(time=_seconds(p.get("time")), target=_str(p, "target"),
                                          host=_opt_str(p, "host")),
    "agent:error": lambda p: AgentError(time=_seconds(p.get("time")), where=_str(p, "where"),
                                        message=_str(p, "message")),
}

MESSAGE_TYPES = tuple(_PARSERS)


def parse_payload(payload: Any) -> Message:
    """One `send()` payload -> message object. Raises ProtocolError for a known type whose
    fields are wrong; returns UnknownMessage for anything without a known `type`."""
    if not isinstance(payload, dict):
        return UnknownMessage(type="<not an object>", content=payload)
    kind = payload.get("type")
    parser = _PARSERS.get(kind) if isinstance(kind, str) else None
    if parser is None:
        return UnknownMessage(type=str(kind), content=payload)
    try:
        return parser(payload)
    except ProtocolError:
        raise
    except (TypeError, ValueError) as exc:
        raise ProtocolError(f"{kind}: {exc}") from None


def parse_message(message: Any) -> Message:
    """A Frida script message (the dict given to script.on('message')) -> message object."""
    if isinstance(message, dict) and message.get("type") == "send":
        return parse_payload(message.get("payload"))
    if isinstance(message, dict) and message.get("type") == "error":
        # An uncaught exception in the agent script itself.
        where = f"script {message.get('fileName', '?')}:{message.get('lineNumber', '?')}"
        return AgentError(time=None, where=where, message=str(message.get("description", message)))
    return UnknownMessage(type=str(message.get("type")) if isinstance(message, dict) else "<raw>",
                          content=message)
