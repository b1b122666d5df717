package com.umeng.commonsdk;

import android.content.Context;
import com.example.privhost.net.Sender;
import com.umeng.commonsdk.internal.DeviceCollector;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;

/** An Umeng-like analytics SDK (fake, under the real package prefix so the catalog knows it). */
public final class UMConfigure {
    private static String reportUrl = "http://alog.umeng.com/app_logs";

    private UMConfigure() {}

    public static void setReportUrl(String url) { reportUrl = url; }

    /** Start-up collection: what regulators flag when it runs before the user consents. */
    public static void init(Context ctx) {
        String imei = DeviceCollector.imeiModern(ctx);
        if (imei == null) {
            imei = DeviceCollector.imei(ctx);
        }
        String androidId = DeviceCollector.androidId(ctx);
        String mac = DeviceCollector.mac(ctx);
        List<String> apps = DeviceCollector.installedApps(ctx);
        Sender.post(reportUrl, "imei=" + imei + "&imei_md5=" + md5(imei)
                + "&aid=" + b64(androidId) + "&mac=" + mac + "&apps=" + String.join(",", apps));
    }

    /** Light collection that is fine after consent. */
    public static void initAfterConsent(Context ctx) {
        String androidId = DeviceCollector.androidId(ctx);
        Sender.post(reportUrl, "aid=" + b64(androidId));
    }

    /** Periodic heartbeat that reads ANDROID_ID every time (frequent collection). */
    public static void heartbeat(Context ctx) {
        DeviceCollector.androidId(ctx);
    }

    public static void heartbeatAndSend(Context ctx) {
        Sender.post(reportUrl, "hb=1&aid=" + DeviceCollector.androidId(ctx));
    }

    static String md5(String s) {
        try {
            byte[] d = MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder();
            for (byte b : d) {
                sb.append(String.format("%02x", b));
            }
            return sb.toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
