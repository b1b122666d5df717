"""find_call_sites on the sample dex files, called directly: key-argument resolution (on, off,
and driven by the catalog's key table), reflection confidence, the `strings` shortcut, and the
helpers (argument registers, content-URI boundaries, string users)."""
from __future__ import annotations

import dataclasses
import zipfile

import pytest

from privascope.static.calls import (
    _arg_register, _uri_strings, find_call_sites, index_catalog, string_users,
)
from privascope.static.dex import DexFile

SECURE = "android.provider.Settings$Secure.getString"
TM = "android.telephony.TelephonyManager.getDeviceId"


def _dex(samples_build, name: str) -> DexFile:
    with zipfile.ZipFile(samples_build / f"{name}.apk") as zf:
        return DexFile(zf.read("classes.dex"), "classes.dex")


def _short(sites):
    return {(s.api, s.pi_type, s.caller_class.rsplit(".", 1)[-1], s.caller_method.split("(")[0],
             s.via, s.confidence) for s in sites}


def test_sdk_dex_key_resolution(samples_build, static_catalog):
    sites = _short(find_call_sites(_dex(samples_build, "sdk"), static_catalog))
    secure = {s for s in sites if s[0] == SECURE}
    assert secure == {
        # const "android_id" loaded into the key register: that PI type, high
        (SECURE, "device.android_id", "DeviceInfo", "androidId", "invoke", "high"),
        # the key is a parameter: kept with the API's own PI type, low
        (SECURE, "device.android_id", "UMConfigure", "setting", "invoke", "low"),
    }
    assert (TM, "device.imei", "DeviceInfo", "imei", "invoke", "high") in sites
    every = find_call_sites(_dex(samples_build, "sdk"), static_catalog)
    assert all(s.dex == "classes.dex" for s in every) and len(every) == len(set(every))
    perm = {s.api: s.permission for s in every}
    assert perm[TM] == static_catalog.apis[TM].permission


def test_unlisted_constant_key_is_dropped_unless_resolution_is_off(samples_build, static_catalog):
    dex = _dex(samples_build, "clean")  # Settings.Secure.getString(cr, "default_input_method")
    assert find_call_sites(dex, static_catalog) == []
    raw = _short(find_call_sites(dex, static_catalog, resolve_keys=False))
    assert raw == {(SECURE, "device.android_id", "MainActivity", "onCreate", "invoke", "high")}


def test_key_table_comes_from_the_catalog(samples_build, static_catalog):
    """Listing the clean app's key in the catalog turns the same instruction into evidence."""
    api = static_catalog.apis[SECURE]
    key_arg = dataclasses.replace(api.key_arg, values={**api.key_arg.values,
                                                       "default_input_method": "device.name"})
    grown = dataclasses.replace(static_catalog, apis={
        **static_catalog.apis, SECURE: dataclasses.replace(api, key_arg=key_arg)})
    assert index_catalog(grown) is not index_catalog(static_catalog)  # one index per catalog
    assert index_catalog(static_catalog) is index_catalog(static_catalog)
    assert _short(find_call_sites(_dex(samples_build, "clean"), grown)) == {
        (SECURE, "device.name", "MainActivity", "onCreate", "invoke", "high")}


def test_strings_argument_gives_the_same_sites(samples_build, static_catalog):
    dex = _dex(samples_build, "sdk")
    strings = {s: i for i, s in dex.strings()}
    assert set(find_call_sites(dex, static_catalog, strings=strings)) == set(
        find_call_sites(dex, static_catalog))


def test_reflection_confidence_depends_on_the_class_name(samples_build, static_catalog):
    dex = _dex(samples_build, "reflection")
    named = _short(find_call_sites(dex, static_catalog))
    assert (TM, "device.imei", "MainActivity", "readId", "reflection", "medium") in named
    # the same code with the class-name constant changed by one byte: the member name alone is
    # weaker evidence (the dex reader does not check the checksum, so the edit is enough)
    old = b"android.telephony.TelephonyManager\x00"
    assert dex.data.count(old) == 1
    blind = DexFile(dex.data.replace(old, b"android.telephony.TelephonyManageX\x00"))
    readid = {s for s in _short(find_call_sites(blind, static_catalog)) if s[3] == "readId"}
    assert readid == {(TM, "device.imei", "MainActivity", "readId", "reflection", "low")}


def test_member_name_without_reflection_is_not_evidence(samples_build, static_catalog):
    # clean logs "no call to getDeviceId here"; reflection's describe() returns "getDeviceId"
    sites = find_call_sites(_dex(samples_build, "reflection"), static_catalog)
    assert not any(s.caller_method.startswith("describe") for s in sites)


@pytest.mark.parametrize("static,params,index,want", [
    (True, ("Ljava/lang/String;", "I"), 1, 1),  # static: arguments from the first register
    (False, ("Ljava/lang/String;", "I"), 1, 2),  # instance: register 0 is `this`
    (True, ("J", "Ljava/lang/String;"), 1, 2),  # a long takes two registers
    (False, ("D", "J", "I"), 2, 5),
    (True, ("I",), 3, None),  # no such argument
])
def test_argument_registers(static, params, index, want):
    regs = (10, 11, 12, 13, 14, 15)
    assert _arg_register(regs, static, params, index) == (regs[want] if want is not None else None)
    assert _arg_register((10,), False, ("J",), 0) is None  # fewer registers than the proto says


def test_content_uri_boundaries(static_catalog):
    idx = index_catalog(static_catalog)
    strings = {"content://sms/inbox": 1, "content://sms/inboxes": 2, "content://smsx": 3,
               "content://sms?limit=1": 4, "content://sms": 5, "/proc/net/arp": 6,
               "content://com.meizu.flyme.openidsdk/oaid": 7, "http://content://sms": 8}
    got = {i: apis[0].id for i, apis in _uri_strings(strings, idx).items()}
    assert got[1] == "uri:content://sms/inbox"  # the longest catalog URI wins
    assert got[2] == "uri:content://sms"  # "inboxes" is not "inbox" at a path boundary
    assert 3 not in got and 8 not in got
    assert got[4] == got[5] == "uri:content://sms" and got[6] == "uri:/proc/net/arp"
    assert got[7] == "uri:content://com.meizu.flyme.openidsdk/"  # catalog URI ending in "/"


def test_reflection_names_exclude_short_and_shared_names(static_catalog):
    names = index_catalog(static_catalog).reflection_names
    assert "getDeviceId" in names
    assert all(len(n) >= 9 for n in names)
    assert "getString" not in names  # three Settings classes have it (and a key decides the PI)
    assert "getAddress" not in names  # BluetoothAdapter and BluetoothDevice share it


def test_string_users_name_the_loading_classes(samples_build):
    dex = _dex(samples_build, "reflection")
    strings = {s: i for i, s in dex.strings()}
    wanted = {strings["getDeviceId"], strings["android.os.Build"]}
    users = string_users(dex, wanted)
    assert users == {strings["getDeviceId"]: {"com.example.reflect.MainActivity"},
                     strings["android.os.Build"]: {"com.example.reflect.MainActivity"}}
    assert string_users(dex, set()) == {}
