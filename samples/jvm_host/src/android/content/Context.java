package android.content;

import android.content.pm.PackageManager;

public abstract class Context {
    public static final String TELEPHONY_SERVICE = "phone";
    public static final String WIFI_SERVICE = "wifi";
    public static final String LOCATION_SERVICE = "location";

    public abstract Object getSystemService(String name);
    public abstract ContentResolver getContentResolver();
    public abstract PackageManager getPackageManager();
    public abstract String getPackageName();
    public abstract void startActivity(Intent intent);
    public abstract ComponentName startService(Intent service);
    public abstract void sendBroadcast(Intent intent);
    public abstract int checkSelfPermission(String permission);
}
