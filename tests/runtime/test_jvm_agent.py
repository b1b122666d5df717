"""The real agent (frida + frida-java-bridge) attached to the JVM host app on JDK 17.

Each scenario is one JVM run shared by its tests: violating app accepting, violating app
rejecting, clean app accepting, clean app rejecting without unpinning.
"""
from __future__ import annotations

import pytest

from privascope.catalog import Api
from privascope.model import AppState, ConsentKind, ConsentPhase
from privascope.privacy import mask, masked
from privascope.jsonlines import read_records
from samples.jvm_host import values as V
from tests.runtime.jvm_runs import LOOP, SALT, run_host

PLUGIN_API = Api(id="com.example.plugin.DeviceIdProvider.getOaid", cls="com.example.plugin.DeviceIdProvider",
                 member="getOaid", kind="method", pi_type="device.oaid", overloads=None, permission=None,
                 capture="return")
# An SDK-internal method added to the catalog: its hook must appear with no agent change.
COLLECTOR_API = Api(id="com.umeng.commonsdk.internal.DeviceCollector.mac",
                    cls="com.umeng.commonsdk.internal.DeviceCollector", member="mac", kind="static_method",
                    pi_type="device.mac", overloads=(("android.content.Context",),), permission=None,
                    capture="return")
SDK = "umeng-common"


@pytest.fixture(scope="module")
def accepted(samples_build, catalog, tmp_path_factory):
    plugin = samples_build / "jvm_host" / "plugin"
    return run_host(samples_build, catalog, tmp_path_factory.mktemp("accept"), "--consent", "accept",
                    "--plugin", str(plugin), extra_apis=(PLUGIN_API,))


@pytest.fixture(scope="module")
def rejected(samples_build, catalog, tmp_path_factory):
    return run_host(samples_build, catalog, tmp_path_factory.mktemp("reject"), "--consent", "reject",
                    extra_apis=(COLLECTOR_API,))


@pytest.fixture(scope="module")
def clean_accepted(samples_build, catalog, tmp_path_factory):
    return run_host(samples_build, catalog, tmp_path_factory.mktemp("clean"), "--clean", "--consent", "accept")


@pytest.fixture(scope="module")
def clean_rejected_pinned(samples_build, catalog, tmp_path_factory):
    return run_host(samples_build, catalog, tmp_path_factory.mktemp("clean-reject"), "--clean",
                    "--consent", "reject", unpin=False)


# ------------------------------------------------------------------ values and attribution


def test_sdk_reads_identifiers_before_consent_with_correct_values(accepted):
    expected = {"device.imei": V.IMEI, "device.android_id": V.ANDROID_ID, "device.mac": V.MAC}
    for pi_type, raw in expected.items():
        first = [e for e in accepted.calls(pi_type=pi_type) if e.obtained][0]
        assert first.obtained and first.value == masked(raw, SALT), pi_type
        assert first.value.preview == mask(raw)
        assert first.consent_phase is ConsentPhase.BEFORE
        assert first.sdk == SDK, first.stack
        assert first.caller.startswith("com.umeng.commonsdk.internal.DeviceCollector.")
        assert any("com.example.privhost.MainActivity.onCreate" in f for f in first.stack), "full stack kept"
    apps = accepted.calls(api="android.content.pm.PackageManager.getInstalledPackages")
    assert len(apps) == 1 and apps[0].sdk == SDK and apps[0].consent_phase is ConsentPhase.BEFORE
    assert apps[0].value == masked("\n".join(V.INSTALLED_APPS), SALT)


def test_raw_values_reach_only_the_canary_callback(accepted):
    by_type = {}
    for pi_type, raw, _ref in accepted.canaries:
        by_type.setdefault(pi_type, set()).add(raw)
    assert V.IMEI in by_type["device.imei"] and V.ANDROID_ID in by_type["device.android_id"]
    assert set(V.INSTALLED_APPS) <= by_type["app_list"]
    assert {V.LATITUDE, V.LONGITUDE} <= by_type["location.precise"]
    assert V.SERIAL in by_type["device.serial"]  # Build.SERIAL, read once at hook time
    ids = {e.id for e in accepted.evidence.api_calls}
    imei_refs = {ref for t, raw, ref in accepted.canaries if t == "device.imei"}
    assert imei_refs <= ids


