"""Late canaries: a request analysed before its value reached the store is matched at the end."""
from __future__ import annotations

import hashlib
import urllib.request

from mitmproxy.test import tflow

from privascope.dynamic_run.rescan import RequestKeeper
from privascope.dynamic_run.sink import LocalSink, RouteToSink
from privascope.traffic import CanaryStore
from privascope.hooks.mitm_addon import PrivascopeAddon
from privascope.hooks.mitm_runner import start_proxy

IMEI = "861234567890127"


def test_value_that_arrives_after_the_request_is_found_by_the_rescan(mitm_confdir, catalog):
    store = CanaryStore.for_catalog(catalog)
    keeper = RequestKeeper()
    events = []

    def on_event(e):
        keeper.analysed(e)
        events.append(e)

    addon = PrivascopeAddon(store=store, on_event=on_event, catalog=catalog)
    with LocalSink() as sink:
        proxy = start_proxy([addon, keeper, RouteToSink(sink.port)], confdir=mitm_confdir)
        try:
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": proxy.url}))
            body = f"m={hashlib.md5(IMEI.encode()).hexdigest()}".encode()
            opener.open(urllib.request.Request("http://alog.umeng.com/a", data=body),
                        timeout=10).read()
        finally:
            proxy.stop()
    (live,) = events
    assert not [m for m in live.matches if m.detector == "known"]  # the store was empty
    store.add("device.imei", IMEI, "rt-00002")  # the agent's message arrives late
    (final,) = keeper.rescan(addon.analyzer, events)
    assert final.id == live.id and final.time == live.time
    assert [(m.pi_type, m.encoding, m.canary_source) for m in final.matches
            if m.detector == "known"] == [("device.imei", "md5", "rt-00002")]
    assert final.related_events == ("rt-00002",)
    keeper.forget()
    assert keeper.rescan(addon.analyzer, events) == events  # nothing kept any more


def test_keeper_bounds_what_it_holds_and_pairs_by_arrival():
    keeper = RequestKeeper(max_requests=2)
    flows = [tflow.tflow() for _ in range(3)]
    for i, flow in enumerate(flows):
        flow.request.timestamp_start = 1000.0 + i
        keeper.request(flow)
    assert keeper.dropped == 1

    class Event:
        def __init__(self, eid, flow):
            self.id, self.time, self.scheme = eid, flow.request.timestamp_start, "http"
            self.host, self.method = flow.request.pretty_host, flow.request.method

    keeper.analysed(Event("t2", flows[1]))  # events may come in any order
    keeper.analysed(Event("t1", flows[0]))
    keeper.analysed(Event("t3", flows[2]))  # dropped: nothing to pair
    assert sorted(keeper._views) == ["t1", "t2"]
    assert keeper._views["t1"].time == 1000.0
