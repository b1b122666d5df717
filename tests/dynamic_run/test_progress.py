"""Progress output: plain lines off a terminal, and the end-of-run summary table."""
from __future__ import annotations

import io

from rich.console import Console

from privascope.dynamic_run.live_panel import Progress
from tests.dynamic_run.test_correlate import RT, match, request, umeng_hosts
from privascope.dynamic_run.correlate import correlate
from privascope.model import AppInfo, Bundle, Tool


def make(live=False):
    buf = io.StringIO()
    console = Console(file=buf, width=160, force_terminal=False, color_system=None)
    return Progress(console=console, live=live), buf


def test_plain_lines_for_phases_consent_and_matches():
    progress, buf = make()
    with progress:
        progress.phase("reject: observe 5s (2/4)")
        progress.on_read("device.imei", "umeng-common")
        progress.on_read("device.imei", None)
        progress.on_consent("reject", "scenario")
        progress.on_request("alog.umeng.com", [("device.imei", "md5")])
        progress.on_request("cdn.example.com", [])
        progress.note("no consent dialog to accept was found")
    out = buf.getvalue()
    assert "[phase] reject: observe 5s (2/4)" in out
    assert "[consent] reject (scenario)" in out
    assert "[traffic] alog.umeng.com: device.imei as md5" in out
    assert "cdn.example.com" not in out  # requests without PI are counted, not listed
    assert progress.reads["device.imei"] == 2 and progress.requests == 2
    assert progress.reads_by_sdk == {"umeng-common": 1, "(app)": 1}


def test_live_panel_renders_counts():
    progress, buf = make(live=True)
    with progress:
        progress.on_read("device.android_id", "umeng-common")
        table = progress._render()
    console = Console(file=io.StringIO(), width=120, color_system=None)
    console.print(table)
    text = console.file.getvalue()
    assert "device.android_id ×1" in text and "phase" in text


def test_summary_lists_each_read_group_with_its_destinations():
    traffic = correlate(RT, [request("t1", 4.0, "alog.umeng.com",
                                     [match("device.imei", "860000000000123", "md5", "r1")])],
                        umeng_hosts)
    bundle = Bundle(tool=Tool("privascope", "0"), app=AppInfo(package="p"), runtime=RT,
                    traffic=traffic)
    progress, buf = make()
    progress.summary(bundle, report_hint="html: out/report.html")
    out = buf.getvalue()
    assert "alog.umeng.com (md5) ×1" in out
    assert "4 reads, 1 requests (1 carrying personal data)" in out
    assert "html: out/report.html" in out


def test_summary_counts_the_devices_other_traffic_apart():
    import dataclasses

    from privascope.model import Origin

    gms = dataclasses.replace(request("t2", 5.0, "android.clients.google.com"),
                              origin=Origin.DEVICE, origin_reason="not asked for")
    bundle = Bundle(tool=Tool("privascope", "0"), app=AppInfo(package="p"), runtime=RT,
                    traffic=(request("t1", 4.0, "alog.umeng.com"),), device_traffic=(gms,))
    progress, buf = make()
    progress.summary(bundle)
    assert "1 requests (0 carrying personal data); 1 other requests on the device" in buf.getvalue()
