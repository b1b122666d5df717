package android.app;

import android.content.Context;
import android.content.DialogInterface;
import android.view.Window;

public class Dialog implements DialogInterface {
    private final Window window = new Window();
    private boolean showing;

    public Dialog(Context context) {}

    /** Subclasses fill the window's views here, as Android builds them during show(). */
    protected void onCreate() {}

    public void show() {
        onCreate();
        showing = true;
        System.out.println("privhost: dialog shown");
    }

    public boolean isShowing() { return showing; }
    @Override public void dismiss() { showing = false; }
    public Window getWindow() { return window; }
}
