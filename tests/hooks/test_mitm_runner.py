"""hooks/mitm_runner.start_proxy: mitmproxy in-process, live canaries, real HTTPS on loopback."""
import json

import pytest

from privascope.traffic import CanaryStore
from privascope.hooks.mitm_addon import PrivascopeAddon
from privascope.hooks.mitm_runner import start_proxy
from tests.hooks.servers import local_server, via_proxy
from tests.traffic.values import ANDROID_ID


@pytest.mark.slow
def test_in_process_proxy_with_live_canaries(tmp_path, catalog):
    store, events = CanaryStore(), []
    handle = start_proxy([PrivascopeAddon(store=store, on_event=events.append, catalog=catalog)],
                         confdir=tmp_path / "mitm", options={"ssl_insecure": True})
    try:
        assert handle.port > 0 and handle.ca_cert_path.is_file()
        store.add("device.android_id", ANDROID_ID, "rt-42")  # as the Frida callback would
        with local_server(tmp_path) as (port, got):
            body = json.dumps({"u": ANDROID_ID.upper()}).encode()
            assert via_proxy(handle.port, "https", port, "POST", "/e", body,
                             {"Content-Type": "application/json"}, handle.ca_cert_path) == 200
        assert got and got[0][3] == body
    finally:
        handle.stop()
    assert not handle._thread.is_alive()
    (event,) = events
    assert [(m.encoding, m.canary_source) for m in event.matches] == [("upper", "rt-42")]


def test_refuses_a_non_loopback_address(tmp_path):
    with pytest.raises(ValueError, match="loopback"):
        start_proxy([], host="0.0.0.0", confdir=tmp_path)
