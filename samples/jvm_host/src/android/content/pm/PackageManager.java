package android.content.pm;

import java.util.ArrayList;
import java.util.List;

public class PackageManager {
    public static final int PERMISSION_GRANTED = 0;
    public static final int PERMISSION_DENIED = -1;
    // Fixed fake installed apps (never this machine's data).
    private static final String[] INSTALLED = {"com.tencent.mm", "com.eg.android.AlipayGphone", "com.sina.weibo"};

    public List<PackageInfo> getInstalledPackages(int flags) {
        List<PackageInfo> out = new ArrayList<>();
        for (String p : INSTALLED) {
            PackageInfo info = new PackageInfo();
            info.packageName = p;
            out.add(info);
        }
        return out;
    }

    public List<ApplicationInfo> getInstalledApplications(int flags) {
        List<ApplicationInfo> out = new ArrayList<>();
        for (String p : INSTALLED) {
            ApplicationInfo info = new ApplicationInfo();
            info.packageName = p;
            out.add(info);
        }
        return out;
    }
}
