"""The agent message protocol: every type parses into its dataclass; unknown types are kept."""
from __future__ import annotations

import json

import pytest

from privascope.runtime import protocol as P


def send(payload):
    return {"type": "send", "payload": payload}


API_CALL = {
    "type": "api:call", "api": "android.telephony.TelephonyManager.getDeviceId",
    "pi_type": "device.imei", "value": "861234567890127", "values": None, "obtained": True,
    "exception": None, "thread": "main", "time": 1700000000123,
    "stack": ["android.telephony.TelephonyManager.getDeviceId(Native Method)", "com.a.B.c(B.java:1)"],
    "hooked": "android.telephony.TelephonyManager.getDeviceId",
}


NET_CONNECT = {
    "type": "net:connect", "kind": "http", "host": "Alog.Umeng.com", "ip": None, "port": 80,
    "transport": "tcp", "via_proxy": True, "scheme": "http", "error": None, "module": None,
    "thread": "main", "stack": ["sun.net.www.protocol.http.HttpURLConnection.connect(X.java:1)",
                                "com.a.B.c(B.java:1)"], "time": 1700000000500,
}


def test_net_connect_parses_with_its_host_in_lower_case_and_via_proxy():
    msg = P.parse_message(send(NET_CONNECT))
    assert isinstance(msg, P.NetConnect)
    assert (msg.kind, msg.host, msg.port, msg.transport, msg.via_proxy) == \
        ("http", "alog.umeng.com", 80, "tcp", True)
    assert msg.time == pytest.approx(1700000000.5) and msg.stack[1] == "com.a.B.c(B.java:1)"
    # an older agent's ready message has no net_hooks; a newer one lists them
    ready = {"type": "agent:ready", "time": 1, "pid": 5, "runtime": "art", "hooked": [], "missing": {}}
    assert P.parse_message(send(ready)).net_hooks == ()
    assert P.parse_message(send({**ready, "net_hooks": ["libc connect"]})).net_hooks == ("libc connect",)


def test_api_call_parses_with_seconds_and_tuple_stack():
    msg = P.parse_message(send(API_CALL))
    assert isinstance(msg, P.ApiCall)
    assert msg.time == pytest.approx(1700000000.123)
    assert msg.stack[1] == "com.a.B.c(B.java:1)" and isinstance(msg.stack, tuple)
    assert msg.obtained is True and msg.exception is None


@pytest.mark.parametrize("payload, cls", [
    ({"type": "agent:ready", "time": 1, "pid": 5, "runtime": "jvm", "hooked": ["a"], "missing": {"b": "class not found"},
      "pending": [], "unpin": {"applied": ["okhttp3"], "unavailable": {"webview": "no class"}}}, P.AgentReady),
    ({"type": "consent:dialog_shown", "time": 1, "text": "隐私政策"}, P.ConsentMessage),
    ({"type": "consent:accept", "time": 1, "text": "同意"}, P.ConsentMessage),
    ({"type": "consent:reject", "time": 1, "text": "不同意"}, P.ConsentMessage),
    ({"type": "app:state", "time": 1, "state": "background", "callback": "onStop", "activity": "a.B"}, P.AppStateMessage),
    ({"type": "permission:request", "time": 1, "permissions": ["p"], "request_code": 3, "stack": []}, P.PermissionRequestMessage),
    ({"type": "permission:result", "time": 1, "permissions": ["p"], "granted": [], "request_code": 3}, P.PermissionResultMessage),
    ({"type": "component:launch", "time": 1, "kind": "activity", "target_package": "com.tencent.mm", "target": "X"}, P.ComponentLaunchMessage),
    ({"type": "agent:late_hook", "time": 1, "api": "x.Y.z", "loader": "dalvik.system.DexClassLoader"}, P.LateHook),
    ({"type": "unpin:bypass", "time": 1, "target": "okhttp3.CertificatePinner.check", "host": "h"}, P.UnpinBypass),
    ({"type": "agent:error", "time": 1, "where": "hook x", "message": "boom"}, P.AgentError),
    ({"type": "net:connect", "time": 1, "kind": "native", "host": None, "ip": "10.0.0.1", "port": 443,
      "transport": "udp", "via_proxy": None, "module": "libflutter.so", "thread": "native", "stack": []},
     P.NetConnect),
])
def test_each_message_type_has_its_dataclass(payload, cls):
    assert isinstance(P.parse_message(send(payload)), cls)
    assert payload["type"] in P.MESSAGE_TYPES


def test_consent_kind_comes_from_the_type():
    msg = P.parse_message(send({"type": "consent:reject", "time": 5, "text": "拒绝"}))
    assert msg.kind == "reject" and msg.text == "拒绝"


def test_unknown_type_is_kept_with_its_content():
    msg = P.parse_message(send({"type": "api:cal", "x": 1}))
    assert isinstance(msg, P.UnknownMessage)
    assert msg.type == "api:cal" and msg.content == {"type": "api:cal", "x": 1}


def test_double_encoded_payload_is_not_accepted_as_a_message():
    # The agent must send(object), never send(JSON.stringify(object)).
    msg = P.parse_message(send(json.dumps(API_CALL)))
    assert isinstance(msg, P.UnknownMessage) and msg.type == "<not an object>"


def test_script_error_becomes_agent_error():
    msg = P.parse_message({"type": "error", "description": "ReferenceError: x", "fileName": "agent.js",
                           "lineNumber": 3})
    assert isinstance(msg, P.AgentError)
    assert "ReferenceError" in msg.message and "agent.js:3" in msg.where


@pytest.mark.parametrize("bad", [
    {**API_CALL, "obtained": "yes"},
    {**API_CALL, "time": "now"},
    {**API_CALL, "stack": "a\nb"},
    {k: v for k, v in API_CALL.items() if k != "api"},
    {"type": "permission:request", "time": 1, "permissions": ["p"], "request_code": "3"},
    {**NET_CONNECT, "kind": "smoke-signal"},
    {**NET_CONNECT, "via_proxy": "yes"},
    {**NET_CONNECT, "transport": "sctp"},
    {**NET_CONNECT, "port": "443"},
    {**NET_CONNECT, "host": None, "ip": None},
])
def test_malformed_known_types_raise_protocol_error(bad):
    with pytest.raises(P.ProtocolError):
        P.parse_message(send(bad))