def test_security_exception_is_not_obtained_and_rethrown_to_the_app(accepted):
    denied = accepted.calls(api="android.telephony.TelephonyManager.getImei")
    assert denied and not denied[0].obtained and denied[0].value is None
    assert "SecurityException" in denied[0].exception
    assert any("getImei denied: java.lang.SecurityException" in line for line in accepted.target.output)


def test_app_reads_location_only_after_accept(accepted):
    loc = accepted.calls(pi_type="location.precise")
    assert {e.api.rsplit(".", 1)[-1] for e in loc} >= {"getLastKnownLocation", "getLatitude", "getLongitude"}
    assert all(e.consent_phase is ConsentPhase.AFTER_ACCEPT and e.sdk is None for e in loc)
    assert all(e.caller.startswith("com.example.privhost.MainActivity.afterAccept") for e in loc)
    whole = next(e for e in loc if e.api.endswith("getLastKnownLocation"))
    assert whole.value == masked(f"{V.LATITUDE},{V.LONGITUDE}", SALT)


# ------------------------------------------------------------------ consent, state, frequency


def test_consent_dialog_and_accept_click_are_seen_by_the_agent(accepted):
    kinds = [(c.kind, c.detected_by) for c in accepted.evidence.consent]
    assert kinds == [(ConsentKind.DIALOG_SHOWN, "agent"), (ConsentKind.ACCEPT, "agent")]
    assert "隐私政策" in accepted.evidence.consent[0].text
    assert accepted.evidence.consent[1].text == "同意"


def test_foreground_background_and_reads_in_background(accepted):
    states = [s.state for s in accepted.evidence.app_states]
    assert states == [AppState.FOREGROUND, AppState.BACKGROUND, AppState.FOREGROUND]
    in_bg = [e for e in accepted.calls(pi_type="device.android_id") if e.app_state is AppState.BACKGROUND]
    assert len(in_bg) == 1 and in_bg[0].sdk == SDK


def test_frequent_android_id_reads_in_the_loop(accepted):
    loop = [e for e in accepted.calls(pi_type="device.android_id")
            if e.consent_phase is ConsentPhase.AFTER_ACCEPT and e.app_state is AppState.FOREGROUND]
    assert len(loop) >= LOOP
    times = sorted(e.time for e in loop)
    assert times[-1] - times[0] >= 0.1 * (LOOP - 1)  # spread over the loop, not one burst


def test_permission_request_before_consent_with_result(accepted):
    (req,) = accepted.evidence.permission_requests
    assert req.permissions == ("android.permission.ACCESS_FINE_LOCATION", "android.permission.READ_PHONE_STATE")
    assert req.granted == ("android.permission.ACCESS_FINE_LOCATION",)
    assert req.consent_phase is ConsentPhase.BEFORE and req.sdk is None


def test_launch_of_another_vendors_app_is_recorded(accepted):
    (launch,) = accepted.evidence.component_launches
    assert (launch.kind, launch.target_package) == ("activity", "com.tencent.mm")
    assert launch.consent_phase is ConsentPhase.AFTER_ACCEPT


# ------------------------------------------------------------------ agent bookkeeping


def test_ready_lists_hooked_and_missing_classes(accepted):
    ready = accepted.session.ready
    assert ready.runtime == "jvm"
    assert "android.telephony.TelephonyManager.getDeviceId" in ready.hooked
    assert "android.content.pm.PackageManager.getInstalledPackages" in ready.hooked  # via runtime_class
    absent = [a for a, why in ready.missing.items() if why == "class not found"]
    assert absent, "APIs of classes the stubs lack are reported missing"
    assert all(not a.startswith(("android.telephony.TelephonyManager.getDeviceId",)) for a in absent)
    # A class only a later class loader provides: pending (late hooking is ART-only).
    assert PLUGIN_API.id in ready.pending
    assert any("plugin loaded" in line for line in accepted.target.output)
    assert accepted.evidence.agent_errors == ()


def test_jsonl_written_as_events_arrive_without_raw_values(accepted):
    text = accepted.events_path.read_text(encoding="utf-8")
    for raw in (V.IMEI, V.ANDROID_ID, V.MAC, V.SERIAL, V.LATITUDE, "com.eg.android.AlipayGphone"):
        assert raw not in text, raw
    lines = read_records(accepted.events_path)
    ids = [line["data"]["id"] for line in lines if line["kind"] == "runtime_event"]
    assert ids == [e.id for e in accepted.evidence.api_calls]
    assert "agent_ready" in [line["kind"] for line in lines]
    assert accepted.on_disk_when_seen and all(accepted.on_disk_when_seen)


