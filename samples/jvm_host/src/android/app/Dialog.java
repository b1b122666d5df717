package android.app;

import android.content.Context;
import android.content.DialogInterface;
import android.view.Window;
import android.view.WindowManagerGlobal;

public class Dialog implements DialogInterface {
    private final Window window = new Window();
    private final Context context;
    private boolean showing;
    // Dialog's defaults; a Material dialog theme sets windowCloseOnTouchOutside
    private boolean cancelable = true;
    private boolean canceledOnTouchOutside = true;
    private OnDismissListener onDismiss;

    public Dialog(Context context) { this.context = context; }

    /** Subclasses fill the window's views here, as Android builds them during show(). */
    protected void onCreate() {}

    public void show() {
        onCreate();
        showing = true;
        System.out.println("privhost: dialog shown");
        WindowManagerGlobal wm = WindowManagerGlobal.getInstance();
        if (wm != null) { // on the device double's display: the window is added above its activity
            wm.addView(window.getDecorView(), WindowManagerGlobal.TYPE_APPLICATION,
                       context == null ? "" : context.getPackageName(), getClass().getName(),
                       new WindowManagerGlobal.WindowCallbacks() {
                           @Override public void onBackPressed() { Dialog.this.onBackPressed(); }
                           @Override public void onTouchOutside() {
                               if (cancelable && canceledOnTouchOutside) {
                                   cancel();
                               }
                           }
                       });
        }
    }

    public boolean isShowing() { return showing; }

    @Override public void dismiss() {
        boolean was = showing;
        showing = false;
        WindowManagerGlobal wm = WindowManagerGlobal.getInstance();
        if (wm != null && was) {
            wm.removeView(window.getDecorView());
        }
        if (was && onDismiss != null) {
            onDismiss.onDismiss(this);
        }
    }

    @Override public void cancel() { dismiss(); }

    public void onBackPressed() {
        if (cancelable) {
            cancel();
        }
    }

    public void setCancelable(boolean flag) { cancelable = flag; }
    public void setCanceledOnTouchOutside(boolean cancel) {
        if (cancel && !cancelable) {
            cancelable = true;
        }
        canceledOnTouchOutside = cancel;
    }
    public void setOnDismissListener(OnDismissListener listener) { onDismiss = listener; }
    public Window getWindow() { return window; }
    public final Context getContext() { return context; }
}
