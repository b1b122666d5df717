"""RequestKeeper: keeps what the analysis addon saw, bounded, paired with its event by arrival."""
from __future__ import annotations

from mitmproxy.test import tflow

from privascope.hooks.mitm_keeper import RequestKeeper


class Event:
    def __init__(self, eid, flow, scheme="http"):
        self.id, self.time, self.scheme = eid, flow.request.timestamp_start, scheme
        self.host, self.method = flow.request.pretty_host, flow.request.method


def test_keeper_bounds_what_it_holds_and_pairs_by_arrival():
    keeper = RequestKeeper(max_requests=2)
    flows = [tflow.tflow() for _ in range(3)]
    for i, flow in enumerate(flows):
        flow.request.timestamp_start = 1000.0 + i
        keeper.request(flow)
    assert keeper.dropped == 1
    keeper.analysed(Event("t2", flows[1]))  # events may come in any order
    keeper.analysed(Event("t1", flows[0]))
    keeper.analysed(Event("t3", flows[2]))  # dropped: nothing to pair
    kept = keeper.kept()
    assert sorted(kept) == ["t1", "t2"]
    assert kept["t1"].time == 1000.0 and kept["t2"].time == 1001.0


def test_keeper_bounds_bytes_and_forgets():
    keeper = RequestKeeper(max_bytes=10)
    flow = tflow.tflow()
    flow.request.content = b"x" * 100
    keeper.request(flow)
    assert keeper.dropped == 1
    keeper = RequestKeeper()
    keeper.request(flow)
    keeper.analysed(Event("t1", flow))
    assert list(keeper.kept()) == ["t1"]
    keeper.forget()
    assert keeper.kept() == {}


def test_websocket_messages_are_not_kept():
    keeper = RequestKeeper()
    flow = tflow.tflow()
    keeper.request(flow)
    keeper.analysed(Event("w1", flow, scheme="wss"))
    assert keeper.kept() == {}
