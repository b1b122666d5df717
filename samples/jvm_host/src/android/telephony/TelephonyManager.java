package android.telephony;

/** Stub with fixed fake identifiers (the IMEI is Luhn-valid, never a real device's). */
public class TelephonyManager {
    static final String IMEI = "861234567890127";
    static final String IMSI = "460001234567890";

    public String getDeviceId() { return IMEI; }
    public String getDeviceId(int slotIndex) { return IMEI; }
    /** As on Android 10+ for apps without READ_PRIVILEGED_PHONE_STATE. */
    public String getImei() { throw new SecurityException("getImei: The user 10123 does not meet the requirements to access device identifiers."); }
    public String getImei(int slotIndex) { return getImei(); }
    public String getSubscriberId() { return IMSI; }
}
