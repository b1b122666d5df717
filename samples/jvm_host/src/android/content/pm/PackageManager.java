package android.content.pm;

import java.util.List;

/** Abstract as on Android: the implementation is android.app.ApplicationPackageManager, which
 *  is what the agent hooks (the catalog's runtime_class). */
public abstract class PackageManager {
    public static final int PERMISSION_GRANTED = 0;
    public static final int PERMISSION_DENIED = -1;

    public abstract List<PackageInfo> getInstalledPackages(int flags);
    public abstract List<ApplicationInfo> getInstalledApplications(int flags);
}
