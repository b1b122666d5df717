"""Issue 11 item 3 on the double, whose Play-services-like background client
(userland/gms-background) sends check-ins through the same global proxy, carrying the very
ANDROID_ID the host app reads. None of its flows may become a finding against the app: they are
device traffic, kept apart with their reason.

The whole Frida path (privascope dynamic on every profile) asserts it in test_dynamic_cli.py;
this test runs the background client's real flows through the real proxy
and addon into correlate and judge, and shows the same flows taken for the app's are findings."""
from __future__ import annotations

import threading

GMS = "android.clients.google.com"
PKG = "com.example.sdkapp"  # sdk.apk: the violating host app's package on the double


def test_the_background_clients_real_flows_are_device_traffic_without_the_frida_path(
        shell_for, catalog, tmp_path):
    """Without the Frida path: the double's background client through the real proxy and
    the traffic addon (adb reverse, global proxy, as privascope sets them), then correlate with
    an Android run's runtime evidence in which the app read the ANDROID_ID and asked only for
    its own hosts. The check-in carries that ANDROID_ID (a match: as the app's it would be a
    finding) and comes out as device traffic; judged, nothing cites it."""
    from privascope import privacy
    from privascope.dynamic_run.correlate import correlate
    from privascope.hooks.mitm_addon import PrivascopeAddon
    from privascope.hooks.mitm_runner import start_proxy
    from privascope.model import (AppInfo, AppState, Bundle, ConsentPhase, Method, NetConnection,
                                  Origin, RuntimeEvent, RuntimeEvidence, Tool)
    from privascope.pipeline import judge
    from privascope.runtime import adb
    from privascope.traffic import CanaryStore
    from samples.jvm_host import values as V

    device, sh = shell_for("api34-emulator")
    store = CanaryStore.for_catalog(catalog)
    store.add("device.android_id", V.ANDROID_ID, "rt-1")
    events, arrived = [], threading.Event()

    def on_event(event):
        events.append(event)
        if event.host == GMS:
            arrived.set()

    handle = start_proxy([PrivascopeAddon(store=store, on_event=on_event, catalog=catalog)],
                         confdir=tmp_path / "mitm")
    settings = adb.DeviceSettings()
    try:
        sh.reverse(handle.port, handle.port)
        settings.reversed_ports.append(handle.port)
        adb.set_proxy(sh, settings, "127.0.0.1", handle.port)
        assert arrived.wait(60), f"no check-in of the background client reached the proxy: {events}"
    finally:
        adb.restore(sh, settings)
        handle.stop()
    gms = next(e for e in events if e.host == GMS)
    assert any(m.pi_type == "device.android_id" for m in gms.matches), gms.matches
    t0 = gms.time - 5.0
    read = RuntimeEvent(id="rt-1", time=t0, api="android.provider.Settings$Secure.getString",
                        pi_type="device.android_id", value=privacy.masked(V.ANDROID_ID, b"s"),
                        obtained=True, exception=None, thread="main", stack=(), sdk=None,
                        caller=None, app_state=AppState.FOREGROUND,
                        consent_phase=ConsentPhase.BEFORE)
    asked = NetConnection(id="nc-1", time=t0, kind="http", host=V.SDK_HOST, ip=None, port=80,
                          via_proxy=True)
    runtime = RuntimeEvidence(target=f"android:{device.serial}/{PKG}", started_at=t0 - 1,
                              ended_at=gms.time + 1, api_calls=(read,), connections=(asked,),
                              net_hooks=("libc connect",))
    traffic = correlate(runtime, [e for e in events if e.host == GMS], catalog.sdk_for_host)
    assert traffic and all(t.origin is Origin.DEVICE for t in traffic)
    judged = judge(Bundle(tool=Tool("privascope", "t"), app=AppInfo(package=PKG),
                          method=Method(kinds=("runtime", "traffic")), runtime=runtime,
                          traffic=traffic), catalog=catalog)
    cited = [r.id for f in judged.findings for r in f.evidence if r.kind == "traffic_event"]
    assert cited == [] and judged.traffic == () and len(judged.device_traffic) == len(traffic)
    # the same flows taken for the app's (what happened before origins) are findings
    import dataclasses

    as_app = judge(dataclasses.replace(judged, traffic=tuple(
        dataclasses.replace(t, origin=Origin.APP) for t in traffic), device_traffic=()),
        catalog=catalog)
    assert [r for f in as_app.findings for r in f.evidence if r.kind == "traffic_event"]
