package android.content.pm;

public class ApplicationInfo {
    public String packageName;

    @Override public String toString() { return "ApplicationInfo{" + packageName + "}"; }
}
