package android.app;

import android.view.WindowManagerGlobal;

import java.util.ArrayList;
import java.util.List;

/** The activities' side of the device double's display (stub of ActivityThread's window and
 *  lifecycle handling): a resumed activity's decor is a window; the system's HOME and
 *  back-to-front reach the shown activities as onPause/onStop and onStart/onResume. Inert
 *  without a display. */
final class ActivityWindows implements WindowManagerGlobal.AppLifecycle {
    private static final ActivityWindows INSTANCE = new ActivityWindows();
    private final List<Activity> shown = new ArrayList<>();
    private final List<Activity> backgrounded = new ArrayList<>();

    private ActivityWindows() {}

    static void resumed(final Activity a) {
        WindowManagerGlobal wm = WindowManagerGlobal.getInstance();
        if (wm == null) {
            return;
        }
        synchronized (INSTANCE) {
            if (!INSTANCE.shown.contains(a)) {
                INSTANCE.shown.add(a);
            }
        }
        wm.setAppLifecycle(INSTANCE);
        wm.addView(a.getWindow().getDecorView(), WindowManagerGlobal.TYPE_BASE_APPLICATION,
                   a.getPackageName(), a.getClass().getName(), new WindowManagerGlobal.WindowCallbacks() {
                       @Override public void onBackPressed() { a.onBackPressed(); }
                       @Override public void onTouchOutside() {}
                   });
    }

    static void stopped(Activity a) {
        WindowManagerGlobal wm = WindowManagerGlobal.getInstance();
        if (wm == null) {
            return;
        }
        synchronized (INSTANCE) {
            INSTANCE.shown.remove(a);
        }
        wm.setVisible(a.getWindow().getDecorView(), false);
    }

    static void moveTaskToBack() {
        if (WindowManagerGlobal.getInstance() != null) {
            INSTANCE.toBackground();
        }
    }

    /** HOME: every shown activity is paused (if resumed), then stopped, topmost first. */
    @Override public void toBackground() {
        List<Activity> list;
        synchronized (this) {
            list = new ArrayList<>(shown);
            backgrounded.clear();
            backgrounded.addAll(list);
        }
        for (int i = list.size() - 1; i >= 0; i--) {
            if (list.get(i).resumed) {
                list.get(i).onPause();
            }
        }
        for (int i = list.size() - 1; i >= 0; i--) {
            list.get(i).onStop();
        }
        System.out.println("ActivityManager: moved to background (" + list.size() + " activities stopped)");
        System.out.flush();
    }

    /** Back to front (am start / monkey on the running app): the stopped activities restart. */
    @Override public void toForeground() {
        List<Activity> list;
        synchronized (this) {
            list = new ArrayList<>(backgrounded);
            backgrounded.clear();
        }
        for (Activity a : list) {
            a.onStart();
            a.onResume();
        }
        System.out.println("ActivityManager: moved to front (" + list.size() + " activities resumed)");
        System.out.flush();
    }
}
