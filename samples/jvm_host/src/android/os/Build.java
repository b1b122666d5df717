package android.os;

/** Stub of android.os.Build. SERIAL is computed (not a compile-time constant) so javac does not
 *  inline it into callers, as on Android where it comes from a system property. */
public class Build {
    public static final String SERIAL = readSerial();
    public static final String MODEL = "PrivHost-JVM";

    private static String readSerial() {
        return new StringBuilder("PHSERIAL").append("0042").toString();
    }

    public static String getSerial() {
        return SERIAL;
    }
}
