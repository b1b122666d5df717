package android.telephony;

/** Stub with fixed fake identifiers (the IMEI is Luhn-valid, never a real device's). */
public class TelephonyManager {
    static final String IMEI = "861234567890127";
    static final String IMSI = "460001234567890";

    public String getDeviceId() { return IMEI; }
    public String getDeviceId(int slotIndex) { return IMEI; }
    public String getImei() { return IMEI; }
    public String getImei(int slotIndex) { return IMEI; }
    public String getSubscriberId() { return IMSI; }
}
