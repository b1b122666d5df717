package android.net.wifi;

public class WifiInfo {
    public String getMacAddress() { return "3c:5a:b4:01:02:03"; }
    public String getSSID() { return "\"PrivHostWiFi\""; }
    public String getBSSID() { return "3c:5a:b4:0a:0b:0c"; }
}
