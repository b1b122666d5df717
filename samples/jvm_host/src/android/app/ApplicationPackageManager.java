package android.app;

import android.content.pm.ApplicationInfo;
import android.content.pm.PackageInfo;
import android.content.pm.PackageManager;

import java.util.ArrayList;
import java.util.List;

/** Stub of the framework's PackageManager implementation. */
public class ApplicationPackageManager extends PackageManager {
    // Fixed fake installed apps (never this machine's data).
    private static final String[] INSTALLED = {"com.tencent.mm", "com.eg.android.AlipayGphone", "com.sina.weibo"};

    @Override public List<PackageInfo> getInstalledPackages(int flags) {
        List<PackageInfo> out = new ArrayList<>();
        for (String p : INSTALLED) {
            PackageInfo info = new PackageInfo();
            info.packageName = p;
            out.add(info);
        }
        return out;
    }

    @Override public List<ApplicationInfo> getInstalledApplications(int flags) {
        List<ApplicationInfo> out = new ArrayList<>();
        for (String p : INSTALLED) {
            ApplicationInfo info = new ApplicationInfo();
            info.packageName = p;
            out.add(info);
        }
        return out;
    }
}
