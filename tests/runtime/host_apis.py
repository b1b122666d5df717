"""Catalog entries the host-app tests rely on, in apis.yaml form. The tests run with the real
catalog; entries it lacks (it is edited by another area) are added from here so the runtime
tests exercise the agent rather than the catalog's current coverage."""
from __future__ import annotations

import dataclasses

from privascope.catalog import Api, Catalog, KeyArg

HOST_APIS = (
    Api(id="android.telephony.TelephonyManager.getDeviceId", cls="android.telephony.TelephonyManager",
        member="getDeviceId", kind="method", pi_type="device.imei", overloads=None,
        permission="android.permission.READ_PHONE_STATE", capture="return"),
    Api(id="android.provider.Settings$Secure.getString", cls="android.provider.Settings$Secure",
        member="getString", kind="static_method", pi_type="device.android_id", overloads=None,
        permission=None, capture="return", key_arg=KeyArg(index=1, values={"android_id": "device.android_id"})),
    Api(id="android.net.wifi.WifiInfo.getMacAddress", cls="android.net.wifi.WifiInfo",
        member="getMacAddress", kind="method", pi_type="device.mac", overloads=None,
        permission=None, capture="return"),
    Api(id="android.content.pm.PackageManager.getInstalledPackages", cls="android.content.pm.PackageManager",
        member="getInstalledPackages", kind="method", pi_type="app_list", overloads=None,
        permission=None, capture="return_list"),
    Api(id="android.location.LocationManager.getLastKnownLocation", cls="android.location.LocationManager",
        member="getLastKnownLocation", kind="method", pi_type="location.precise", overloads=None,
        permission=None, capture="return"),
    Api(id="android.location.Location.getLatitude", cls="android.location.Location",
        member="getLatitude", kind="method", pi_type="location.precise", overloads=None,
        permission=None, capture="return"),
    Api(id="android.os.Build.SERIAL", cls="android.os.Build", member="SERIAL", kind="field",
        pi_type="device.serial", overloads=None, permission=None, capture="return"),
)


def host_catalog(real: Catalog) -> Catalog:
    """The real catalog plus whichever host-app APIs it does not have yet (by class+member)."""
    have = {(a.cls, a.member) for a in real.apis.values()}
    apis = dict(real.apis)
    for api in HOST_APIS:
        if (api.cls, api.member) not in have and api.pi_type in real.pi_types:
            apis[api.id] = api
    return dataclasses.replace(real, apis=apis)
