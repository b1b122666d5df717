package android.content;

import android.content.pm.PackageManager;
import android.location.LocationManager;
import android.net.wifi.WifiManager;
import android.telephony.TelephonyManager;

import java.util.HashSet;
import java.util.Set;

/** Stub: on Android this delegates to ContextImpl; here it is the fake system itself. */
public class ContextWrapper extends Context {
    private static final ContentResolver RESOLVER = new ContentResolver();
    private static final Set<String> GRANTED = new HashSet<>();
    private final String packageName;

    public ContextWrapper(String packageName) { this.packageName = packageName; }

    @Override public Object getSystemService(String name) {
        switch (name) {
            case TELEPHONY_SERVICE: return new TelephonyManager();
            case WIFI_SERVICE: return new WifiManager();
            case LOCATION_SERVICE: return new LocationManager();
            default: return null;
        }
    }
    @Override public ContentResolver getContentResolver() { return RESOLVER; }
    @Override public PackageManager getPackageManager() { return new android.app.ApplicationPackageManager(); }
    @Override public String getPackageName() { return packageName; }
    @Override public void startActivity(Intent intent) { System.out.println("privhost: startActivity " + intent); }
    @Override public ComponentName startService(Intent service) {
        System.out.println("privhost: startService " + service);
        return service.getComponent();
    }
    @Override public void sendBroadcast(Intent intent) { System.out.println("privhost: sendBroadcast " + intent); }
    @Override public int checkSelfPermission(String permission) {
        synchronized (GRANTED) { return GRANTED.contains(permission) ? PackageManager.PERMISSION_GRANTED : PackageManager.PERMISSION_DENIED; }
    }

    /** Test hook standing in for the system's permission dialog. */
    public static void grant(String permission) { synchronized (GRANTED) { GRANTED.add(permission); } }
}
