package android.location;

public class LocationManager {
    public static final String GPS_PROVIDER = "gps";

    public Location getLastKnownLocation(String provider) {
        return new Location(provider, 39.9087, 116.3975);
    }
}
