package android.view;

public class Window {
    // PhoneWindow's DecorView is a FrameLayout: that is the root class uiautomator reports.
    private final ViewGroup decor = new ViewGroup() {
        @Override public CharSequence getAccessibilityClassName() { return "android.widget.FrameLayout"; }
    };

    public View getDecorView() { return decor; }
}
