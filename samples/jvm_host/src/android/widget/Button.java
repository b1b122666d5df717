package android.widget;

public class Button extends TextView {
    public Button() { setClickable(true); } // Widget.Button's style: android:clickable="true"

    @Override public CharSequence getAccessibilityClassName() { return Button.class.getName(); }

    @Override protected int measureHeight(int width) { return Math.max(132, super.measureHeight(width)); } // 48dp
}
