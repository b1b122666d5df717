package android.app;

import android.content.ComponentName;
import android.content.ContextWrapper;
import android.content.Intent;
import android.os.Bundle;
import android.view.ContextThemeWrapper;
import android.view.View;
import android.view.ViewGroup;
import android.view.Window;

/** Stub Activity: the host's main() plays ActivityThread and calls the lifecycle methods. */
public class Activity extends ContextThemeWrapper {
    private String[] pendingPermissions = new String[0];
    private final Window window = new Window();
    boolean resumed; // between onResume and onPause (read by ActivityWindows)

    public Activity(String packageName) { super(packageName); }

    protected void onCreate(Bundle savedInstanceState) {}

    public Window getWindow() { return window; }
    public void setContentView(View view) { ((ViewGroup) window.getDecorView()).addView(view); }
    protected void onStart() {}
    // The base methods run for every activity (subclasses must call super, Android enforces
    // it): on the device double's display they show and hide the activity's window.
    protected void onResume() {
        resumed = true;
        ActivityWindows.resumed(this);
    }
    protected void onPause() { resumed = false; }
    protected void onStop() { ActivityWindows.stopped(this); }

    /** BACK on a root activity: Android 12+ moves its task to the back instead of finishing it. */
    public void onBackPressed() { ActivityWindows.moveTaskToBack(); }

    public final void requestPermissions(String[] permissions, int requestCode) {
        pendingPermissions = permissions.clone();
        System.out.println("privhost: requestPermissions " + String.join(",", permissions));
    }

    /** As on Android, the system's answer arrives here and is handed to the app's callback. */
    void dispatchRequestPermissionsResult(int requestCode, Intent data) {
        int[] results = new int[pendingPermissions.length];
        for (int i = 0; i < results.length; i++) {
            results[i] = checkSelfPermission(pendingPermissions[i]);
        }
        onRequestPermissionsResult(requestCode, pendingPermissions, results);
    }

    /** Test hook standing in for the user answering the system permission dialog. */
    public void simulatePermissionAnswer(int requestCode, String... granted) {
        for (String p : granted) {
            ContextWrapper.grant(p);
        }
        dispatchRequestPermissionsResult(requestCode, null);
    }

    public void onRequestPermissionsResult(int requestCode, String[] permissions, int[] grantResults) {}

    @Override public void startActivity(Intent intent) { startActivity(intent, null); }
    public void startActivity(Intent intent, Bundle options) { startActivityForResult(intent, -1, options); }
    public void startActivityForResult(Intent intent, int requestCode, Bundle options) {
        System.out.println("privhost: startActivityForResult " + intent);
    }
}
