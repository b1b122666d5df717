"""SDK attribution from hand-written stacks: the nearest non-framework frame decides."""
from __future__ import annotations

from privascope.runtime.attribution import attribute, frame_class, is_framework

HOOKED = "android.telephony.TelephonyManager.getDeviceId"


def test_frame_class_handles_plain_module_and_nested_frames():
    assert frame_class("com.a.B.c(B.java:3)") == "com.a.B"
    assert frame_class("java.base/java.lang.Thread.run(Thread.java:833)") == "java.lang.Thread"
    assert frame_class("android.provider.Settings$Secure.getString(Native Method)") == "android.provider.Settings$Secure"
    assert frame_class("com.a.B.<init>(B.java:1)") == "com.a.B"
    assert frame_class("not a frame") is None


def test_app_calls_sdk_which_calls_the_api_is_the_sdk(catalog):
    stack = [
        "android.telephony.TelephonyManager.getDeviceId(Native Method)",
        "com.umeng.commonsdk.internal.DeviceCollector.imei(DeviceCollector.java:18)",
        "com.umeng.commonsdk.UMConfigure.init(UMConfigure.java:23)",
        "com.example.privhost.MainActivity.onCreate(MainActivity.java:29)",
        "android.app.Activity.performCreate(Activity.java:8000)",
    ]
    sdk, frame = attribute(stack, catalog, hooked=HOOKED)
    assert sdk == "umeng-common"
    assert frame.startswith("com.umeng.commonsdk.internal.DeviceCollector.imei")


def test_sdk_calling_back_into_the_app_is_the_app(catalog):
    # The SDK invokes an app callback which reads the IMEI: the nearest frame (app) wins.
    stack = [
        "android.telephony.TelephonyManager.getDeviceId(Native Method)",
        "com.example.privhost.DeviceInfoProvider.imei(DeviceInfoProvider.java:9)",
        "com.umeng.commonsdk.UMConfigure.collect(UMConfigure.java:40)",
        "com.example.privhost.MainActivity.onCreate(MainActivity.java:29)",
    ]
    sdk, frame = attribute(stack, catalog, hooked=HOOKED)
    assert sdk is None
    assert frame.startswith("com.example.privhost.DeviceInfoProvider.imei")


def test_framework_frames_between_sdk_and_api_are_skipped(catalog):
    stack = [
        "android.telephony.TelephonyManager.getDeviceId(Native Method)",
        "java.lang.reflect.Method.invoke(Native Method)",
        "jdk.internal.reflect.NativeMethodAccessorImpl.invoke0(Native Method)",
        "kotlinx.coroutines.DispatchedTask.run(DispatchedTask.kt:1)",
        "androidx.work.Worker.doWork(Worker.java:1)",
        "com.umeng.commonsdk.UMConfigure.init(UMConfigure.java:23)",
    ]
    assert attribute(stack, catalog, hooked=HOOKED)[0] == "umeng-common"


def test_the_hooked_sdk_method_itself_is_not_the_caller(catalog):
    # Hooking an SDK's own API: its frame carries the SDK prefix but the app called it.
    stack = [
        "com.umeng.commonsdk.UMConfigure.getUMIDString(Native Method)",
        "com.example.privhost.MainActivity.onResume(MainActivity.java:50)",
    ]
    sdk, frame = attribute(stack, catalog, hooked="com.umeng.commonsdk.UMConfigure.getUMIDString")
    assert sdk is None and frame.startswith("com.example.privhost.MainActivity")


def test_gms_is_an_sdk_not_framework(catalog):
    assert not is_framework("com.google.android.gms.ads.identifier.AdvertisingIdClient", catalog)
    assert is_framework("com.android.internal.os.ZygoteInit", catalog)
    assert is_framework("androidx.appcompat.app.AppCompatActivity", catalog)
    assert not is_framework("javaxx.Foo", catalog)  # whole packages only


def test_only_framework_frames_means_no_caller(catalog):
    stack = ["android.telephony.TelephonyManager.getDeviceId(Native Method)",
             "android.app.ActivityThread.main(ActivityThread.java:1)"]
    assert attribute(stack, catalog, hooked=HOOKED) == (None, None)


def test_a_vendor_demo_apps_own_frames_are_the_app(catalog):
    """The static scan's own-package rule at run time: the demo app com.umeng.soexample reading
    the IMEI in its own code is the app, even though com.umeng is Umeng's namespace; Umeng's
    real modules under it still are Umeng."""
    own = ("com.umeng.soexample",)
    demo = ["android.telephony.TelephonyManager.getDeviceId(Native Method)",
            "com.umeng.soexample.MainActivity.onCreate(MainActivity.java:40)"]
    assert attribute(demo, catalog, hooked=HOOKED)[0] is not None  # without: blamed on an SDK
    assert attribute(demo, catalog, hooked=HOOKED, own_packages=own)[0] is None
    sdk_code = ["android.telephony.TelephonyManager.getDeviceId(Native Method)",
                "com.umeng.commonsdk.internal.DeviceCollector.imei(DeviceCollector.java:18)",
                "com.umeng.soexample.MainActivity.onCreate(MainActivity.java:40)"]
    assert attribute(sdk_code, catalog, hooked=HOOKED, own_packages=own)[0] == "umeng-common"
