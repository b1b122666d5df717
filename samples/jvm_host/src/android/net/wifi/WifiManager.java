package android.net.wifi;

public class WifiManager {
    public WifiInfo getConnectionInfo() { return new WifiInfo(); }
}
