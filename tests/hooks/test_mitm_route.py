"""RouteToSink: the request is analysed under the host the app asked for, then answered by the
local sink; nothing leaves the machine."""
from __future__ import annotations

import hashlib
import urllib.request

from privascope.dynamic_run.sink import LocalSink
from privascope.hooks.mitm_addon import PrivascopeAddon
from privascope.hooks.mitm_route import RouteToSink
from privascope.hooks.mitm_runner import start_proxy
from privascope.traffic import CanaryStore

IMEI = "861234567890127"


def test_request_is_analysed_under_its_real_host_and_answered_locally(mitm_confdir, catalog):
    store = CanaryStore.for_catalog(catalog)
    store.add("device.imei", IMEI, "rt-1")
    events = []
    with LocalSink() as sink:
        router = RouteToSink(sink.port)
        proxy = start_proxy([PrivascopeAddon(store=store, on_event=events.append, catalog=catalog),
                             router], confdir=mitm_confdir)
        try:
            opener = urllib.request.build_opener(
                urllib.request.ProxyHandler({"http": proxy.url}))
            body = f"imei_md5={hashlib.md5(IMEI.encode()).hexdigest()}".encode()
            with opener.open(urllib.request.Request("http://alog.umeng.com/app_logs", data=body),
                             timeout=10) as resp:
                assert resp.status == 200 and resp.read() == b'{"status":"ok"}'
        finally:
            proxy.stop()
        assert sink.received_hosts == ["alog.umeng.com"]
    assert router.routed == 1
    (event,) = events
    assert event.host == "alog.umeng.com" and event.path == "/app_logs"
    assert event.sdk == catalog.sdk_for_host("alog.umeng.com").id
    (m,) = [m for m in event.matches if m.detector == "known"]
    assert (m.pi_type, m.encoding, m.canary_source) == ("device.imei", "md5", "rt-1")
