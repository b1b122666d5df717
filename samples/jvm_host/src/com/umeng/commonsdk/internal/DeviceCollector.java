package com.umeng.commonsdk.internal;

import android.content.Context;
import android.content.pm.PackageInfo;
import android.net.wifi.WifiManager;
import android.provider.Settings;
import android.telephony.TelephonyManager;

import java.util.ArrayList;
import java.util.List;

/** The "SDK" code that reads identifiers: it, not the app, is what attribution must name. */
public final class DeviceCollector {
    private DeviceCollector() {}

    public static String imei(Context ctx) {
        TelephonyManager tm = (TelephonyManager) ctx.getSystemService(Context.TELEPHONY_SERVICE);
        return tm.getDeviceId();
    }

    /** Newer API first, as SDKs do; Android 10+ refuses it to ordinary apps. */
    public static String imeiModern(Context ctx) {
        TelephonyManager tm = (TelephonyManager) ctx.getSystemService(Context.TELEPHONY_SERVICE);
        try {
            return tm.getImei();
        } catch (SecurityException e) {
            System.out.println("privhost: getImei denied: " + e.getClass().getName());
            return null;
        }
    }

    public static String androidId(Context ctx) {
        return Settings.Secure.getString(ctx.getContentResolver(), Settings.Secure.ANDROID_ID);
    }

    public static String mac(Context ctx) {
        WifiManager wm = (WifiManager) ctx.getSystemService(Context.WIFI_SERVICE);
        return wm.getConnectionInfo().getMacAddress();
    }

    public static List<String> installedApps(Context ctx) {
        List<String> out = new ArrayList<>();
        for (PackageInfo p : ctx.getPackageManager().getInstalledPackages(0)) {
            out.add(p.packageName);
        }
        return out;
    }
}
