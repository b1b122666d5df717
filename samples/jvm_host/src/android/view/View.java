package android.view;

public class View {
    private OnClickListener listener;
    private boolean clickable;
    private boolean enabled = true;
    // Where the view is on the screen: set by layout() when a window is shown on the device
    // double's display (WindowManagerGlobal); the stub has no parent-relative coordinates.
    private int left, top, right, bottom;

    public interface OnClickListener {
        void onClick(View v);
    }

    /** As on Android (View.setOnClickListener), a click listener makes the view clickable. */
    public void setOnClickListener(OnClickListener l) {
        if (!clickable) {
            clickable = true;
        }
        this.listener = l;
    }

    public void setClickable(boolean clickable) { this.clickable = clickable; }
    public boolean isClickable() { return clickable; }
    public void setEnabled(boolean enabled) { this.enabled = enabled; }
    public boolean isEnabled() { return enabled; }

    /** As on Android, a tap ends here: the agent watches it to see consent clicks. */
    public boolean performClick() {
        if (listener == null) {
            return false;
        }
        listener.onClick(this);
        return true;
    }

    /** The class name accessibility (and so uiautomator) reports, as View's own API. */
    public CharSequence getAccessibilityClassName() { return View.class.getName(); }

    /** Stub measure pass: the height this view wants at the given width (pixels). */
    protected int measureHeight(int width) { return 0; }

    /** Stub layout pass, in screen coordinates. */
    public void layout(int l, int t, int r, int b) {
        left = l;
        top = t;
        right = r;
        bottom = b;
    }

    public final int getLeft() { return left; }
    public final int getTop() { return top; }
    public final int getRight() { return right; }
    public final int getBottom() { return bottom; }
    public final int getWidth() { return right - left; }
    public final int getHeight() { return bottom - top; }

    public void getLocationOnScreen(int[] outLocation) {
        outLocation[0] = left;
        outLocation[1] = top;
    }
}
