"""Late canaries: a request analysed before its value reached the store is matched at the end."""
from __future__ import annotations

import hashlib
import urllib.request

from privascope.dynamic_run.rescan import rescan
from privascope.dynamic_run.sink import LocalSink
from privascope.hooks.mitm_keeper import RequestKeeper
from privascope.hooks.mitm_route import RouteToSink
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
    (final,) = rescan(addon.analyzer, events, keeper.kept())
    assert final.id == live.id and final.time == live.time
    assert [(m.pi_type, m.encoding, m.canary_source) for m in final.matches
            if m.detector == "known"] == [("device.imei", "md5", "rt-00002")]
    assert final.related_events == ("rt-00002",)
    keeper.forget()
    assert rescan(addon.analyzer, events, keeper.kept()) == events  # nothing kept any more
    assert rescan(None, events, {live.id: object()}) == events  # no analyser: live results



def test_rescan_replaces_the_live_links_instead_of_merging_them():
    """Which read a value came from is correlate's decision: the rescan hands on what the
    final analysis found, not a union with the live guess."""
    import dataclasses

    from privascope.model import Destination, TrafficEvent

    live = TrafficEvent(id="t1", time=5.0, method="POST", scheme="http", host="h.example.cn",
                        port=80, path="/a", destination=Destination.UNKNOWN, sdk=None,
                        related_events=("rt-live",))
    other = dataclasses.replace(live, id="t2", related_events=("rt-other",))

    class Analyzer:
        def analyze_request(self, view, stamp):
            assert view == "kept-view" and stamp == (None, None)
            return dataclasses.replace(live, path="/a?x", related_events=("rt-final",))

    out = rescan(Analyzer(), [live, other], {"t1": "kept-view"})
    assert [(e.id, e.path, e.related_events) for e in out] == [
        ("t1", "/a?x", ("rt-final",)), ("t2", "/a", ("rt-other",))]