def test_pinning_bypass_lets_the_pinned_check_pass(accepted):
    assert "okhttp3" in accepted.session.ready.unpin_applied
    assert any("pinning check passed" in line for line in accepted.target.output)
    assert [b.target for b in accepted.session.unpin_bypasses] == ["okhttp3.CertificatePinner.check"]


# ------------------------------------------------------------------ other scenarios


def test_reject_scenario_sdk_keeps_reading(rejected):
    kinds = [c.kind for c in rejected.evidence.consent]
    assert kinds == [ConsentKind.DIALOG_SHOWN, ConsentKind.REJECT]
    after = [e for e in rejected.calls(pi_type="device.android_id") if e.consent_phase is ConsentPhase.AFTER_REJECT]
    assert len(after) >= LOOP + 1 and all(e.sdk == SDK for e in after)
    assert not rejected.calls(pi_type="location.precise")
    assert rejected.evidence.component_launches == ()


def test_added_catalog_entry_is_hooked_and_attributed_past_its_own_frame(rejected):
    assert COLLECTOR_API.id in rejected.session.ready.hooked
    (call,) = rejected.calls(api=COLLECTOR_API.id)
    assert call.value == masked(V.MAC, SALT)
    # the hooked SDK frame is skipped: the caller is UMConfigure.init, still the SDK
    assert call.caller.startswith("com.umeng.commonsdk.UMConfigure.init") and call.sdk == SDK
    # catalog calls nested inside it (WifiInfo.getMacAddress) are one access, not two
    assert not rejected.calls(api="android.net.wifi.WifiInfo.getMacAddress")


def test_clean_app_reads_nothing_before_consent_and_nothing_often(clean_accepted):
    calls = clean_accepted.evidence.api_calls
    assert calls, "the clean app does read after consent"
    assert all(e.consent_phase is ConsentPhase.AFTER_ACCEPT for e in calls)
    assert all(e.app_state is AppState.FOREGROUND for e in calls)
    assert len(clean_accepted.calls(pi_type="device.android_id")) == 1
    shown, accept = clean_accepted.evidence.consent
    assert (shown.kind, accept.kind) == (ConsentKind.DIALOG_SHOWN, ConsentKind.ACCEPT)
    assert clean_accepted.evidence.permission_requests[0].consent_phase is ConsentPhase.AFTER_ACCEPT


def test_clean_app_after_reject_reads_nothing_and_pinning_stays_without_unpin(clean_rejected_pinned):
    run = clean_rejected_pinned
    assert run.evidence.api_calls == ()
    assert [c.kind for c in run.evidence.consent] == [ConsentKind.DIALOG_SHOWN, ConsentKind.REJECT]
    assert run.session.ready.unpin_applied == ()
    assert any("pinning check failed: javax.net.ssl.SSLPeerUnverifiedException" in line for line in run.target.output)


@pytest.fixture(scope="module")
def consent_activity(samples_build, catalog, tmp_path_factory):
    return run_host(samples_build, catalog, tmp_path_factory.mktemp("consent-activity"), "--clean",
                    "--consent-activity", "--consent", "accept", "--loop", "0")


def test_consent_screen_that_is_an_activity_is_seen(consent_activity):
    shown, accept = consent_activity.evidence.consent
    assert shown.kind is ConsentKind.DIALOG_SHOWN and "隐私保护指引" in shown.text
    assert (accept.kind, accept.text, accept.detected_by) == (ConsentKind.ACCEPT, "同意并继续", "agent")
    # stopping the privacy activity while the main one is visible is not "background"
    states = [s.state for s in consent_activity.evidence.app_states]
    assert states == [AppState.FOREGROUND, AppState.BACKGROUND, AppState.FOREGROUND]
    assert all(e.consent_phase is ConsentPhase.AFTER_ACCEPT for e in consent_activity.evidence.api_calls)


def test_jvm_clock_offset_is_zero_within_its_measurement_error(accepted):
    # the agent's Date.now() and this process's time.time() read the same clock (issue 11
    # item 13): the device reading lies inside the round trip, so the offset is within the
    # measurement's error and nothing is corrected
    session = accepted.session
    assert session.clock_rtt is not None
    assert session.clock_offset == 0.0 and accepted.evidence.clock_offset_ms == 0.0
