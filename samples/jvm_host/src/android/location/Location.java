package android.location;

public class Location {
    private final String provider;
    private final double latitude;
    private final double longitude;

    public Location(String provider, double latitude, double longitude) {
        this.provider = provider;
        this.latitude = latitude;
        this.longitude = longitude;
    }

    public double getLatitude() { return latitude; }
    public double getLongitude() { return longitude; }
    public String getProvider() { return provider; }
    @Override public String toString() { return "Location[" + provider + " " + latitude + "," + longitude + "]"; }
}
